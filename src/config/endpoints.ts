// How flows and destinations are named in messages, plans and default rule names.

export interface Endpoint {
  readonly interface: string;
  readonly group: string;
  readonly port: number;
}

export interface InputEndpoint extends Endpoint {
  readonly source?: string | null;
}

/** "eth0 239.1.1.1:5000" */
export function describeEndpoint(endpoint: Endpoint): string {
  return `${endpoint.interface} ${endpoint.group}:${endpoint.port}`;
}

/** "eth0 239.1.1.1:5000", or "eth0 232.1.1.1:5000 from 10.0.0.9" when source-specific.
 * Also the name of a rule that has none. */
export function describeInput(input: InputEndpoint): string {
  const base = describeEndpoint(input);
  return input.source ? `${base} from ${input.source}` : base;
}
