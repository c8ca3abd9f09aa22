// Scenario 9: a discovery reflector's cost. One mcrd (one worker, pinned to the relay
// core) reflects one group between four segments; a sender on one segment offers 10,000
// pps of 200-byte datagrams and a sink on each of the three others counts what arrives.
// Measured: the mcrd process's CPU (every thread: worker and JS) and the relay core's
// busy time per datagram received, with the loop window and a rate limit that never
// bites on, so the policy's per-datagram work (a digest, a lock, a bucket) is in it.
import { join } from 'node:path';
import { daemonSection, startMcrd, writeConfig } from '../../harness/mcrd.js';
import { runGen, startSink, type SinkReport } from '../../harness/traffic.js';
import { Lab } from '../../src/netns/lab.js';
import { segments } from '../../src/netns/segments.js';
import { pinProcesses } from '../lib/affinity.js';
import { busySeconds, cpuDelta, machineCpu, processCpuSeconds, waitQuiet } from '../lib/cpu.js';
import { scratchDir, type ScriptHost } from '../lib/host.js';
import { markdownTable } from '../lib/report.js';
import type { HeadlineRow, Scenario, ScenarioContext } from '../lib/scenario.js';

const SEGMENTS = ['seg0', 'seg1', 'seg2', 'seg3'];
const RATE = 10_000;
const SIZE = 200;
const GROUP = '239.255.255.250';
const PORT = 1900;

export interface ReflectorTrial {
  sent: number;
  seconds: number;
  /** What each of the three other segments' sinks received. */
  received: number[];
  /** The mcrd process's user+system seconds over the trial (all its threads). */
  mcrdCpuSeconds: number;
  /** The relay core's busy seconds over the trial (null when the relay is not pinned). */
  relayCoreBusySeconds: number | null;
}

export interface ReflectorResult {
  scenario: 'reflector';
  mode: 'quick' | 'full';
  settings: { segments: number; rate: number; size: number; seconds: number; reps: number; relayCpu: number | null };
  trials: ReflectorTrial[];
}

const perDatagramUs = (seconds: number, datagrams: number) => (datagrams > 0 ? (seconds / datagrams) * 1e6 : NaN);

