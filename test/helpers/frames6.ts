// Builds Ethernet/IPv6 frames byte by byte for injection tests: the fixed header, any
// chain of extension headers, and UDP with its mandatory checksum over the IPv6
// pseudo-header. Correct by default; every field a test breaks is an option.
import { addressOf } from '../../src/net/address.js';
import { ethernet } from './frames.js';

export const NEXT_HEADER = { hopByHop: 0, udp: 17, routing: 43, fragment: 44, esp: 50, icmpv6: 58, destinationOptions: 60 } as const;

/** One extension header: its type and its bytes after the first two (next header and
 * length, which ipv6Packet fills in; padded with PadN to a multiple of 8 if need be). */
export interface Extension {
  type: number;
  body: Buffer;
  /** The length byte as written, when a test wants it wrong. */
  units?: number;
}

export interface Ipv6Fields {
  src: string;
  dst: string;
  extensions?: Extension[];
  /** The protocol after the last extension header (default UDP). */
  upper?: number;
  /** The payload length field as written, when a test wants it wrong. */
  payloadLength?: number;
  version?: number;
  hopLimit?: number;
}

function addressBytes(text: string): Buffer {
  const address = addressOf(text);
  if (address.family !== 'ipv6') throw new Error(`not an IPv6 address: ${text}`);
  return Buffer.from(address.bytes);
}

/** 33:33 and the low 32 bits of the group. */
export function multicastMac6(group: string): Buffer {
  return Buffer.concat([Buffer.from([0x33, 0x33]), addressBytes(group).subarray(12)]);
}

/** Options to fill `length` bytes exactly: Pad1 for one, PadN otherwise. */
export function padding(length: number): Buffer {
  if (length === 0) return Buffer.alloc(0);
  if (length === 1) return Buffer.from([0]);
  return Buffer.concat([Buffer.from([1, length - 2]), Buffer.alloc(length - 2)]);
}

/** An options header body (hop-by-hop or destination options) holding `options`,
 * padded to a whole number of 8-byte units. */
export function optionsBody(options: Buffer = Buffer.alloc(0)): Buffer {
  const used = 2 + options.length;
  return Buffer.concat([options, padding((8 - (used % 8)) % 8)]);
}

/** A fragment header's body: offset in 8-byte units, the M flag, an identification. */
export function fragmentBody(offset: number, more: boolean): Buffer {
  const body = Buffer.alloc(6);
  body.writeUInt16BE((offset << 3) | (more ? 1 : 0), 0);
  body.writeUInt32BE(0x4d435236, 2);
  return body;
}

/** The IPv6 packet: fixed header, extension headers in order, then `upper` bytes. */
export function ipv6Packet(fields: Ipv6Fields, upper: Buffer): Buffer {
  const extensions = fields.extensions ?? [];
  const chain = extensions.map((extension, i) => {
    const next = i + 1 < extensions.length ? (extensions[i + 1]?.type ?? 0) : (fields.upper ?? NEXT_HEADER.udp);
    const head = Buffer.from([next, extension.units ?? Math.max(0, (2 + extension.body.length) / 8 - 1)]);
    return Buffer.concat([head, extension.body]);
  });
  const payload = Buffer.concat([...chain, upper]);
  const header = Buffer.alloc(40);
  header.writeUInt32BE(((fields.version ?? 6) << 28) >>> 0, 0);
  header.writeUInt16BE(fields.payloadLength ?? payload.length, 4);
  header[6] = extensions[0]?.type ?? fields.upper ?? NEXT_HEADER.udp;
  header[7] = fields.hopLimit ?? 16;
  addressBytes(fields.src).copy(header, 8);
  addressBytes(fields.dst).copy(header, 24);
  return Buffer.concat([header, payload]);
}

function sum16(bytes: Buffer, start = 0): number {
  let sum = start;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += bytes.readUInt16BE(i);
  if (bytes.length % 2 === 1) sum += (bytes[bytes.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** A UDP datagram between src and dst with its IPv6 checksum (0xffff for a zero sum),
 * or `checksum` as written. */
export function udp6(src: string, dst: string, srcPort: number, dstPort: number, payload: Buffer, checksum?: number): Buffer {
  const datagram = Buffer.alloc(8 + payload.length);
  datagram.writeUInt16BE(srcPort, 0);
  datagram.writeUInt16BE(dstPort, 2);
  datagram.writeUInt16BE(datagram.length, 4);
  payload.copy(datagram, 8);
  const pseudo = sum16(Buffer.concat([addressBytes(src), addressBytes(dst)])) + datagram.length + NEXT_HEADER.udp;
  const computed = ~sum16(datagram, pseudo) & 0xffff;
  datagram.writeUInt16BE(checksum ?? (computed === 0 ? 0xffff : computed), 6);
  return datagram;
}

/** The Ethernet frame of an IPv6 packet to a multicast group. */
export function ipv6Frame6(srcMac: Buffer, fields: Ipv6Fields, upper: Buffer): Buffer {
  return ethernet(multicastMac6(fields.dst), srcMac, 0x86dd, ipv6Packet(fields, upper));
}
