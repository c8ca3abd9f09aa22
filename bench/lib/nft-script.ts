// The kernel's own fast path as a relay, written as an nftables script (pure: text in,
// text out; nft-relay.ts runs it). A `netdev` table hooks each input interface's
// ingress: a datagram to a path's group and port jumps to that path's chain, which
// rewrites the headers the way mcr's output would carry them (Ethernet source = the
// output interface's MAC, Ethernet destination = the group's multicast MAC, IP
// destination, UDP port; nft fixes the IP and UDP checksums) and sends the frame out
// of the output interface with `dup to` (a copy) or `fwd to` (the frame itself, last).
// All of it runs in the input's receive softirq, before IP routing: no reverse-path
// check, no socket, no process. IPv6 paths are written the same way with `ip6 daddr`
// and a 33:33 MAC (nft fixes the UDP checksum over the new pseudo-header); a path and
// its outputs are of one family (the kernel cannot translate).
//
// One skb carries every copy: `dup` clones the frame as it is at that statement, so the
// statements are ordered copy by copy (set copy 1's fields, dup; set copy 2's, dup; ...)
// and each copy leaves with its own header. Only fields that differ from the previous
// copy are set again. The kernel allows 128 expressions per rule (NFT_RULE_MAXEXPRS), so
// a wide fan-out is split into several rules of one chain, which run in order on the
// same skb; the path chain has no match of its own (the jump was the match), so a
// rewrite made by one rule does not stop the next.

import { parseAddress, type Address } from '../../src/net/address.js';

export interface NftOutput {
  iface: string;
  /** The output interface's own MAC: the copy's Ethernet source. */
  mac: string;
  group: string;
  port: number;
}

export interface NftPath {
  inputIface: string;
  group: string;
  port: number;
  /** Only this sender's datagrams, when given. */
  source?: string;
  outputs: NftOutput[];
}

/** The kernel's hard limit is 128 expressions per rule; stay below it. */
export const EXPRESSION_BUDGET = 120;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv6 address in canonical text, or null for anything else. */
function ipv6(address: string): Address | null {
  if (!address.includes(':')) return null;
  const parsed = parseAddress(address);
  if (!parsed.ok || parsed.address.family !== 'ipv6' || parsed.address.zone !== null) throw new Error(`bad IPv6 address "${address}"`);
  return parsed.address;
}

/** "ip" or "ip6", the nft protocol of an address, checked. */
function protocolOf(address: string): 'ip' | 'ip6' {
  if (ipv6(address)) return 'ip6';
  octets(address);
  return 'ip';
}

function octets(address: string): number[] {
  const match = IPV4.exec(address);
  const values = match ? match.slice(1).map(Number) : [];
  if (values.length !== 4 || values.some((v) => v > 255)) throw new Error(`bad IPv4 address "${address}"`);
  return values;
}

/** 01:00:5e followed by the low 23 bits of the group (RFC 1112, section 6.4), or for
 * IPv6 33:33 followed by its low 32 bits (RFC 2464, section 7). */
export function multicastMac(group: string): string {
  const six = ipv6(group);
  if (six) {
    if (six.bytes[0] !== 0xff) throw new Error(`${group} is not an IPv6 multicast group: the nft relay needs a multicast MAC`);
    return [0x33, 0x33, ...six.bytes.slice(12)].map((v) => v.toString(16).padStart(2, '0')).join(':');
  }
  const [a, b, c, d] = octets(group) as [number, number, number, number];
  if (a < 224 || a > 239) throw new Error(`${group} is not an IPv4 multicast group: the nft relay needs a multicast MAC`);
  return ['01', '00', '5e', b & 0x7f, c, d].map((v) => (typeof v === 'string' ? v : v.toString(16).padStart(2, '0'))).join(':');
}

function checkName(name: string, what: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new Error(`bad ${what} "${name}"`);
  return name;
}

