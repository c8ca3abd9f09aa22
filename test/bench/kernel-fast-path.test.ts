// The bench's kernel fast path (an nftables netdev ingress chain that rewrites and
// sends with dup/fwd) relays what it claims, checked at real receivers: every copy
// arrives with its own output's Ethernet source, the group's multicast MAC, its own
// group and port, and IP and UDP checksums that verify (the sender computes full
// checksums, so the relay's incremental fix is what is checked), across rules split by
// the kernel's 128-expression limit. Needs root, nft, tcpdump and ethtool.
import t from 'tap';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandFound, probes } from '../../bench/lib/probes.js';
import { ScriptHost } from '../../bench/lib/host.js';
import { multicastMac, nftRelayScript, pathRules } from '../../bench/lib/nft-script.js';
import { nftRelay } from '../../bench/lib/nft-relay.js';
import { chain, fan, Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { runGen, startSink } from '../helpers/traffic.js';

function skipReason(): string | false {
  const root = rootSkipReason();
  if (root) return root;
  const nft = probes.nft();
  if (!nft.ok) return `the kernel fast path cannot run here: ${nft.reason}: ${nft.detail}`;
  const missing = ['tcpdump', 'ethtool'].filter((c) => !commandFound(c));
  return missing.length > 0 ? `needs ${missing.join(' and ')} to check frames at the receiver` : false;
}
const skip = skipReason();

interface Frame {
  dmac: string;
  smac: string;
  dst: string;
  dport: number;
  ipChecksumOk: boolean;
  udpChecksumOk: boolean;
  udpChecksum: number;
}

const mac = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** One's complement sum of 16-bit words, folded. */
function onesSum(...parts: Buffer[]): number {
  let sum = 0;
  for (const p of parts) for (let i = 0; i < p.length; i += 2) sum += (p[i] as number) * 256 + (i + 1 < p.length ? (p[i + 1] as number) : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The IPv4/UDP frames of a pcap file (Ethernet link type), their headers checked. */
function readPcap(file: Buffer): Frame[] {
  if (file.readUInt32LE(0) !== 0xa1b2c3d4 || file.readUInt32LE(20) !== 1) throw new Error('not a little-endian Ethernet pcap');
  const frames: Frame[] = [];
  for (let at = 24; at + 16 <= file.length; ) {
    const length = file.readUInt32LE(at + 8);
    const f = file.subarray(at + 16, at + 16 + length);
    at += 16 + length;
    if (f.length < 42 || f.readUInt16BE(12) !== 0x0800) continue;
    const ihl = ((f[14] as number) & 0x0f) * 4;
    const ip = f.subarray(14, 14 + ihl);
    if (ip[9] !== 17) continue;
    const udpLength = f.readUInt16BE(14 + ihl + 4);
    const udp = f.subarray(14 + ihl, 14 + ihl + udpLength);
    const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 17]), udp.subarray(4, 6)]);
    const udpChecksum = udp.readUInt16BE(6);
    frames.push({
      dmac: mac(f.subarray(0, 6)),
      smac: mac(f.subarray(6, 12)),
      dst: [...ip.subarray(16, 20)].join('.'),
      dport: udp.readUInt16BE(2),
      ipChecksumOk: onesSum(ip) === 0xffff,
      udpChecksumOk: udpChecksum === 0 || onesSum(pseudo, udp) === 0xffff,
      udpChecksum,
    });
  }
  return frames;
}

/** tcpdump on one interface until it has `count` UDP frames; resolves with them. */
async function capture(ns: Netns, iface: string, file: string, count: number): Promise<() => Promise<Frame[]>> {
  const child = ns.spawn('tcpdump', ['-i', iface, '-n', '-U', '-c', String(count), '-w', file, 'udp'], { timeoutMs: 30_000 });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('listening on')) resolve();
    });
    void child.then((r) => reject(new Error(`tcpdump ended before listening: ${r.stderr}`)));
  });
  return async () => {
    await child;
    return readPcap(await readFile(file));
  };
}