async function runReflector(host: ScriptHost, ctx: ScenarioContext): Promise<ReflectorResult> {
  const seconds = ctx.quick ? 2 : 5;
  const reps = ctx.quick ? 1 : 3;
  const relayCpu = ctx.placement.relay;
  const dir = await scratchDir(host, 'reflector');
  const lab = Lab.create(host);
  try {
    const net = await segments(lab, SEGMENTS);
    const relay = net.relays[0]!;
    await writeConfig(join(dir, 'mcr.toml'), [
      ...daemonSection(dir, ['stats_interval = 1', 'workers = 1']),
      '[[reflector]]',
      'name = "bench"',
      `group = "${GROUP}"`,
      `port = ${PORT}`,
      `interfaces = [${SEGMENTS.map((s) => `"${s}"`).join(', ')}]`,
      // Never reached at 10,000 pps: its bucket is still checked per datagram.
      'rate_limit = { pps = 1000000, burst = 1000000 }',
    ]);
    const mcrd = await startMcrd(relay.ns, dir);
    pinProcesses([mcrd.pid], relayCpu);
    await mcrd.waitForStats((s) => s.rules.length === SEGMENTS.length && s.rules.every((r) => r.state === 'active'), 30_000);
    const sender = net.hosts[SEGMENTS[0]!]![0]!;
    const trials: ReflectorTrial[] = [];
    for (let rep = 1; rep <= reps; rep += 1) {
      if (host.stopped) throw new Error('interrupted');
      await waitQuiet(undefined, ctx.quick ? 2_000 : 10_000, relayCpu);
      const sinks = await Promise.all(
        SEGMENTS.slice(1).map((name) => startSink(net.hosts[name]![0]!.ns, { group: GROUP, port: PORT, interface: 'eth0', idleTimeout: 1, durationLimit: seconds + 20 })),
      );
      const cpuBefore = processCpuSeconds(mcrd.pid);
      const coreBefore = relayCpu === null ? null : machineCpu(relayCpu);
      const gen = await runGen(sender.ns, { group: GROUP, port: PORT, count: RATE * seconds, rate: RATE, interface: 'eth0', size: SIZE, durationLimit: seconds + 10 });
      // Read as the generator stops, not after the sinks' idle wait: the trial's own work.
      const mcrdCpuSeconds = processCpuSeconds(mcrd.pid) - cpuBefore;
      const relayCoreBusySeconds = coreBefore === null || relayCpu === null ? null : busySeconds(cpuDelta(coreBefore, machineCpu(relayCpu)), 1);
      const reports: SinkReport[] = await Promise.all(sinks.map((sink) => sink.report));
      const trial = { sent: gen.sent, seconds: gen.seconds, received: reports.map((r) => r.datagrams), mcrdCpuSeconds, relayCoreBusySeconds };
      ctx.log(
        `[reflector rep ${rep}/${reps}] sent ${trial.sent} in ${trial.seconds.toFixed(2)} s, received ${trial.received.join('/')}, ` +
          `mcrd ${perDatagramUs(mcrdCpuSeconds, trial.sent).toFixed(2)} us/datagram` +
          (relayCoreBusySeconds === null ? '' : `, relay core ${perDatagramUs(relayCoreBusySeconds, trial.sent).toFixed(2)} us/datagram`),
      );
      trials.push(trial);
    }
    mcrd.signal('SIGTERM');
    await mcrd.exited;
    return { scenario: 'reflector', mode: ctx.quick ? 'quick' : 'full', settings: { segments: SEGMENTS.length, rate: RATE, size: SIZE, seconds, reps, relayCpu }, trials };
  } finally {
    await lab.destroy();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!;
}

function render(r: ReflectorResult): string {
  const rows = r.trials.map((t, i) => [
    String(i + 1),
    String(t.sent),
    t.received.join(' / '),
    perDatagramUs(t.mcrdCpuSeconds, t.sent).toFixed(2),
    t.relayCoreBusySeconds === null ? 'n/a' : perDatagramUs(t.relayCoreBusySeconds, t.sent).toFixed(2),
  ]);
  return [
    markdownTable(['trial', 'sent', 'received on the 3 other segments', 'mcrd CPU, µs per datagram in', 'relay core busy, µs per datagram in'], rows),
    '',
    `One mcrd (1 worker${r.settings.relayCpu === null ? '' : `, pinned to CPU ${r.settings.relayCpu}`}) reflecting ${GROUP}:${PORT} between ${r.settings.segments} segments (bridges, one veth leg each); ` +
      `${r.settings.rate} pps of ${r.settings.size}-byte datagrams for ${r.settings.seconds} s offered on one segment, each datagram sent out of the other three (frame egress, the sender's address kept), ` +
      'with loop suppression (200 ms window) and a rate limit that never bites, so the per-datagram policy work is included. ' +
      "mcrd CPU is the process's user+system time (worker and JS threads); the relay core's busy time adds the softirq work of its receive path.",
  ].join('\n');
}

function headline(r: ReflectorResult): HeadlineRow[] {
  const value = median(r.trials.map((t) => perDatagramUs(t.mcrdCpuSeconds, t.sent)));
  return [{ measure: `reflector, 4 segments at 10k pps: mcrd CPU per datagram (µs)`, values: { mcr: Number.isNaN(value) ? 'n/a' : value.toFixed(2) } }];
}

export const scenario: Scenario<ReflectorResult> = {
  id: 'reflector',
  title: '9. Discovery reflector: CPU per datagram at 10,000 pps across four segments',
  run: runReflector,
  render,
  headline,
};