function checkMac(mac: string): string {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) throw new Error(`bad MAC address "${mac}"`);
  return mac.toLowerCase();
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad UDP port ${port}`);
  return port;
}

/** A statement and what it costs in expressions, with the protocol it depends on. */
interface Statement {
  text: string;
  expressions: number;
  /** nft adds a 2-expression check once per rule for the first statement on each. */
  needs?: 'ether' | 'ip' | 'ip6' | 'udp';
}

type Header = { mac?: string; dmac?: string; group?: string; port?: number };

/** The statements that turn the frame as it is (`now`) into output `o`'s copy. */
function rewrite(now: Header, o: NftOutput): Statement[] {
  const want: Required<Header> = { mac: checkMac(o.mac), dmac: multicastMac(o.group), group: o.group, port: checkPort(o.port) };
  const out: Statement[] = [];
  if (now.group !== want.group) {
    const protocol = protocolOf(want.group);
    if (protocol !== protocolOf(now.group ?? want.group)) throw new Error(`${now.group} -> ${want.group}: nft cannot translate between IPv4 and IPv6`);
    out.push({ text: `${protocol} daddr set ${want.group}`, expressions: 2, needs: protocol });
  }
  if (now.port !== want.port) out.push({ text: `udp dport set ${want.port}`, expressions: 2, needs: 'udp' });
  if (now.dmac !== want.dmac) out.push({ text: `ether daddr set ${want.dmac}`, expressions: 2, needs: 'ether' });
  if (now.mac !== want.mac) out.push({ text: `ether saddr set ${want.mac}`, expressions: 2, needs: 'ether' });
  Object.assign(now, want);
  return out;
}

/** Packs statements into rules of at most `budget` expressions, a copy's statements never split. */
export function packRules(copies: Statement[][], budget = EXPRESSION_BUDGET): string[] {
  const rules: string[] = [];
  let current: string[] = [];
  let used = 0;
  let seen = new Set<string>();
  const cost = (group: Statement[], deps: Set<string>) => {
    const fresh = new Set(group.flatMap((s) => (s.needs && !deps.has(s.needs) ? [s.needs] : [])));
    return group.reduce((n, s) => n + s.expressions, 0) + 2 * fresh.size;
  };
  for (const group of copies) {
    if (current.length > 0 && used + cost(group, seen) > budget) {
      rules.push(current.join(' '));
      current = [];
      used = 0;
      seen = new Set();
    }
    const c = cost(group, seen);
    if (c > budget) throw new Error(`one copy needs ${c} expressions, over the ${budget} a rule may hold`);
    used += c;
    for (const s of group) if (s.needs) seen.add(s.needs);
    current.push(...group.map((s) => s.text));
  }
  if (current.length > 0) rules.push(current.join(' '));
  return rules;
}

/** The rules of one path's chain: every copy's rewrite and its dup, the last one's fwd. */
export function pathRules(path: NftPath): string[] {
  if (path.outputs.length === 0) throw new Error(`the path ${path.group}:${path.port} on ${path.inputIface} has no outputs`);
  const now: Header = { group: path.group, port: path.port };
  const copies = path.outputs.map((o, i) => {
    const send = i === path.outputs.length - 1 ? 'fwd' : 'dup';
    return [...rewrite(now, o), { text: `${send} to "${checkName(o.iface, 'interface name')}"`, expressions: 2 }];
  });
  return packRules(copies);
}

/** The whole `nft -f` script: one table, a path chain per path, a base chain per input. */
export function nftRelayScript(table: string, paths: readonly NftPath[]): string {
  checkName(table, 'table name');
  const lines = [`table netdev ${table} {`];
  paths.forEach((path, k) => {
    lines.push(`  chain path${k} {`, ...pathRules(path).map((rule) => `    ${rule}`), '  }');
  });
  const inputs = [...new Set(paths.map((p) => checkName(p.inputIface, 'interface name')))];
  for (const iface of inputs) {
    lines.push(`  chain in_${iface.replace(/[.-]/g, '_')} {`, `    type filter hook ingress device "${iface}" priority 0; policy accept;`);
    paths.forEach((p, k) => {
      if (p.inputIface !== iface) return;
      const protocol = protocolOf(p.group);
      if (p.source && protocolOf(p.source) !== protocol) throw new Error(`source ${p.source} is not of the family of ${p.group}`);
      const source = p.source ? ` ${protocol} saddr ${p.source}` : '';
      lines.push(`    ${protocol} daddr ${p.group}${source} udp dport ${checkPort(p.port)} jump path${k}`);
    });
    lines.push('  }');
  }
  lines.push('}', '');
  return lines.join('\n');
}
