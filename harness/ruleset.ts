// Builds a RuleSet from TOML text for tests, failing loudly if the text is invalid.
import { parseConfig } from '../src/config/load.js';
import { formatConfigError } from '../src/config/problems.js';
import type { RuleSet } from '../src/config/ruleset.js';

export function ruleSetOf(...lines: string[]): RuleSet {
  const result = parseConfig(lines.join('\n') + '\n', 'test.toml');
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.ruleSet;
}

/** A [[rule]] in inline style: input "IF GROUP:PORT [from SOURCE]", outputs
 * "IF GROUP:PORT [ttl N] [from SOURCE|preserve] [dscp N] [egress KIND]" each ("from" is
 * an output's source_address). An IPv6 group is bracketed: "in0 [ff0e::1:1]:5000". */
export function rule(name: string | null, input: string, ...outputs: string[]): string {
  const endpoint = (text: string, sourceKey: string): string => {
    const match = /^(\S+) (?:([\d.]+)|\[([\da-fA-F:.%\w-]+)\]):(\d+)(?: ttl (\d+))?(?: from ([\da-fA-F:.%\w-]+))?(?: dscp (\d+))?(?: egress (\w+))?$/.exec(text);
    if (!match) throw new Error(`bad endpoint ${text}`);
    const [, iface, group4, group6, port, ttl, source, dscp, egress] = match;
    const group = group4 ?? group6;
    const extra =
      (ttl ? `, ttl = ${ttl}` : '') +
      (source ? `, ${sourceKey} = "${source}"` : '') +
      (dscp ? `, dscp = ${dscp}` : '') +
      (egress ? `, egress = "${egress}"` : '');
    return `{ interface = "${iface}", group = "${group}", port = ${port}${extra} }`;
  };
  return [
    '[[rule]]',
    ...(name === null ? [] : [`name = "${name}"`]),
    `input = ${endpoint(input, 'source')}`,
    `outputs = [ ${outputs.map((output) => endpoint(output, 'source_address')).join(', ')} ]`,
  ].join('\n');
}

/** The [daemon] table that sets the egress of outputs that name none. */
export function egressSection(egress: string): string {
  return `[daemon]\negress = "${egress}"`;
}
