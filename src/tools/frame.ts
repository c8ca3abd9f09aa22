// Builds Ethernet II / IPv4 / UDP frames byte by byte, for tests that inject frames
// with mcr-inject. Correct by default (IPv4 header checksum computed, UDP checksum 0,
// which IPv4 allows); tests then break the one thing they aim at. Pure, no I/O.
export interface UdpFrameSpec {
  dstMac: string;
  srcMac: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
  ttl?: number;
}

function macBytes(mac: string): Buffer {
  const bytes = mac.split(':').map((part) => Number.parseInt(part, 16));
  if (bytes.length !== 6 || bytes.some((b) => !(b >= 0 && b <= 255))) throw new Error(`bad MAC "${mac}"`);
  return Buffer.from(bytes);
}

function ipBytes(ip: string): Buffer {
  const bytes = ip.split('.').map(Number);
  if (bytes.length !== 4 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new Error(`bad IPv4 "${ip}"`);
  return Buffer.from(bytes);
}

/** The Ethernet address IPv4 multicast maps to: 01:00:5e + the group's low 23 bits. */
export function multicastMac(group: string): string {
  const [, b, c, d] = [...ipBytes(group)] as [number, number, number, number];
  return ['01', '00', '5e', (b & 0x7f).toString(16), c.toString(16), d.toString(16)].map((x) => x.padStart(2, '0')).join(':');
}

export function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function buildUdpFrame(spec: UdpFrameSpec): Buffer {
  const udpLength = 8 + spec.payload.length;
  const ip = Buffer.alloc(20);
  ip[0] = 0x45; // version 4, 20-byte header
  ip.writeUInt16BE(20 + udpLength, 2);
  ip.writeUInt16BE(0x4000, 6); // DF, not a fragment
  ip[8] = spec.ttl ?? 64;
  ip[9] = 17; // UDP
  ipBytes(spec.srcIp).copy(ip, 12);
  ipBytes(spec.dstIp).copy(ip, 16);
  ip.writeUInt16BE(ipv4Checksum(ip), 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(spec.srcPort, 0);
  udp.writeUInt16BE(spec.dstPort, 2);
  udp.writeUInt16BE(udpLength, 4);
  const ethernet = Buffer.concat([macBytes(spec.dstMac), macBytes(spec.srcMac), Buffer.from([0x08, 0x00])]);
  return Buffer.concat([ethernet, ip, udp, spec.payload]);
}
