// Builds Ethernet/IPv4/UDP frames byte by byte for injection tests, correct by default
// (checksums, lengths), with every field overridable so a test can break exactly one.
import { parseAddress } from '../../src/net/address.js';

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
  const parsed = parseAddress(text);
  if (!parsed.ok || parsed.address.family !== 'ipv4') throw new Error(`bad address ${text}`);
  return Buffer.from(parsed.address.bytes);
}

/** The Ethernet multicast MAC of an IPv4 group (01:00:5e + its low 23 bits). */
export function multicastMac(group: string): Buffer {
  const [, b = 0, c = 0, d = 0] = address(group);
  return Buffer.from([0x01, 0x00, 0x5e, b & 0x7f, c, d]);
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

/** A copy of a 20-byte-or-longer IPv4 header with its checksum field set to the correct
 * value for its first IHL*4 bytes. */
export function withIpv4Checksum(packet: Buffer): Buffer {
  const out = Buffer.from(packet);
  const headerLength = 4 * ((out[0] ?? 0) & 0x0f);
  out.writeUInt16BE(0, 10);
  out.writeUInt16BE(checksum(out.subarray(0, headerLength)), 10);
  return out;
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

/** The UDP checksum of `datagram` (its checksum field read as 0) between src and dst;
 * 0xffff when the sum is 0, since 0 on the wire means "not computed". */
export function udpChecksum(src: string, dst: string, datagram: Buffer): number {
  const pseudo = Buffer.concat([address(src), address(dst), Buffer.from([0, 17]), Buffer.alloc(2)]);
  pseudo.writeUInt16BE(datagram.length, 10);
  const zeroed = Buffer.from(datagram);
  zeroed.writeUInt16BE(0, 6);
  const value = checksum(Buffer.concat([pseudo, zeroed]));
  return value === 0 ? 0xffff : value;
}

/** A copy of a UDP datagram carrying its correct checksum, or `value` when given. */
export function withUdpChecksum(src: string, dst: string, datagram: Buffer, value?: number): Buffer {
  const out = Buffer.from(datagram);
  out.writeUInt16BE(value ?? udpChecksum(src, dst, datagram), 6);
  return out;
}

/** A copy of an untagged frame with 802.1Q/802.1ad tags [tpid, tci] inserted after the MACs, outermost first. */
export function tagged(frame: Buffer, tags: readonly (readonly [number, number])[]): Buffer {
  const bytes = tags.map(([tpid, tci]) => {
    const tag = Buffer.alloc(4);
    tag.writeUInt16BE(tpid, 0);
    tag.writeUInt16BE(tci, 2);
    return tag;
  });
  return Buffer.concat([frame.subarray(0, 12), ...bytes, frame.subarray(12)]);
}

/** An IPv6 address in full eight-group form ("ff0e:0:0:0:0:0:0:1"); no :: shorthand. */
function address6(text: string): Buffer {
  const groups = text.split(':');
  if (groups.length !== 8) throw new Error(`write all eight groups of ${text}`);
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), 2 * i));
  return out;
}

/** An Ethernet frame carrying IPv6 (no extension headers) from src to dst; the
 * destination MAC is 33:33 + the low 32 bits of dst, as for IPv6 multicast. */
export function ipv6Frame(srcMac: Buffer, src: string, dst: string, nextHeader: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(40);
  header.writeUInt32BE(0x60000000, 0);
  header.writeUInt16BE(payload.length, 4);
  header[6] = nextHeader;
  header[7] = 16;
  address6(src).copy(header, 8);
  const dstBytes = address6(dst);
  dstBytes.copy(header, 24);
  const dstMac = Buffer.concat([Buffer.from([0x33, 0x33]), dstBytes.subarray(12)]);
  return ethernet(dstMac, srcMac, 0x86dd, Buffer.concat([header, payload]));
}
