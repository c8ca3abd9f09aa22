// Loss before mcr can see it: the kernel's input backlog on the worker's CPU overflows
// (/proc/net/softnet_stat's dropped column), and the stats file, the Prometheus file and
// `mcr stats` say so; with traffic the CPU drains, they report none.
//
// How the drops are provoked, and why it is safe on a shared machine: the relay's input
// veth (in0, inside this test's own relay namespace) steers its receive work to CPU 1
// with RPS, mcrd's one worker is pinned to CPU 1, and a generator pinned to CPU 0 sends
// as fast as it can, bounded in count and time. CPU 1 then receives, taps and relays
// every datagram while CPU 0 only sends them, so CPU 1's backlog (1000 packets by
// default) overflows. No global setting is changed: RPS is a property of our own veth,
// gone with the namespace; netdev_max_backlog is left alone. Other work on this machine
// could add drops on CPU 1 of its own, so the quiet phase asserts mcrd's own delta since
// it started (0 over a short window), not the kernel's total.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MCR, run, tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { runGen, startSink } from '../helpers/traffic.js';
import { parseExposition, valueOf } from '../stats/prometheus-format.js';

const skip = rootSkipReason() || (cpus().length < 2 ? 'needs two CPUs: the worker and its input on one, the sender on the other' : false);
const KERNEL_LINE = /^(\S+) packets? (?:was|were) dropped by the kernel before mcr could read them \(softnet backlog on CPU 1\)/m;

t.test("backlog drops on the worker's CPU show in the stats file, Prometheus and mcr stats when they happen, and not otherwise", { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const result = await net.relay.run('sh', ['-c', 'echo 2 > /sys/class/net/in0/queues/rx-0/rps_cpus']);
  t.equal(result.exitCode, 0, `RPS on in0 to CPU 1 ${result.stderr}`);
  const prometheus = join(dir, 'mcr.prom');
  await writeConfig(join(dir, 'mcr.toml'), [
    ...daemonSection(dir, ['cpus = [1]', `prometheus_file = "${prometheus}"`]),
    rule('flood', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'),
  ]);
  const mcrd = await startMcrd(net.relay, dir);
  const sender = Object.create(net.src.ns) as typeof net.src.ns;
  sender.run = (command, args, options) => net.src.ns.run('taskset', ['-c', '0', command, ...args], options);

  // Quiet: 2,000 datagrams at 2,000 pps, which CPU 1 drains.
  const quietSink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: 2_000, idleTimeout: 2 });
  await runGen(sender, { group: '239.1.1.1', port: 5000, count: 2_000, rate: 2_000, size: 64 });
  const quiet = await quietSink.report;
  let stats = await mcrd.waitForStats((s) => s.rules[0]?.packets === quiet.received && s.rules[0].pps === 0);
  t.equal(quiet.received, 2_000, 'the quiet traffic all arrived');
  t.same(stats.daemon.cpus, [1], 'the worker runs on CPU 1');
  t.equal(stats.totals.softnet_dropped, 0, 'no backlog drops in the totals');
  t.equal(stats.workers[0]?.softnet_dropped, 0, 'nor on the worker');
  t.equal(valueOf(parseExposition(await readFile(prometheus, 'utf8')), 'mcr_softnet_dropped_total', { cpu: '1' }), 0, 'Prometheus: 0');
  let table = await run(MCR, ['stats', '--file', mcrd.statsFile]);
  t.notMatch(table.stdout, /dropped by the kernel/, 'mcr stats says nothing of the kernel');

  // Flood: as fast as CPU 0 can send, at most 400,000 datagrams or 10 s.
  const before = (await readFile('/proc/net/softnet_stat', 'utf8')).trim().split('\n').length;
  t.ok(before >= 2, 'the kernel lists both CPUs');
  const floodSink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, idleTimeout: 2, durationLimit: 20 });
  // CPU 1 is also kept busy by a spinning shell (at most 15 s), so that receive work
  // deferred to ksoftirqd there waits its turn: the backlog fills sooner.
  const busy = net.relay.spawn('taskset', ['-c', '1', 'timeout', '15', 'sh', '-c', 'while :; do :; done'], { timeoutMs: 20_000 });
  const gen = await runGen(sender, { group: '239.1.1.1', port: 5000, count: 400_000, rate: 0, size: 64, durationLimit: 10 });
  busy.kill('SIGTERM');
  await busy.catch(() => undefined);
  const flood = await floodSink.report;
  stats = await mcrd.waitForStats((s) => s.rules[0]?.pps === 0 && (s.totals.softnet_dropped ?? 0) > 0, 10_000);
  const dropped = stats.totals.softnet_dropped ?? 0;
  const { rx_frames: read, ring_drops: ringDrops } = stats.totals;
  t.ok(dropped > 0, `the kernel dropped ${dropped} packets on CPU 1 (${gen.sent} sent at ${Math.round(gen.rate)} pps; mcr read ${read}, its ring dropped ${ringDrops}, it relayed ${stats.rules[0]?.packets}; ${flood.received} received)`);
  t.equal(stats.workers[0]?.softnet_dropped, dropped, "the worker's CPU has them all");
  t.ok(flood.received < gen.sent, 'and the receiver missed datagrams');
  const exposition = parseExposition(await readFile(prometheus, 'utf8'));
  const exported = valueOf(exposition, 'mcr_softnet_dropped_total', { cpu: '1' }) ?? 0;
  t.ok(exported >= dropped, `Prometheus: mcr_softnet_dropped_total{cpu="1"} ${exported}`);
  table = await run(MCR, ['stats', '--file', mcrd.statsFile]);
  const line = KERNEL_LINE.exec(table.stdout);
  t.ok(line, `mcr stats says so: ${line?.[0]}`);
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
