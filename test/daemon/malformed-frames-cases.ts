// The catalogue of frames the malformed-frame suite injects on a relay's input: every
// kind of bad (or merely unusual) frame, several variants each, with where each must
// land; and the valid frames interleaved with them, each carrying a sink-checkable
// payload. Pure: builds bytes only.
import { encodePayload } from '../helpers/payload.js';
import { ethernet, ipv4, ipv6Frame, multicastMac, tagged, udp, udpChecksum, withIpv4Checksum, withUdpChecksum, type Ipv4Fields } from '../helpers/frames.js';
import { udp6 as checkedUdp6 } from '../helpers/frames6.js';

/** Where a frame must land: a worker counter, or dropped by the kernel's socket filter
 * (or the kernel's own receive path) before user space, so in no counter at all. */
export type Landing = string | 'kernel';

export interface Variant {
  name: string;
  frame: Buffer;
  landing: Landing;
}

export interface Kind {
  kind: string;
  variants: Variant[];
}

export interface Flow {
  mac: Buffer;
  src: string;
  group: string;
  port: number;
}

const SRC_PORT = 40000;

/** A UDP datagram's IPv4 packet in an Ethernet frame to the group, built from parts a
 * variant can break one at a time. */
function frameOf(flow: Flow, udpBytes: Buffer, ip: Partial<Ipv4Fields> = {}, trailer = Buffer.alloc(0)): Buffer {
  return ethernet(multicastMac(flow.group), flow.mac, 0x0800, Buffer.concat([ipv4({ src: flow.src, dst: flow.group, ...ip }, udpBytes), trailer]));
}

function checksummed(flow: Flow, payload: Buffer): Buffer {
  return withUdpChecksum(flow.src, flow.group, udp(SRC_PORT, flow.port, payload));
}

/** The valid frames, one builder per variant; each call takes the next sequence number,
 * so every valid frame sent is a distinct datagram the sink can count exactly once. */
export interface ValidVariant {
  name: string;
  /** Payload size at the sink: below 24 bytes the sink counts it as `short`. */
  size: number;
  build(flow: Flow, seq: number): Buffer;
}

export const JUMBO_PAYLOAD = 9000 - 20 - 8;

export const VALID_VARIANTS: readonly ValidVariant[] = [
  { name: 'plain, UDP checksum 0 (not computed)', size: 100, build: (f, seq) => frameOf(f, udp(SRC_PORT, f.port, encodePayload({ stream: 0, seq, size: 100 }))) },
  { name: '1,400-byte payload with a correct UDP checksum', size: 1400, build: (f, seq) => frameOf(f, checksummed(f, encodePayload({ stream: 0, seq, size: 1400 }))) },
  { name: 'IPv4 options (router alert), checksummed', size: 200, build: (f, seq) => frameOf(f, checksummed(f, encodePayload({ stream: 0, seq, size: 200 })), { options: Buffer.from([0x94, 0x04, 0, 0]) }) },
  { name: '40 bytes of IPv4 options (IHL 15)', size: 64, build: (f, seq) => frameOf(f, udp(SRC_PORT, f.port, encodePayload({ stream: 0, seq, size: 64 })), { options: Buffer.alloc(40, 0x01) }) },
  {
    name: 'IP total length smaller than the frame (Ethernet padding)',
    size: 24,
    build: (f, seq) => frameOf(f, checksummed(f, encodePayload({ stream: 0, seq, size: 24 })), {}, Buffer.alloc(20)),
  },
  {
    name: 'UDP length shorter than the IP payload (trailing bytes ignored)',
    size: 300,
    build: (f, seq) => frameOf(f, Buffer.concat([checksummed(f, encodePayload({ stream: 0, seq, size: 300 })), Buffer.alloc(12, 0xee)])),
  },
  { name: 'zero-length UDP payload', size: 0, build: (f) => frameOf(f, udp(SRC_PORT, f.port, Buffer.alloc(0))) },
  { name: `jumbo: ${JUMBO_PAYLOAD}-byte payload (MTU 9000), checksummed`, size: JUMBO_PAYLOAD, build: (f, seq) => frameOf(f, checksummed(f, encodePayload({ stream: 0, seq, size: JUMBO_PAYLOAD }))) },
];

