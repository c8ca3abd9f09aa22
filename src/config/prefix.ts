// Address prefixes in CIDR notation (192.168.10.0/24, fd00::/8), as a reflector's
// allow_sources and deny_sources hold them: parsing with a reason for each way a text can
// be wrong, and the canonical text. An address without "/length" is one host (/32 or
// /128). Pure.
import { parseAddress, type Address } from '../net/address.js';

export interface Prefix {
  readonly address: Address;
  readonly length: number;
  /** Canonical: the address's canonical text and the length, "fd00::/8". */
  readonly text: string;
}

export type PrefixResult = { readonly ok: true; readonly prefix: Prefix } | { readonly ok: false; readonly reason: string };

function bitsOf(address: Address): number {
  return address.bytes.length * 8;
}

/** The address with every bit after the first `length` cleared. */
function network(address: Address, length: number): Address {
  const bytes = address.bytes.map((byte, i) => {
    const kept = Math.max(0, Math.min(8, length - i * 8));
    return byte & ((0xff00 >> kept) & 0xff);
  });
  const text =
    address.family === 'ipv4'
      ? bytes.join('.')
      : Array.from({ length: 8 }, (_, g) => (((bytes[2 * g] ?? 0) << 8) | (bytes[2 * g + 1] ?? 0)).toString(16)).join(':');
  const parsed = parseAddress(text);
  if (!parsed.ok) throw new Error(`internal error: ${text} is not an address`);
  return parsed.address;
}

export function parsePrefix(text: string): PrefixResult {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const parsed = parseAddress(addressText);
  if (!parsed.ok) return { ok: false, reason: `"${addressText}" is not an IP address: ${parsed.reason}` };
  const { address } = parsed;
  if (address.zone !== null) return { ok: false, reason: 'a prefix has no %zone' };
  const bits = bitsOf(address);
  if (slash < 0) return { ok: true, prefix: { address, length: bits, text: `${address.text}/${bits}` } };
  const lengthText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > bits) {
    return { ok: false, reason: `the length after "/" must be 0 to ${bits} for an ${address.family === 'ipv4' ? 'IPv4' : 'IPv6'} address` };
  }
  const length = Number(lengthText);
  const base = network(address, length);
  if (base.text !== address.text) {
    return { ok: false, reason: `${address.text}/${length} has bits set past the first ${length}; did you mean ${base.text}/${length}?` };
  }
  return { ok: true, prefix: { address, length, text: `${address.text}/${length}` } };
}

/** Validation has checked every prefix, so a text that does not parse is a bug. */
export function prefixOf(text: string): Prefix {
  const result = parsePrefix(text);
  if (!result.ok) throw new Error(`internal error: ${text} is not a prefix: ${result.reason}`);
  return result.prefix;
}
