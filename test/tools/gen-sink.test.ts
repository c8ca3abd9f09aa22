// mcr-gen to mcr-sink over a veth pair (chain: src eth0 -> relay in0), in namespaces
// this file creates: every datagram arrives, in order, once, intact, for multicast,
// several streams, unicast, source-specific joins and every payload size class.
import t from 'tap';
// The relay namespace has no multicast route (see netns.ts), so sinks there name in0.
import { chain, Lab, rootSkipReason, type Chain } from '../helpers/netns.js';
import { runGen, startSink, type SinkReport } from '../helpers/traffic.js';

const skip = rootSkipReason();
const GROUP = '239.1.1.1';
const PORT = 5000;

function clean(report: SinkReport) {
  const { lost, duplicated, reordered, corrupted, short, foreign, bad_header, out_of_range } = report;
  return { lost, duplicated, reordered, corrupted, short, foreign, bad_header, out_of_range };
}
const CLEAN = { lost: 0, duplicated: 0, reordered: 0, corrupted: 0, short: 0, foreign: 0, bad_header: 0, out_of_range: 0 };

async function topology(t: Parameters<typeof Lab.create>[0], mtu?: number): Promise<Chain> {
  return chain(Lab.create(t), mtu ? { mtu } : {});
}

t.test('multicast: 100,000 datagrams of 1,024 B at 50,000/s all arrive, in order, intact', { skip }, async (t) => {
  const topo = await topology(t);
  const sink = await startSink(topo.relay, {
    group: GROUP, port: PORT, interface: 'in0', expect: 100_000, expectPerStream: 100_000, idleTimeout: 5, rcvbuf: 64 << 20,
  });
  const gen = await runGen(topo.src.ns, { group: GROUP, port: PORT, interface: 'eth0', count: 100_000, rate: 50_000, size: 1024 });
  t.equal(gen.exitCode, 0, gen.stderr);
  t.equal(gen.sent, 100_000);
  t.equal(gen.errors, 0);
  const report = await sink.report;
  t.equal(report.stopped, 'expect');
  t.equal(report.received, 100_000);
  t.equal(report.bytes, 100_000 * 1024);
  t.same(clean(report), CLEAN);
  t.equal(report.socket_drops, 0);
  t.match(report.streams, [{ stream: 0, received: 100_000, first_seq: 0, last_seq: 99_999, max_seq: 99_999 }]);
  t.comment(`gen ${gen.rate.toFixed(0)}/s over ${gen.seconds.toFixed(2)} s, ${gen.retries} retries`);
});

t.test('four streams to four consecutive groups, round-robin, each complete', { skip }, async (t) => {
  const topo = await topology(t);
  const sink = await startSink(topo.relay, { group: GROUP, streams: 4, port: PORT, interface: 'in0', expect: 20_000, expectPerStream: 5000, idleTimeout: 5 });
  const gen = await runGen(topo.src.ns, { group: GROUP, streams: 4, port: PORT, interface: 'eth0', count: 20_000, rate: 40_000, size: 200 });
  t.equal(gen.sent, 20_000);
  const report = await sink.report;
  t.same(clean(report), CLEAN);
  t.same(report.streams.map((s) => [s.stream, s.received, s.last_seq]), [0, 1, 2, 3].map((k) => [k, 5000, 4999]));
  t.same(report.groups.map((g) => [g.group, g.datagrams]), [1, 2, 3, 4].map((d) => [`239.1.1.${d}`, 5000]));
});

t.test('--first-stream numbers the streams from there', { skip }, async (t) => {
  const topo = await topology(t);
  const sink = await startSink(topo.relay, { group: GROUP, streams: 2, port: PORT, interface: 'in0', firstStream: 7, expectPerStream: 10, expect: 20 });
  await runGen(topo.src.ns, { group: GROUP, streams: 2, firstStream: 7, port: PORT, count: 20, rate: 0, size: 100 });
  const report = await sink.report;
  t.same(report.streams.map((s) => [s.stream, s.received, s.lost]), [[7, 10, 0], [8, 10, 0]]);
});

t.test('unicast: the sink binds the address and all arrive', { skip }, async (t) => {
  const topo = await topology(t);
  const sink = await startSink(topo.relay, { group: topo.in0.address, port: PORT, expect: 10_000, expectPerStream: 10_000 });
  const gen = await runGen(topo.src.ns, { group: topo.in0.address, port: PORT, count: 10_000, rate: 20_000, size: 512 });
  t.equal(gen.exitCode, 0, gen.stderr);
  const report = await sink.report;
  t.equal(report.received, 10_000);
  t.same(clean(report), CLEAN);
  t.same(report.groups, [{ group: topo.in0.address, port: PORT, datagrams: 10_000, bytes: 10_000 * 512, short: 0 }]);
});

