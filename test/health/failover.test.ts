// Failover with workers = 2: one RTP stream sent on two paths (mcr gen
// --second-interface); the primary path goes silent mid-stream (its sender's egress
// drops everything, nftables), and comes back. The receiver's stream goes on from the
// backup within timeout_ms + 50 ms with no sequence number twice; from the switch on,
// every datagram of the backup is relayed; mcr goes back to the primary
// revert_after_ms after it returned, at a sequence boundary (nothing twice, nothing
// skipped), and the per-path counters add up to what was relayed.
import t from 'tap';
import { dropOnEgress, nftSkipReason } from '../helpers/loss.js';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay, type CountersReply } from '../helpers/relay.js';
import { receiveRtp } from '../helpers/rtp.js';
import { startGen } from '../helpers/traffic.js';
import { REDUNDANT_KEY, redundantRule, twoPaths } from '../helpers/two-paths.js';

const skip = rootSkipReason() || nftSkipReason();
const RATE = 1000;
const TIMEOUT_MS = 100;
const REVERT_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('failover on 2 workers: the primary path goes silent, the stream goes on from the backup within timeout_ms + 50 ms with no duplicate; mcr reverts revert_after_ms after the primary is back', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await twoPaths(lab);
  const relay = await startRelay(net.relay, { workers: Number(process.env.W ?? 2) });
  const status = await relay.apply(...redundantRule('failover', TIMEOUT_MS, `revert_after_ms = ${REVERT_MS}`));
  t.equal(status[0]?.state, 'active');
  const receiver = await receiveRtp(net.rx, { group: '239.2.2.2', port: 5000, interface: 'eth0', idle: 1, arrivals: true, since: 0 });
  const gen = startGen(net.src, { group: '239.1.1.1', port: 5000, interface: 'eth0', secondInterface: 'eth1', payload: 'rtp', size: 200, rate: RATE, durationLimit: 30 });
  const paths = async () => ((await relay.counters()) as CountersReply).rules[REDUNDANT_KEY]?.paths ?? [];
  await sleep(1000);
  t.same((await paths()).map((path) => path.active), [1, 0], 'the primary is relayed');
  // The primary goes silent.
  const cut = await dropOnEgress(net.src, 'eth0', 5000, '');
  await sleep(1000);
  t.same((await paths()).map((path) => path.active), [0, 1], 'the backup is relayed');
  // It comes back; mcr waits revert_after_ms before it goes back to it.
  const dropped = await cut.dropped();
  await cut.remove();
  const back = Date.now();
  let reverted = 0;
  while (Date.now() - back < REVERT_MS + 1000) {
    if ((await paths())[0]?.active === 1) {
      reverted = Date.now() - back;
      break;
    }
    await sleep(20);
  }
  await sleep(500);
  // Before the stream ends: when both paths stop, the primary's last copy is a little
  // earlier, and the backup may be taken for the one still alive.
  const switches = (await relay.counters()).rules[REDUNDANT_KEY]?.switches;
  const sent = await gen.stop();
  const report = await receiver.report;
  const counters = (await relay.counters()).rules[REDUNDANT_KEY];
  const [primary, backup] = counters?.paths ?? [];
  const total = sent.sent + (sent.refused ?? 0);
  t.comment(`sent ${total} per path; primary dropped ${dropped}; receiver got ${report.received}, missing ${report.missing.length} (${report.missing[0]}..${report.missing.at(-1)}), longest gap ${report.longest_gap_ms.toFixed(1)} ms; reverted after ${reverted} ms; paths ${JSON.stringify(counters?.paths)}`);
  t.equal(sent.second?.sent, total, 'the backup path carried every datagram');
  t.ok(dropped > 0 && (sent.refused ?? 0) >= dropped, "the primary's sender saw its silence as datagrams refused");
  t.equal(report.duplicates, 0, 'no sequence number twice');
  t.equal(report.reordered, 0);
  // The silence at the receiver around the switch: from the last number relayed from the
  // primary to the first from the backup.
  const arrivals = new Map((report.arrivals ?? []).map(([n, ms]) => [n, ms]));
  const firstMissing = report.missing[0] ?? 0;
  const silence = (arrivals.get(firstMissing + report.missing.filter((n, i) => n === firstMissing + i).length) ?? NaN) - (arrivals.get(firstMissing - 1) ?? NaN);
  t.ok(silence <= TIMEOUT_MS + 50, `the stream went on from the backup ${silence.toFixed(1)} ms after the primary's last datagram (within timeout_ms + 50 ms)`);
  // What is missing is one run: the primary's silence until the switch. From the switch
  // on, every datagram the backup brought was relayed, and at the revert nothing either.
  const missing = report.missing;
  const runs: [number, number][] = [];
  for (const n of missing) {
    const last = runs.at(-1);
    if (last && last[1] === n - 1) last[1] = n;
    else runs.push([n, n]);
  }
  t.comment(`missing runs: ${JSON.stringify(runs)}`);
  t.ok(missing.length > 0 && missing.length <= ((TIMEOUT_MS + 50) * RATE) / 1000, `${missing.length} datagrams lost while the primary's silence was noticed`);
  t.same(missing, Array.from({ length: missing.length }, (_, i) => (missing[0] ?? 0) + i), 'one unbroken run of numbers');
  t.equal(report.last, total - 1, 'the stream reached its end');
  t.equal(report.received, total - missing.length);
  t.ok(reverted >= REVERT_MS - 20 && reverted <= REVERT_MS + 300, `reverted ${reverted} ms after the primary came back`);
  t.equal(switches, 2, 'two switches: away and back');
  t.equal(counters?.packets, (primary?.received ?? 0) + (backup?.received ?? 0), 'the rule took what both paths brought');
  t.equal((primary?.used ?? 0) + (backup?.used ?? 0), report.received, 'what the paths had relayed is what the receiver got');
  for (const path of [primary, backup]) t.equal((path?.used ?? 0) + (path?.duplicate ?? 0), path?.received, 'each path: used + dropped = received');
  t.equal(primary?.received, total - (sent.refused ?? 0), "the primary's received = sent - its silence");
  t.equal(backup?.received, total);
  t.equal(counters?.rtp_duplicates, 0, 'the relayed stream has no duplicate');
  await relay.close();
});