t.test('each copy leaves with its own output MAC, group MAC, group and port, and checksums that verify, across split rules', { skip }, async (t) => {
  const width = 40;
  const lab = Lab.create(t);
  const f = await fan(lab, width);
  const dir = await mkdtemp(join(tmpdir(), 'mcr-bench-nft-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // Full checksums from the sender: the relay's incremental update is then what arrives.
  const off = await f.src.ns.run('ethtool', ['-K', f.src.iface, 'tx', 'off']);
  t.equal(off.exitCode, 0, `ethtool -K tx off: ${off.stderr}`);
  const links = new Map((await f.relay.links()).map((l) => [l.name, l.mac]));
  const outputs = f.outs.map((o, i) => ({ iface: o.iface, mac: links.get(o.iface) as string, group: `239.2.0.${i + 1}`, port: 6000 + i }));
  const path = { inputIface: f.in0.iface, group: '239.1.1.1', port: 5000, outputs };
  t.ok(pathRules(path).length >= 3, `${width} fully rewritten copies take several rules (${pathRules(path).length})`);
  const script = join(dir, 'relay.nft');
  await writeFile(script, nftRelayScript('mcrbenchtest', [path]));
  const loaded = await f.relay.run('nft', ['-f', script]);
  t.equal(loaded.exitCode, 0, `nft -f: ${loaded.stderr}`);

  const count = 200;
  const sinks = await Promise.all(
    outputs.map((o, i) => startSink(f.rxs[i]?.ns as Netns, { group: o.group, port: o.port, interface: f.rxs[i]?.iface, expect: count, expectPerStream: count, idleTimeout: 60 })),
  );
  const watched = [0, 13, 14, width - 1];
  const captures = await Promise.all(watched.map((i) => capture(f.rxs[i]?.ns as Netns, f.rxs[i]?.iface as string, join(dir, `rx${i}.pcap`), 5)));
  const gen = await runGen(f.src.ns, { group: '239.1.1.1', port: 5000, interface: f.src.iface, count, rate: 2_000, size: 1400 });
  t.equal(gen.sent, count);
  const reports = await Promise.all(sinks.map((s) => s.report));
  reports.forEach((r, i) => {
    t.same([r.received, r.lost, r.duplicated, r.reordered, r.corrupted], [count, 0, 0, 0, 0], `receiver ${i} got every datagram of its own group and port, intact`);
  });
  for (const [k, i] of watched.entries()) {
    const frames = await (captures[k] as () => Promise<Frame[]>)();
    const o = outputs[i] as (typeof outputs)[number];
    t.equal(frames.length, 5, `rx${i}: captured`);
    t.same(
      [...new Set(frames.map((x) => JSON.stringify([x.smac, x.dmac, x.dst, x.dport, x.ipChecksumOk, x.udpChecksumOk])))],
      [JSON.stringify([o.mac, multicastMac(o.group), o.group, o.port, true, true])],
      `rx${i}: source MAC of out${i}, ${multicastMac(o.group)}, ${o.group}:${o.port}, both checksums verify`,
    );
    t.ok(frames.every((x) => x.udpChecksum !== 0), `rx${i}: the UDP checksum is present, not zeroed`);
  }
});

t.test('the nft relay installs on a chain, relays intact, and its table is gone after close', { skip }, async (t) => {
  const host = new ScriptHost();
  t.teardown(() => host.close());
  const lab = Lab.create(t);
  const c = await chain(lab);
  const kind = nftRelay();
  const installed = await kind.install(host, c.relay, [{ input: c.in0, source: c.src.address, group: '239.1.1.1', outputs: [{ via: c.out0, group: '239.2.2.2' }] }]);
  const deliver = async () => {
    const sink = await startSink(c.rx.ns, { group: '239.2.2.2', port: 5000, interface: c.rx.iface, expect: 1000, expectPerStream: 1000, idleTimeout: 1 });
    await runGen(c.src.ns, { group: '239.1.1.1', port: 5000, interface: c.src.iface, count: 1000, rate: 10_000, size: 64 });
    return sink.report;
  };
  const first = await deliver();
  t.same([first.received, first.lost, first.corrupted], [1000, 0, 0], 'relayed 1,000 of 1,000, intact');
  t.same(installed.pids(), [], 'no process does the work');
  await installed.close();
  const tables = await c.relay.run('nft', ['list', 'tables']);
  t.notMatch(tables.stdout, /mcrbench/, 'its table is deleted');
  const after = await deliver();
  t.equal(after.received, 0, 'nothing is relayed after close');
});