t.test('payload sizes 0, 1, 23 (short), 24, 1472 and 8972 over an MTU-9000 veth', { skip }, async (t) => {
  const topo = await topology(t, 9000);
  for (const size of [0, 1, 23, 24, 1472, 8972]) {
    const sink = await startSink(topo.relay, { group: GROUP, port: PORT, interface: 'in0', expect: 500 });
    const gen = await runGen(topo.src.ns, { group: GROUP, port: PORT, interface: 'eth0', count: 500, rate: 20_000, size });
    t.equal(gen.sent, 500, `size ${size}: all sent`);
    const report = await sink.report;
    t.same(report.groups, [{ group: GROUP, port: PORT, datagrams: 500, bytes: 500 * size, short: size < 24 ? 500 : 0 }], `size ${size}: counted on its group`);
    if (size < 24) {
      t.equal(report.short, 500, `size ${size}: all short, none attributed`);
      t.equal(report.received, 0);
    } else {
      t.same(clean(report), CLEAN, `size ${size}: intact`);
      t.equal(report.received, 500);
    }
  }
});

t.test('a source-specific join gets its source only', { skip }, async (t) => {
  const topo = await topology(t);
  const right = await startSink(topo.relay, { group: GROUP, port: PORT, interface: 'in0', source: topo.src.address, idleTimeout: 1 });
  const wrong = await startSink(topo.relay, { group: GROUP, port: PORT, interface: 'in0', source: '10.1.0.99', idleTimeout: 1 });
  await runGen(topo.src.ns, { group: GROUP, port: PORT, interface: 'eth0', count: 100, rate: 10_000, size: 100 });
  t.equal((await right.report).received, 100, 'joined for the sender: all');
  t.equal((await wrong.report).datagrams, 0, 'joined for another source: none');
});

t.test('a sink stops on SIGTERM with its report, and on idle', { skip }, async (t) => {
  const topo = await topology(t);
  const sink = await startSink(topo.relay, { group: GROUP, port: PORT, interface: 'in0', idleTimeout: 30 });
  await runGen(topo.src.ns, { group: GROUP, port: PORT, interface: 'eth0', count: 10, rate: 0, size: 64 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const report = await sink.stop();
  t.equal(report.stopped, 'signal');
  t.equal(report.received, 10);
  const idle = await startSink(topo.relay, { group: GROUP, port: PORT, interface: 'in0', idleTimeout: 0.3 });
  t.equal((await idle.report).stopped, 'idle');
});

t.test('IPv6: four streams to ff0e::1:1.., a link-scope group with its interface, and a unicast address, all arrive intact', { skip }, async (t) => {
  const topo = await chain(Lab.create(t), { ipv6: true });
  const multicast = await startSink(topo.relay, { group: 'ff0e::1:1', streams: 4, port: PORT, interface: 'in0', expect: 4000, expectPerStream: 1000 });
  const gen = await runGen(topo.src.ns, { group: 'ff0e::1:1', streams: 4, port: PORT, interface: 'eth0', count: 4000, rate: 20_000, size: 1200 });
  t.equal(gen.exitCode, 0, gen.stderr);
  const report = await multicast.report;
  t.same(clean(report), CLEAN);
  t.same(report.groups.map((g) => [g.group, g.datagrams]), [1, 2, 3, 4].map((d) => [`ff0e::1:${d}`, 1000]), 'each on its own group, in canonical text');

  const link = await startSink(topo.relay, { group: 'ff02::fb', port: 5353, interface: 'in0', expect: 500, expectPerStream: 500 });
  t.equal((await runGen(topo.src.ns, { group: 'ff02::fb', port: 5353, interface: 'eth0', count: 500, rate: 10_000, size: 100 })).sent, 500);
  t.same(clean(await link.report), CLEAN, 'ff02::fb on the interface given');

  const address = topo.in0.address6 ?? '';
  const unicast = await startSink(topo.relay, { group: address, port: PORT, expect: 1000, expectPerStream: 1000 });
  t.equal((await runGen(topo.src.ns, { group: address, port: PORT, count: 1000, rate: 10_000, size: 512 })).sent, 1000);
  const bound = await unicast.report;
  t.same(clean(bound), CLEAN);
  t.same(bound.groups, [{ group: address, port: PORT, datagrams: 1000, bytes: 1000 * 512, short: 0 }]);
});
