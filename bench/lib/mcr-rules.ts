// The rules file text the bench gives mcr (pure): one rule per stream, every output of a
// stream in its rule, each output with the egress kind under test. A build that has no
// `egress` setting yet (socket outputs only) gets the file without it.
import { PORT } from './constants.js';

export type Egress = 'frame' | 'socket';

export interface McrEndpoint {
  iface: string;
  group: string;
  port?: number;
}

export interface McrRuleSpec {
  name: string;
  input: McrEndpoint;
  outputs: McrEndpoint[];
  /** payload = "..." on the rule (stream analysis); absent: none. */
  payload?: string;
}

const quote = (text: string) => JSON.stringify(text);

function endpoint(e: McrEndpoint, egress: Egress | null): string {
  const fields = [`interface = ${quote(e.iface)}`, `group = ${quote(e.group)}`, `port = ${e.port ?? PORT}`];
  if (egress) fields.push(`egress = ${quote(egress)}`);
  return `{ ${fields.join(', ')} }`;
}

/** TOML for the rules; `egress` null writes no egress key (a build without the setting). */
export function mcrRulesToml(rules: readonly McrRuleSpec[], egress: Egress | null): string {
  return rules
    .map((r) => {
      if (r.outputs.length === 0) throw new Error(`rule ${r.name} has no outputs`);
      const outputs = r.outputs.map((o) => `  ${endpoint(o, egress)},`);
      const payload = r.payload ? [`payload = ${quote(r.payload)}`] : [];
      return ['[[rule]]', `name = ${quote(r.name)}`, `input = ${endpoint(r.input, null)}`, ...payload, 'outputs = [', ...outputs, ']'].join('\n');
    })
    .join('\n\n')
    .concat('\n');
}