/** Every malformed or unwanted kind, its variants, and where each lands. */
export function malformedKinds(flow: Flow): Kind[] {
  const payload = encodePayload({ stream: 99, seq: 0, size: 64 });
  const good = udp(SRC_PORT, flow.port, payload);
  const valid = frameOf(flow, good);
  const ipStart = 14;
  const withIp = (fields: Partial<Ipv4Fields>, body: Buffer = good): Buffer => frameOf(flow, body, fields);
  const withUdpLength = (length: number): Buffer => frameOf(flow, udp(SRC_PORT, flow.port, payload, length));
  const corrupt = (frame: Buffer, offset: number, mask: number): Buffer => {
    const copy = Buffer.from(frame);
    copy[offset] = (copy[offset] ?? 0) ^ mask;
    return copy;
  };
  const mac = flow.mac;
  const to = (group: string, protocol: number): Buffer =>
    ethernet(multicastMac(group), mac, 0x0800, ipv4({ src: flow.src, dst: group, protocol }, Buffer.alloc(24, 0x5a)));
  const checksummedBig = frameOf(flow, checksummed(flow, encodePayload({ stream: 99, seq: 1, size: 1400 })));
  const udpChecksumAt = ipStart + 20 + 6;
  const jumboBad = corrupt(frameOf(flow, checksummed(flow, encodePayload({ stream: 99, seq: 2, size: JUMBO_PAYLOAD }))), ipStart + 20 + 8 + 5000, 0x10);
  const v6src = 'fe80:0:0:0:0:0:0:2';
  const udp6 = udp(SRC_PORT, flow.port, payload);
  const icmp6 = Buffer.from([128, 0, 0, 0, 0, 1, 0, 1]);
  const words = (bytes: number): Buffer => Buffer.alloc(bytes, 0x5a);

  return [
    {
      kind: 'truncated Ethernet header',
      variants: [
        { name: '13 bytes', frame: valid.subarray(0, 13), landing: 'kernel' },
        { name: '6 bytes', frame: valid.subarray(0, 6), landing: 'kernel' },
      ],
    },
    {
      kind: 'truncated IPv4 header',
      variants: [
        { name: 'EtherType IPv4 and nothing after it', frame: valid.subarray(0, 14), landing: 'truncated' },
        { name: '10 bytes of IPv4 header', frame: valid.subarray(0, 24), landing: 'truncated' },
        { name: '19 bytes of IPv4 header', frame: valid.subarray(0, 33), landing: 'truncated' },
      ],
    },
    {
      kind: 'truncated UDP header',
      variants: [
        { name: 'IPv4 header only, total length 20', frame: withIp({ totalLength: 20 }, Buffer.alloc(0)), landing: 'bad_ip_length' },
        { name: '4 bytes of UDP header, total length 24', frame: withIp({ totalLength: 24 }, good.subarray(0, 4)), landing: 'bad_ip_length' },
        { name: 'frame cut inside the UDP header', frame: valid.subarray(0, ipStart + 20 + 5), landing: 'bad_ip_length' },
      ],
    },
    {
      kind: 'IHL < 5',
      variants: [
        { name: 'IHL 4', frame: withIp({ ihl: 4 }), landing: 'bad_ip_header' },
        { name: 'IHL 0', frame: withIp({ ihl: 0 }), landing: 'bad_ip_header' },
        { name: 'version 6 under EtherType IPv4', frame: (() => { const f = Buffer.from(valid); f[ipStart] = 0x65; return f; })(), landing: 'bad_ip_header' },
      ],
    },
    {
      kind: 'IHL beyond the frame',
      variants: [
        { name: 'IHL 15 with 16 bytes after the header', frame: withIp({ ihl: 15 }, words(16)), landing: 'bad_ip_header' },
        { name: 'IHL 8 with 8 bytes after the header', frame: withIp({ ihl: 8 }, words(8)), landing: 'bad_ip_header' },
      ],
    },
    {
      kind: 'IP total length larger than the frame',
      variants: [
        { name: 'one byte more', frame: withIp({ totalLength: 20 + good.length + 1 }), landing: 'bad_ip_length' },
        { name: '65535', frame: withIp({ totalLength: 65535 }), landing: 'bad_ip_length' },
      ],
    },
    {
      kind: 'IP total length smaller than the frame, datagram does not fit',
      variants: [
        { name: 'UDP length reaches past the IP total length', frame: withIp({ totalLength: 20 + 8 + 10 }), landing: 'bad_udp_length' },
        { name: 'total length 19 (less than the header)', frame: withIp({ totalLength: 19 }), landing: 'bad_ip_length' },
        { name: 'total length 0', frame: withIp({ totalLength: 0 }), landing: 'bad_ip_length' },
      ],
    },
    {
      kind: 'UDP length mismatch',
      variants: [
        { name: 'UDP length one more than the IP payload', frame: withUdpLength(8 + payload.length + 1), landing: 'bad_udp_length' },
        { name: 'UDP length 65535', frame: withUdpLength(65535), landing: 'bad_udp_length' },
        { name: 'UDP length 7', frame: withUdpLength(7), landing: 'bad_udp_length' },
        { name: 'UDP length 0', frame: withUdpLength(0), landing: 'bad_udp_length' },
      ],
    },
    {
      kind: 'IPv4 options, corrupted',
      variants: [{ name: 'option byte changed after the header checksum', frame: corrupt(frameOf(flow, good, { options: Buffer.from([0x94, 0x04, 0, 0]) }), ipStart + 21, 0x01), landing: 'bad_ip_checksum' }],
    },
    {
      kind: 'fragment',
      variants: [
        { name: 'first (MF, offset 0)', frame: withIp({ flagsFragment: 0x2000 }), landing: 'fragment' },
        { name: 'middle (MF, offset 16)', frame: withIp({ flagsFragment: 0x2010 }), landing: 'fragment' },
        { name: 'last (offset 16)', frame: withIp({ flagsFragment: 0x0010 }, payload), landing: 'fragment' },
      ],
    },
    {
      kind: 'non-UDP protocol',
      variants: [
        { name: 'TCP to the rule group', frame: to(flow.group, 6), landing: 'not_udp' },
        { name: 'ICMP to the rule group', frame: to(flow.group, 1), landing: 'not_udp' },
        { name: 'IGMP to the rule group', frame: to(flow.group, 2), landing: 'not_udp' },
        { name: 'GRE to the rule group', frame: to(flow.group, 47), landing: 'not_udp' },
        { name: 'TCP to a group no rule wants', frame: to('239.9.9.9', 6), landing: 'kernel' },
      ],
    },
    {
      kind: 'VLAN tag',
      variants: [
        { name: '802.1Q, VID 100', frame: tagged(valid, [[0x8100, 100]]), landing: 'vlan_tagged' },
        { name: 'priority tag (VID 0)', frame: tagged(valid, [[0x8100, 0x6000]]), landing: 'vlan_tagged' },
      ],
    },
    {
      kind: 'QinQ tags',
      variants: [
        { name: '802.1ad outer + 802.1Q inner', frame: tagged(valid, [[0x88a8, 200], [0x8100, 300]]), landing: 'vlan_tagged' },
        { name: '802.1Q in 802.1Q', frame: tagged(valid, [[0x8100, 7], [0x8100, 8]]), landing: 'vlan_tagged' },
        { name: 'three tags', frame: tagged(valid, [[0x88a8, 1], [0x8100, 2], [0x8100, 3]]), landing: 'too_many_vlan_tags' },
        { name: 'four tags', frame: tagged(valid, [[0x88a8, 1], [0x8100, 2], [0x8100, 3], [0x8100, 4]]), landing: 'too_many_vlan_tags' },
      ],
    },
    {
      // IPv6 is parsed as IPv4 is (the IPv6 suite is test/dataplane/ipv6-crafted.test.ts):
      // UDP to a group no rule has is no_match; a UDP checksum of 0, legal in IPv4, is
      // not in IPv6.
      kind: 'IPv6',
      variants: [
        { name: 'UDP to ff0e::1:5000, no rule for it', frame: ipv6Frame(mac, v6src, 'ff0e:0:0:0:0:0:0:1', 17, checkedUdp6(v6src, 'ff0e::1', SRC_PORT, flow.port, payload)), landing: 'no_match' },
        { name: 'UDP to ff02::1234 with checksum 0', frame: ipv6Frame(mac, v6src, 'ff02:0:0:0:0:0:0:1234', 17, udp6), landing: 'bad_udp_checksum' },
        { name: 'ICMPv6 echo to ff02::1 (link chatter)', frame: ipv6Frame(mac, v6src, 'ff02:0:0:0:0:0:0:1', 58, icmp6), landing: 'kernel' },
        { name: 'UDP to a unicast address', frame: ipv6Frame(mac, v6src, 'fe80:0:0:0:0:0:0:1', 17, udp6), landing: 'kernel' },
      ],
    },
    {
      kind: 'jumbo payload, corrupted',
      variants: [{ name: `${JUMBO_PAYLOAD}-byte payload, one byte flipped after the UDP checksum`, frame: jumboBad, landing: 'bad_udp_checksum' }],
    },
    {
      kind: 'bad checksum',
      variants: [
        { name: 'IPv4 header checksum 0xbeef', frame: withIp({ checksum: 0xbeef }), landing: 'bad_ip_checksum' },
        { name: 'UDP checksum off by one', frame: corrupt(checksummedBig, udpChecksumAt + 1, 0x01), landing: 'bad_udp_checksum' },
        { name: 'payload byte flipped after the UDP checksum', frame: corrupt(checksummedBig, ipStart + 20 + 8 + 700, 0x80), landing: 'bad_udp_checksum' },
        {
          name: 'UDP checksum 0xffff that does not verify',
          frame: frameOf(flow, withUdpChecksum(flow.src, flow.group, good, udpChecksum(flow.src, flow.group, good) === 0xffff ? 0xfffe : 0xffff)),
          landing: 'bad_udp_checksum',
        },
      ],
    },
    {
      kind: 'other EtherType',
      variants: [
        { name: 'ARP request', frame: ethernet(Buffer.alloc(6, 0xff), mac, 0x0806, words(28)), landing: 'kernel' },
        { name: 'LLDP', frame: ethernet(Buffer.from([0x01, 0x80, 0xc2, 0, 0, 0x0e]), mac, 0x88cc, words(40)), landing: 'kernel' },
      ],
    },
    {
      kind: 'well-formed UDP no rule wants',
      variants: [
        { name: 'another group', frame: ethernet(multicastMac('239.9.9.9'), mac, 0x0800, ipv4({ src: flow.src, dst: '239.9.9.9' }, good)), landing: 'no_match' },
        { name: 'the rule group, another port', frame: frameOf(flow, udp(SRC_PORT, flow.port + 1, payload)), landing: 'no_match' },
      ],
    },
  ];
}

