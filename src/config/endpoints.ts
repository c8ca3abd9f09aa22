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

/** "eth0 239.1.1.1:5000" */
export function describeEndpoint(endpoint: Endpoint): string {
  return `${endpoint.interface} ${shown(endpoint.group)}:${endpoint.port}`;
}

/** "eth0 239.1.1.1:5000", or "eth0 232.1.1.1:5000 from 10.0.0.9" when source-specific.
 * Also the name of a rule that has none. */
export function describeInput(input: InputEndpoint): string {
  const base = describeEndpoint(input);
  return input.source ? `${base} from ${shown(input.source)}` : base;
}
