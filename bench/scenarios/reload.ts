// Scenario 7: reload under load. The real daemon (mcrd) relays one flow at 50,000 pps
// while it is reloaded 100 times with edits that add, remove and change other rules,
// half by rewriting the file (its watcher reloads) and half by a write then SIGHUP.
// The flow's receiver counts loss, duplicates and reordering. Target: nothing lost.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { daemonSection, startMcrd, writeConfig, type Mcrd } from '../../harness/mcrd.js';
import { Lab } from '../../src/netns/lab.js';
import { chain } from '../../src/netns/topologies.js';
import { rule } from '../../harness/ruleset.js';
import { startSink } from '../../harness/traffic.js';
import { locateTool } from '../../src/tools/locate.js';
import { pinProcesses } from '../lib/affinity.js';
import { memoryFloor, mib, type Memory } from '../lib/mcrd-memory.js';
import { markdownTable } from '../lib/report.js';
import type { HeadlineRow, Scenario } from '../lib/scenario.js';
import { scratchDir, type ScriptHost } from '../lib/host.js';
import type { Delivery } from '../lib/trial.js';

const RATE = 50_000;
const SIZE = 256;

export interface ReloadResult extends Delivery {
  reloads: number;
  bySighup: number;
  byFileWrite: number;
  rate: number;
  size: number;
  /** Seconds the reloads took, first edit to the last one running. */
  reloadSeconds: number;
  /** Per reload: ms from the edit until the stats file showed it running. */
  reloadMs: number[];
  sent: number;
  genRate: number;
  /** The sink's own loss count (gaps in sequence numbers): lost mid-stream, not at the end. */
  gapLost: number;
  /** Highest sequence number received, against the generator's count: loss at the end. */
  lastSeq: number | null;
  /** mcrd's worker counters over the run (ring drops, output errors...): where loss happened. */
  relayCounters: Record<string, number>;
  generation: number;
  reloadsOk: number;
  reloadsFailed: number;
  errorLogs: string[];
  memoryBefore: Memory;
  memoryAfter: Memory;
}

/** Step i's rules: `main` never changes; one rule changes output, one comes and goes, and a block of five flips. */
export function reloadRules(dir: string, step: number): string[] {
  const n = (step % 200) + 1;
  return [
    ...daemonSection(dir),
    rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'),
    rule('changing', 'in0 239.1.1.2:5000', `out0 239.2.8.${n}:5000`),
    rule(`extra-${step}`, `in0 239.1.2.${n}:5000`, `out0 239.2.9.${n}:5000`),
    ...Array.from({ length: step % 2 === 0 ? 5 : 0 }, (_, k) => rule(`block-${k}`, `in0 239.1.3.${k + 1}:5000`, `out0 239.2.3.${k + 1}:5000`)),
  ];
}

async function reloadOnce(mcrd: Mcrd, file: string, dir: string, step: number, sighup: boolean): Promise<number> {
  const started = Date.now();
  if (step % 4 < 2) {
    await writeConfig(file, reloadRules(dir, step));
  } else {
    // Editors write a copy and rename it over the original.
    await writeConfig(`${file}.swp`, reloadRules(dir, step));
    await rename(`${file}.swp`, file);
  }
  if (sighup) mcrd.signal('SIGHUP');
  await mcrd.waitForStats((s) => s.daemon.state === 'running' && s.rules.some((r) => r.name === `extra-${step}`), 15_000);
  return Date.now() - started;
}

