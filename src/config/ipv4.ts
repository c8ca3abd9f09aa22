// IPv4 address parsing and classification for the rules file. Pure: no sockets.
// The classes decide what an address may be used for: a multicast group, a unicast
// host, or neither (0.0.0.0/8, loopback, 240.0.0.0/4, broadcast).

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Dotted quad without leading zeros (which some parsers read as octal). */
export const IPV4_PATTERN = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

export type AddressClass = 'multicast' | 'unicast' | 'unspecified' | 'loopback' | 'reserved' | 'broadcast';

/** The address as a 32-bit unsigned number, or null when it is not a dotted quad. */
export function parseIpv4(text: string): number | null {
  if (!IPV4_PATTERN.test(text)) return null;
  return text.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function classifyIpv4(address: number): AddressClass {
  if (address === 0xffffffff) return 'broadcast';
  const first = Math.floor(address / 2 ** 24);
  if (first === 0) return 'unspecified';
  if (first === 127) return 'loopback';
  if (first >= 224 && first <= 239) return 'multicast';
  if (first >= 240) return 'reserved';
  return 'unicast';
}

/** The class of a textual address, or null when it does not parse. */
export function classifyAddress(text: string): AddressClass | null {
  const value = parseIpv4(text);
  return value === null ? null : classifyIpv4(value);
}

export function isMulticast(text: string): boolean {
  return classifyAddress(text) === 'multicast';
}
