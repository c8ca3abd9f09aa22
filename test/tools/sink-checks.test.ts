// mcr-sink's verdicts, driven by exactly chosen datagrams: frames built here (with the
// TypeScript mirror of the payload format) and injected with mcr-inject, plus gen runs
// with a known shortfall. Checks loss, duplicates, reordering, corruption and the
// counters for datagrams that cannot be attributed.
import t from 'tap';
import { chain, Lab, rootSkipReason, type Chain } from '../helpers/netns.js';
import { inject, runGen, startSink, type SinkOptions, type SinkReport } from '../helpers/traffic.js';
import { macFromText, udpFrame } from '../helpers/frames.js';
import { encodePayload, HEADER_SIZE } from '../helpers/payload.js';

const skip = rootSkipReason();
const GROUP = '239.2.2.2';
const PORT = 6000;

/** Injects UDP payloads from src to GROUP and returns the sink's report. */
async function deliver(topo: Chain, payloads: Buffer[], sink: Partial<SinkOptions> = {}): Promise<SinkReport> {
  const running = await startSink(topo.relay, { group: GROUP, port: PORT, interface: 'in0', expect: payloads.length, idleTimeout: 2, ...sink });
  const srcMac = await topo.src.ns.mac('eth0');
  const frames = payloads.map((payload) =>
    udpFrame(macFromText(srcMac), topo.src.address, GROUP, PORT, payload),
  );
  const sent = await inject(topo.src.ns, 'eth0', frames);
  if (sent.sent !== frames.length) throw new Error(`injected ${sent.sent} of ${frames.length}`);
  return running.report;
}

const payload = (seq: number, size = 100, stream = 0) => encodePayload({ stream, seq, size });

t.test('a payload built by the TypeScript encoder is intact for the sink', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  const report = await deliver(topo, [payload(0), payload(1, 1400, 3)]);
  t.equal(report.received, 2);
  t.equal(report.corrupted, 0);
  t.same(report.streams.map((s) => [s.stream, s.received]), [[0, 1], [3, 1]]);
});

t.test('lost, duplicated and reordered follow their definitions', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  // Sequence 6 never comes; 3 comes late (after 5) and twice; 8 and 9 never come.
  const order = [0, 1, 2, 4, 5, 3, 3, 7];
  const report = await deliver(topo, order.map((seq) => payload(seq)), { expectPerStream: 10 });
  t.match(report.streams, [{ stream: 0, received: 8, duplicated: 1, reordered: 1, lost: 3, first_seq: 0, last_seq: 7, max_seq: 7 }]);
  t.equal(report.lost, 3, 'expected 10, distinct 7');
});

t.test('without --expect-per-stream only gaps below the highest sequence count as lost', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  const report = await deliver(topo, [0, 2, 5].map((seq) => payload(seq)));
  t.match(report.streams, [{ received: 3, lost: 3, reordered: 0, duplicated: 0 }]);
});

t.test('a gen that sends fewer than the sink expects shows the difference as lost', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  const sink = await startSink(topo.relay, { group: GROUP, streams: 3, port: PORT, interface: 'in0', expectPerStream: 1200, idleTimeout: 1 });
  const gen = await runGen(topo.src.ns, { group: GROUP, streams: 3, port: PORT, interface: 'eth0', count: 3000, rate: 30_000, size: 300 });
  t.equal(gen.sent, 3000);
  const report = await sink.report;
  t.equal(report.received, 3000);
  t.equal(report.lost, 600, '3 streams x (1200 - 1000)');
  t.same(report.streams.map((s) => s.lost), [200, 200, 200]);
});

t.test('one wrong fill byte under a valid header is corrupted, and still counted received', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  const bad = payload(1, 500);
  bad[HEADER_SIZE + 300] = (bad[HEADER_SIZE + 300]! + 1) & 0xff;
  const report = await deliver(topo, [payload(0, 500), bad, payload(2, 500)]);
  t.match(report, { received: 3, corrupted: 1, lost: 0, foreign: 0, bad_header: 0 });
  t.match(report.streams, [{ received: 3, corrupted: 1 }]);
});

t.test('a size differing from the header is corrupted; bad checksums, strangers and stubs are set apart', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  const truncated = payload(0, 500).subarray(0, 400); // header still says 500
  const badChecksum = payload(1, 100);
  badChecksum[8] = 0xff; // the sequence, after the checksum was computed
  const foreign = Buffer.alloc(100, 0x42);
  const stub = payload(2, 10);
  const report = await deliver(topo, [truncated, badChecksum, foreign, stub]);
  t.match(report, { datagrams: 4, received: 1, corrupted: 1, bad_header: 1, foreign: 1, short: 1 });
  t.same(report.groups, [{ group: GROUP, port: PORT, datagrams: 4, bytes: 400 + 100 + 100 + 10, short: 1 }]);
});

t.test('sequences and streams beyond the caps count out of range instead of growing', { skip }, async (t) => {
  const topo = await chain(Lab.create(t));
  const report = await deliver(topo, [payload(0), payload(1000), payload(0, 100, 1), payload(0, 100, 2)], { maxSeq: 1000, maxStreams: 2 });
  t.equal(report.out_of_range, 2, 'seq 1000 >= --max-seq, stream 2 beyond --max-streams');
  t.equal(report.received, 2);
});
