// SMPTE ST 2022-7 merge with workers = 2: one RTP stream sent on two paths at 10,000
// datagrams per second for 30 s (mcr gen --second-interface), each path losing 2 % at
// random on the sender's egress (nftables numgen random, independently per path). The
// loss logs are plain sockets on the relay's two inputs. The receiver misses exactly the
// numbers lost on both paths, gets none twice, and the per-path counters add up.
import t from 'tap';
import { dropOnEgress, nftSkipReason } from '../helpers/loss.js';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay } from '../helpers/relay.js';
import { receiveRtp } from '../helpers/rtp.js';
import { runGen } from '../helpers/traffic.js';
import { REDUNDANT_KEY, redundantRule, twoPaths } from '../helpers/two-paths.js';

const skip = rootSkipReason() || nftSkipReason() || (process.env.MCR_SKIP_LONG ? 'MCR_SKIP_LONG is set' : false);
const RATE = 10_000;
const SECONDS = 30;
const COUNT = RATE * SECONDS;
const WINDOW = 1024; // mcr counts a number lost once this many later ones have come

t.test('2022-7 merge on 2 workers: two paths each losing 2 % at random at 10,000 pps for 30 s; the receiver misses only what both lost, never gets a duplicate, and the per-path counters add up', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await twoPaths(lab);
  const relay = await startRelay(net.relay, { workers: 2 });
  // The window outlasts a worker's scheduling stalls on this shared two-core machine:
  // stamps read from the second path's ring never count as earlier than the first's, so
  // a worker kept off its core longer than the window takes that path's copies as late.
  const status = await relay.apply(...redundantRule('merge', 200, 'merge_window_ms = 500'));
  t.equal(status[0]?.state, 'active');
  const range = { since: 0, until: COUNT - 1, idle: 2, duration: SECONDS + 20 };
  const logs = await Promise.all(net.paths.map((path) => receiveRtp(net.relay, { group: '239.1.1.1', port: 5000, interface: path.iface, ...range })));
  const receiver = await receiveRtp(net.rx, { group: '239.2.2.2', port: 5000, interface: 'eth0', ...range });
  const losses = await Promise.all(['eth0', 'eth1'].map((iface) => dropOnEgress(net.src, iface, 5000, 'numgen random mod 50 == 0')));
  const sent = await runGen(net.src, { group: '239.1.1.1', port: 5000, interface: 'eth0', secondInterface: 'eth1', payload: 'rtp', size: 200, count: COUNT, rate: RATE, durationLimit: SECONDS + 15 });
  const [log0, log1] = await Promise.all(logs.map((log) => log.report));
  const got = await receiver.report;
  const dropped = await Promise.all(losses.map((loss) => loss.dropped()));
  const counters = (await relay.counters()).rules[REDUNDANT_KEY];
  const paths = counters?.paths ?? [];
  if (!log0 || !log1) throw new Error('no loss log');
  const both = log0.missing.filter((n) => new Set(log1.missing).has(n));
  t.comment(`sent ${COUNT} per path in ${sent.seconds.toFixed(1)} s; dropped ${dropped.join(' and ')}; lost on both ${both.length}; receiver got ${got.received}, missed ${got.missing.length}, duplicates ${got.duplicates} ${JSON.stringify((got as unknown as { duplicate_list: number[] }).duplicate_list)}; paths ${JSON.stringify(paths)}`);
  t.equal(sent.sent + (sent.refused ?? 0), COUNT, 'the primary path was given every datagram');
  t.equal((sent.second?.sent ?? 0) + (sent.second?.refused ?? 0), COUNT, 'and the second path too');
  t.same([sent.refused, sent.second?.refused], dropped, "each path's sender saw exactly its chain's drops");
  for (const [i, log] of [log0, log1].entries()) {
    t.equal(log.overflow, 0, `loss log ${i} kept up`);
    t.equal(log.missing.length, dropped[i], `loss log ${i}: what path ${i} lost is what its chain dropped`);
    t.ok(log.missing.length > COUNT * 0.015 && log.missing.length < COUNT * 0.025, `path ${i} lost about 2 % (${log.missing.length})`);
  }
  t.same(got.missing, both, 'the receiver misses exactly the numbers lost on both paths');
  t.equal(got.duplicates, 0, 'never a duplicate');
  t.equal(got.received, COUNT - both.length);
  // The per-path counters.
  t.equal(counters?.packets, (paths[0]?.received ?? 0) + (paths[1]?.received ?? 0), 'the rule took what both paths brought');
  t.equal((paths[0]?.used ?? 0) + (paths[1]?.used ?? 0), got.received, 'used over both paths = what the receiver got');
  for (const [i, log] of [log0, log1].entries()) {
    const path = paths[i];
    t.equal(path?.received, COUNT - (dropped[i] ?? 0), `path ${i}: received`);
    t.equal((path?.used ?? 0) + (path?.duplicate ?? 0) + (path?.late ?? 0), path?.received, `path ${i}: used + duplicate + late = received`);
    t.equal(path?.late, 0, `path ${i}: none late (symmetric paths)`);
    const counted = log.missing.filter((n) => n >= (log.first ?? 0) && n <= (log.last ?? 0) - WINDOW).length;
    t.equal(path?.lost, counted, `path ${i}: lost = its log's losses more than ${WINDOW} before its newest`);
  }
  t.equal(counters?.rtp_duplicates, 0);
  t.equal(counters?.rtp_lost, both.filter((n) => n <= COUNT - 1 - WINDOW).length, "the merged stream's loss is what both paths lost");
  await relay.close();
});
