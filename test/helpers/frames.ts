// Builds Ethernet/IPv4/UDP frames byte by byte for injection tests, correct by default
// (checksums, lengths), with every field overridable so a test can break exactly one.
import { parseIpv4 } from '../../src/config/ipv4.js';

export interface Ipv4Fields {
  src: string;
  dst: string;
  protocol?: number;
  ttl?: number;
  /** Flags (3 bits) and fragment offset (13 bits), as on the wire. */
  flagsFragment?: number;
  options?: Buffer;
  totalLength?: number;
  ihl?: number;
  checksum?: number;
}

function address(text: string): Buffer {
  const value = parseIpv4(text);
  if (value === null) throw new Error(`bad address ${text}`);
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** The Ethernet multicast MAC of an IPv4 group (01:00:5e + its low 23 bits). */
export function multicastMac(group: string): Buffer {
  const value = parseIpv4(group) ?? 0;
  return Buffer.from([0x01, 0x00, 0x5e, (value >>> 16) & 0x7f, (value >>> 8) & 0xff, value & 0xff]);
}

export function macFromText(text: string): Buffer {
  return Buffer.from(text.split(':').map((part) => parseInt(part, 16)));
}

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += bytes.readUInt16BE(i);
  if (bytes.length % 2 === 1) sum += (bytes[bytes.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ethernet(dst: Buffer, src: Buffer, etherType: number, payload: Buffer): Buffer {
  const type = Buffer.alloc(2);
  type.writeUInt16BE(etherType);
  return Buffer.concat([dst, src, type, payload]);
}

export function ipv4(fields: Ipv4Fields, payload: Buffer): Buffer {
  const options = fields.options ?? Buffer.alloc(0);
  const ihl = fields.ihl ?? 5 + options.length / 4;
  const header = Buffer.alloc(20);
  header[0] = 0x40 | (ihl & 0x0f);
  header.writeUInt16BE(fields.totalLength ?? 20 + options.length + payload.length, 2);
  header.writeUInt16BE(0x1234, 4);
  header.writeUInt16BE(fields.flagsFragment ?? 0x4000, 6);
  header[8] = fields.ttl ?? 16;
  header[9] = fields.protocol ?? 17;
  address(fields.src).copy(header, 12);
  address(fields.dst).copy(header, 16);
  const full = Buffer.concat([header, options]);
  full.writeUInt16BE(fields.checksum ?? checksum(full), 10);
  return Buffer.concat([full, payload]);
}

export function udp(srcPort: number, dstPort: number, payload: Buffer, length?: number): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt16BE(length ?? 8 + payload.length, 4);
  // Checksum 0: "not computed", valid for UDP over IPv4.
  return Buffer.concat([header, payload]);
}

/** A complete, valid multicast UDP frame. */
export function udpFrame(srcMac: Buffer, src: string, group: string, port: number, payload: Buffer, ip: Partial<Ipv4Fields> = {}): Buffer {
  return ethernet(multicastMac(group), srcMac, 0x0800, ipv4({ src, dst: group, ...ip }, udp(40000, port, payload)));
}