async function runReload(host: ScriptHost, reloads: number, relayCpu: number | null, log: (l: string) => void): Promise<ReloadResult> {
  const dir = await scratchDir(host, 'reload');
  const lab = Lab.create(host);
  try {
    const net = await chain(lab);
    const file = join(dir, 'mcr.toml');
    await writeConfig(file, reloadRules(dir, 0));
    const mcrd = await startMcrd(net.relay, dir);
    // Every thread, main one included, on the relay's CPU, like the other relays here. With
    // only the worker there (mcrd's `cpus`) and the main thread left with the traffic
    // tools, this machine lost about half the flow to ring overflow (4 runs of 4).
    pinProcesses([mcrd.pid], relayCpu);
    await mcrd.waitForStats((s) => s.rules.some((r) => r.name === 'main' && r.state === 'active'));
    const memoryBefore = await memoryFloor(mcrd.pid);
    const totalsBefore = (await mcrd.stats()).totals;
    const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, interface: net.rx.iface, idleTimeout: 2, durationLimit: 600 });
    // Started by hand, not runGen: it must run until the reloads are done, then stop.
    const gen = net.src.ns.spawn(
      locateTool('mcr-gen'),
      ['--group', '239.1.1.1', '--port', '5000', '--interface', net.src.iface, '--count', String(RATE * 600), '--rate', String(RATE), '--size', String(SIZE), '--duration-limit', '600'],
      { timeoutMs: 660_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const reloadMs: number[] = [];
    const started = Date.now();
    for (let step = 1; step <= reloads; step += 1) {
      if (host.stopped) throw new Error('interrupted');
      reloadMs.push(await reloadOnce(mcrd, file, dir, step, step % 2 === 0));
    }
    const reloadSeconds = (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    gen.kill('SIGTERM');
    const genResult = await gen;
    const genReport = JSON.parse(genResult.stdout.trim().split('\n').at(-1) ?? '{}') as { sent: number; rate: number };
    const report = await sink.report;
    const stats = await mcrd.stats();
    const memoryAfter = await memoryFloor(mcrd.pid);
    mcrd.signal('SIGTERM');
    await mcrd.exited;
    const unique = report.received - report.duplicated;
    const result: ReloadResult = {
      reloads,
      bySighup: Math.floor(reloads / 2),
      byFileWrite: reloads - Math.floor(reloads / 2),
      rate: RATE,
      size: SIZE,
      reloadSeconds,
      reloadMs,
      sent: genReport.sent,
      genRate: Math.round(genReport.rate),
      received: report.received,
      lost: Math.max(0, genReport.sent - unique),
      duplicated: report.duplicated,
      reordered: report.reordered,
      corrupted: report.corrupted,
      socketDrops: report.socket_drops,
      gapLost: report.lost,
      lastSeq: report.streams[0]?.max_seq ?? null,
      relayCounters: Object.fromEntries(Object.entries(stats.totals).map(([k, v]) => [k, v - (totalsBefore[k] ?? 0)]).filter(([, v]) => v !== 0)),
      generation: stats.config.generation,
      reloadsOk: stats.config.reloads.ok,
      reloadsFailed: stats.config.reloads.failed,
      errorLogs: mcrd.logs().filter((l) => l.level === 'error' || /restart/i.test(l.message)).map((l) => l.message),
      memoryBefore,
      memoryAfter,
    };
    log(`[reload] ${reloads} reloads in ${reloadSeconds.toFixed(1)} s: sent ${result.sent} received ${result.received} lost ${result.lost} (gaps ${result.gapLost}, max seq ${result.lastSeq}) dup ${result.duplicated} reord ${result.reordered} relay ${JSON.stringify(result.relayCounters)}`);
    return result;
  } finally {
    await lab.destroy();
  }
}

function render(r: ReloadResult): string {
  const sorted = [...r.reloadMs].sort((a, b) => a - b);
  const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const verdict = r.lost === 0 && r.duplicated === 0 ? 'target met: 0 lost' : `target NOT met: ${r.lost} lost`;
  return [
    `mcrd (the daemon, 1 worker, io_uring; every thread of it on the relay CPU) relays one flow at ${r.rate.toLocaleString('en')} pps, ${r.size} B, while it is reloaded ${r.reloads} times (${r.byFileWrite} by file write, ${r.bySighup} by write + SIGHUP). ${verdict}.`,
    '',
    markdownTable(
      ['reloads', 'sent', 'achieved pps', 'received', 'lost', 'duplicated', 'reordered', 'sink socket drops', 'generation', 'reloads ok / failed'],
      [[String(r.reloads), String(r.sent), String(r.genRate), String(r.received), String(r.lost), String(r.duplicated), String(r.reordered), String(r.socketDrops ?? 'n/a'), String(r.generation), `${r.reloadsOk} / ${r.reloadsFailed}`]],
    ),
    '',
    `Reloads took ${r.reloadSeconds.toFixed(1)} s in all; edit to running: median ${pct(0.5)} ms, 90th percentile ${pct(0.9)} ms, max ${sorted.at(-1)} ms. mcrd RSS ${mib(r.memoryBefore.rssKib)} MiB before, ${mib(r.memoryAfter.rssKib)} MiB after (PSS ${mib(r.memoryBefore.pssKib)} → ${mib(r.memoryAfter.pssKib)} MiB).`,
    `Lost mid-stream (gaps the sink saw): ${r.gapLost}; highest sequence received ${r.lastSeq} of ${r.sent - 1}. mcrd's counters over the run: ${Object.entries(r.relayCounters).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.`,
    ...(r.errorLogs.length ? ['', `Error log lines: ${r.errorLogs.slice(0, 5).join('; ')}`] : []),
    '',
    'Each edit keeps rule `main` (in0 239.1.1.1 → out0 239.2.2.1) as it is, changes the output group of another rule, replaces a third (a new name and groups every time) and adds or removes a block of five; half are a write in place, half a rename over the file (as editors save). Every other reload is also signalled with SIGHUP. The bench waits for each to show in the stats file before the next. Only mcrd is measured: socat has no rules to reload (a change is a restart), and smcroute\'s reload was not measured here. "reloads ok" counts every reload attempt the daemon made, including the one a SIGHUP asks for right after its file watcher already applied the edit (that one finds nothing to change).',
  ].join('\n');
}

function headline(r: ReloadResult): HeadlineRow[] {
  return [{ measure: `mcrd, ${r.reloads} reloads under ${r.rate / 1000}k pps: datagrams lost on the unchanged flow`, values: { mcr: `${r.lost} of ${r.sent}` } }];
}

export const scenario: Scenario<ReloadResult> = {
  id: 'reload',
  title: '7. Reload under load: 100 reloads, one unchanged 50,000 pps flow (quick: 30)',
  run: (host, ctx) => runReload(host, ctx.quick ? 30 : 100, ctx.placement.relay, ctx.log),
  render,
  headline,
};