/** xorshift32, seeded: the same "random" frames on every run, so a failure reproduces. */
export function randomBytes(seed: number): (length: number) => Buffer {
  let state = seed >>> 0 || 1;
  return (length) => {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}

/** Random frames: fully random (14 to 1,514 bytes); an Ethernet header saying IPv4
 * followed by random bytes; the same with version/IHL 0x45 and the rule's group as
 * destination, so they pass the kernel filter; and a correct IPv4 UDP header (length,
 * checksum, no fragment) to the group with random bytes from the UDP header on, so they
 * get to the parser's last checks. */
export function randomKinds(flow: Flow, perKind: number): Kind[] {
  const random = randomBytes(0x6d637221);
  const lengthOf = (bytes: Buffer): number => bytes.readUInt16BE(0);
  const full: Variant[] = [];
  const ipv4Random: Variant[] = [];
  const aimed: Variant[] = [];
  const deep: Variant[] = [];
  for (let i = 0; i < perKind; i += 1) {
    full.push({ name: `random ${i}`, frame: random(14 + (lengthOf(random(2)) % 1501)), landing: 'unknown' });
    ipv4Random.push({ name: `IPv4 + random ${i}`, frame: ethernet(multicastMac(flow.group), flow.mac, 0x0800, random(1 + (lengthOf(random(2)) % 1500))), landing: 'unknown' });
    const body = random(20 + (lengthOf(random(2)) % 1481));
    body[0] = 0x45;
    ipv4({ src: flow.src, dst: flow.group }, Buffer.alloc(0)).copy(body, 16, 16, 20);
    aimed.push({ name: `IPv4 to the group + random ${i}`, frame: ethernet(multicastMac(flow.group), flow.mac, 0x0800, body), landing: 'unknown' });
    const packet = Buffer.from(random(28 + (lengthOf(random(2)) % 1473)));
    ipv4({ src: flow.src, dst: flow.group, totalLength: packet.length }, Buffer.alloc(0)).copy(packet, 0, 0, 20);
    deep.push({ name: `IPv4 UDP header + random ${i}`, frame: ethernet(multicastMac(flow.group), flow.mac, 0x0800, withIpv4Checksum(packet)), landing: 'unknown' });
  }
  return [
    { kind: 'random bytes (whole frame)', variants: full },
    { kind: 'Ethernet IPv4 + random bytes', variants: ipv4Random },
    { kind: 'Ethernet IPv4 + random bytes, version 4 and the rule group planted', variants: aimed },
    { kind: 'a correct IPv4 header to the rule group, random from the UDP header on', variants: deep },
  ];
}
