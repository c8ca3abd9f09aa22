// How flows and destinations are named in messages, plans and default rule names.
// Addresses come parsed (from a RuleSet: their canonical text is shown) or as text
// (from a file being checked, or the stats file).
import type { Address } from '../net/address.js';

export interface Endpoint {
  readonly interface: string;
  readonly group: Address | string;
  readonly port: number;
}

export interface InputEndpoint extends Endpoint {
  readonly source?: Address | string | null;
}

function shown(address: Address | string): string {
  return typeof address === 'string' ? address : address.text;
}

/** "eth0 239.1.1.1:5000", or "eth0 [ff0e::1:1]:5000": an IPv6 address is bracketed
 * before its port, as in a URL, so that the port cannot read as its last group. */
export function describeEndpoint(endpoint: Endpoint): string {
  const group = shown(endpoint.group);
  return `${endpoint.interface} ${group.includes(':') ? `[${group}]` : group}:${endpoint.port}`;
}

/** "eth0 239.1.1.1:5000", or "eth0 232.1.1.1:5000 from 10.0.0.9" when source-specific
 * ("eth0 [ff3e::1]:5000 from 2001:db8::7" for IPv6).
 * Also the name of a rule that has none. */
export function describeInput(input: InputEndpoint): string {
  const base = describeEndpoint(input);
  return input.source ? `${base} from ${shown(input.source)}` : base;
}
