// Builds a RuleSet from TOML text for tests, failing loudly if the text is invalid.
import { parseConfig } from '../../src/config/load.js';
import { formatConfigError } from '../../src/config/problems.js';
import type { RuleSet } from '../../src/config/ruleset.js';

export function ruleSetOf(...lines: string[]): RuleSet {
  const result = parseConfig(lines.join('\n') + '\n', 'test.toml');
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.ruleSet;
}

/** A [[rule]] in inline style: input "IF GROUP:PORT", outputs "IF GROUP:PORT" each. */
export function rule(name: string | null, input: string, ...outputs: string[]): string {
  const endpoint = (text: string): string => {
    const match = /^(\S+) ([\d.]+):(\d+)(?: ttl (\d+))?(?: from ([\d.]+))?$/.exec(text);
    if (!match) throw new Error(`bad endpoint ${text}`);
    const [, iface, group, port, ttl, source] = match;
    const extra = (ttl ? `, ttl = ${ttl}` : '') + (source ? `, source = "${source}"` : '');
    return `{ interface = "${iface}", group = "${group}", port = ${port}${extra} }`;
  };
  return [
    '[[rule]]',
    ...(name === null ? [] : [`name = "${name}"`]),
    `input = ${endpoint(input)}`,
    `outputs = [ ${outputs.map(endpoint).join(', ')} ]`,
  ].join('\n');
}
