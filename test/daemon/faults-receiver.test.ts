// Fault: a receiver stops reading for a while with a tiny socket buffer, so its kernel
// drops what does not fit. The drops show where they happen (that receiver's socket:
// SO_RXQ_OVFL and /proc/net/snmp RcvbufErrors in its namespace), the relay sends every
// datagram without an error and keeps going, and the other receiver gets everything.
import t from 'tap';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { fanout, Lab, rootSkipReason } from '../helpers/netns.js';
import { pidsIn, udpCounters } from '../helpers/proc.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const RATE = 20_000;
const COUNT = 80_000; // 4 s
const STALLED_MS = 1_500;
const TINY_RCVBUF = 4_096; // the sink's smallest: a handful of datagrams
const AFTER_RATE = 1_000;
const AFTER_COUNT = 1_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

t.test('a stalled receiver with a tiny buffer drops at its socket; the relay and the other receiver carry on', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await fanout(lab, 2);
  await writeConfig(join(dir, 'mcr.toml'), [
    ...daemonSection(dir),
    rule('feed', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'out1 239.2.2.1:5000'),
  ]);
  const mcrd = await startMcrd(net.relay, dir);
  const [fastNs, slowNs] = [net.rxs[0]!.ns, net.rxs[1]!.ns];
  const options = { group: '239.2.2.1', port: 5000, idleTimeout: 2, durationLimit: 60 };
  const fast = await startSink(fastNs, { ...options, expect: COUNT + AFTER_COUNT });
  const slow = await startSink(slowNs, { ...options, rcvbuf: TINY_RCVBUF });
  const [slowPid] = await pidsIn(slowNs);
  t.ok(slowPid, 'the slow sink is the one process in its namespace');
  const udpBefore = await udpCounters(slowNs);
  const gen = runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: RATE, size: 256 });
  let genDone = false;
  void gen.then(() => (genDone = true));

  await delay(1_000);
  process.kill(slowPid!, 'SIGSTOP'); // it reads nothing; its buffer fills at once
  await delay(STALLED_MS);
  const stalledStats = await mcrd.stats();
  process.kill(slowPid!, 'SIGCONT');
  t.notOk(genDone, 'the traffic outlasted the stall');
  t.equal((await gen).sent, COUNT);
  // Then a gentle stream, to see the stalled receiver receive again.
  const after = { group: '239.1.1.1', port: 5000, count: AFTER_COUNT, rate: AFTER_RATE, size: 256, firstStream: 1 };
  t.equal((await runGen(net.src.ns, after)).sent, AFTER_COUNT);

  const fastReport = await fast.report;
  t.match(fastReport.streams[0], perfect(COUNT), 'the other receiver got everything');
  t.match(fastReport.streams[1], perfect(AFTER_COUNT), 'and everything after');
  const report = await slow.report;
  const [during, later] = [report.streams[0], report.streams[1]];
  const dropped = COUNT - (during?.received ?? 0) + AFTER_COUNT - (later?.received ?? 0);
  const udp = await udpCounters(slowNs);
  const rcvbufErrors = udp.RcvbufErrors! - udpBefore.RcvbufErrors!;
  t.ok(dropped > 0, `the stalled receiver missed ${dropped} datagrams`);
  t.equal(report.socket_drops, dropped, 'every one a drop its socket counted (SO_RXQ_OVFL)');
  t.equal(rcvbufErrors, dropped, "and the kernel's RcvbufErrors in its namespace say the same");
  t.ok((later?.received ?? 0) > 0, `it receives again once it reads (${later?.received ?? 0} of ${AFTER_COUNT} later datagrams)`);
  t.match(report, { duplicated: 0, reordered: 0, corrupted: 0 });

  const stats = await mcrd.waitForStats((s) => s.rules[0]?.pps === 0 && s.rules[0].packets === COUNT + AFTER_COUNT);
  t.equal(stats.daemon.pid, mcrd.pid, 'the same mcrd');
  for (const output of stats.rules[0]!.outputs) {
    t.match(output, { packets: COUNT + AFTER_COUNT, errors: 0, drops: 0 }, `${output.interface}: the relay sent every datagram; a receiver's drops are not its own`);
  }
  t.ok(stalledStats.rules[0]!.pps > 0, `the relay kept relaying during the stall (${Math.round(stalledStats.rules[0]!.pps)} pps)`);
  t.comment(`receiver stalled ${STALLED_MS} ms with SO_RCVBUF ${TINY_RCVBUF}: missed ${dropped}, socket_drops ${report.socket_drops}, RcvbufErrors +${rcvbufErrors}; other receiver lost ${fastReport.lost}`);
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
