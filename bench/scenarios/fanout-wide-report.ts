// The wide fan-out scenario's results (pure): per width and system, how many trials
// were 0-loss on every output, what share was delivered, what a copy cost the relay
// core, where copies were lost, set-up times, and the issue's 1:200 and 1:1000 targets.
import type { MachineInfo } from '../lib/cpu.js';
import type { FanRecord } from '../lib/fan.js';
import { MCR_FRAME } from '../lib/system-ids.js';
import { kpps, markdownTable, numberCell, shortReason, spread } from '../lib/report.js';
import type { HeadlineRow } from '../lib/scenario.js';
import type { BuildInfo } from '../lib/snapshot.js';
import type { StandingTrial } from '../lib/standing-sinks.js';
import { allTrialsTarget, type TargetRow } from '../lib/targets.js';

export interface WideSystem extends FanRecord {
  /** Why it was not run at this width though it could run here. */
  notRun?: string;
  error?: string;
  setupSeconds?: number;
  trials: StandingTrial[];
}

export interface WideBlock {
  width: number;
  rate: number;
  trials: number;
  seconds: number;
  sinkStartSeconds: number;
  systems: WideSystem[];
}

export interface WideResult {
  scenario: 'fanout-wide';
  mode: 'quick' | 'full';
  machine: MachineInfo;
  build: BuildInfo;
  settings: { size: number; group: string; pinned: boolean; maxProcessWidth: number };
  topologySeconds: number;
  elapsedSeconds: number;
  blocks: WideBlock[];
}

function absent(s: WideSystem): string | null {
  if (s.unavailable) return shortReason(s.unavailable);
  if (s.notRun) return `not run: ${s.notRun}`;
  if (s.error && s.trials.length === 0) return `cannot: ${s.error.split('\n')[0]}`;
  return null;
}

const share = (t: StandingTrial) => (t.sent > 0 ? t.received / (t.sent * t.receivers) : 0);

function deliveryText(s: WideSystem): string {
  const why = absent(s);
  if (why) return why;
  const passes = s.trials.filter((t) => t.pass).length;
  const delivered = spread(s.trials.map((t) => 100 * share(t)));
  const gen = s.trials.filter((t) => t.genLimited).length;
  const error = s.error ? `; then failed: ${s.error.split('\n')[0]}` : '';
  return `${passes} of ${s.trials.length} 0-loss, ${numberCell(delivered, 2)} % delivered${gen ? ` (generator short in ${gen})` : ''}${error}`;
}

function perCopy(s: WideSystem) {
  return spread(s.trials.filter((t) => t.sent > 0).map((t) => (t.cpu.relayCpuBusy / (t.sent * t.receivers)) * 1e6));
}

function losses(s: WideSystem): string {
  const lost = s.trials.reduce((n, t) => n + t.lost, 0);
  if (lost === 0 && s.trials.every((t) => t.pass)) return '—';
  const sockets = s.trials.reduce((n, t) => n + t.rcvbufErrors, 0);
  const backlog = s.trials.reduce((n, t) => n + (t.backlogDrops ?? 0), 0);
  const counter = (key: string) => s.trials.reduce((n, t) => n + (t.counters?.[key] ?? 0), 0);
  const relay = ['ring_drops', 'egress_full', 'egress_errors', 'out_drops'].map((k) => [k, counter(k)] as const).filter(([, v]) => v > 0);
  const bad = ['duplicated', 'reordered', 'corrupted'].map((k) => [k, s.trials.reduce((n, t) => n + (t[k as 'lost'] ?? 0), 0)] as const).filter(([, v]) => v > 0);
  return [`${lost} copies lost`, `relay core's backlog dropped ${backlog}`, `receivers' full sockets ${sockets}`, ...relay.map(([k, v]) => `${k} ${v}`), ...bad.map(([k, v]) => `${k} ${v}`)].join(', ');
}

function blockTrials(r: WideResult, width: number, id: string): StandingTrial[] | { missing: string } {
  const block = r.blocks.find((b) => b.width === width);
  if (!block) return { missing: `1:${width} not in this run` };
  const s = block.systems.find((x) => x.id === id);
  if (!s) return { missing: `${id} not in this run` };
  const why = absent(s);
  return why ? { missing: `${id}: ${why}` } : s.trials;
}

export function wideTargets(r: WideResult): TargetRow[] {
  const rows: TargetRow[] = [];
  const b200 = r.blocks.find((b) => b.width === 200);
  if (b200) rows.push(allTrialsTarget(`fan-out 1:200 at ${b200.rate.toLocaleString('en')} pps: mcr frame egress 0-loss in 10 of 10 trials`, blockTrials(r, 200, MCR_FRAME), 10));
  const b1000 = r.blocks.find((b) => b.width === 1000);
  if (b1000) rows.push(allTrialsTarget(`fan-out 1:1000 at ${b1000.rate} pps: mcr frame egress 0-loss`, blockTrials(r, 1000, MCR_FRAME), 1));
  return rows;
}

export function wideMarkdown(r: WideResult): string {
  const sections = r.blocks.flatMap((b) => [
    `### 1:${b.width} at ${b.rate.toLocaleString('en')} pps input (${kpps(b.width * b.rate)} copies/s), ${b.trials} trial(s) of ${b.seconds} s`,
    '',
    `${b.width} receivers started in ${b.sinkStartSeconds} s (once, for every system and trial).`,
    '',
    markdownTable(
      ['system', 'delivery', 'relay-core µs per copy sent', 'set-up s', 'where copies were lost'],
      b.systems.map((s) => [s.label, deliveryText(s), absent(s) ? '' : numberCell(perCopy(s), 2), s.setupSeconds === undefined ? '' : String(s.setupSeconds), absent(s) ? '' : losses(s)]),
    ),
    '',
  ]);
  return [
    `Mode ${r.mode}, ${r.elapsedSeconds} s; ${r.settings.size} B datagrams; topology (${Math.max(...r.blocks.map((b) => b.width))} legs) wired in ${r.topologySeconds} s.`,
    '',
    ...sections,
    '### Targets',
    '',
    wideTargets(r).map((t) => `- ${t.target}: ${t.verdict}${t.measured === '—' ? '' : ` (${t.measured})`}${t.note ? `; ${t.note}` : ''}`).join('\n'),
    '',
    '### Method',
    '',
    '- The fan topology of the 1:50 scenario, with one veth per output into one receiver namespace; a 1:N block uses the first N. ' +
      `Every output is ${r.settings.group}:5000; one mcr-sink per output, bound to its interface.`,
    '- The sinks stand for the whole block: started once, each expecting the same count per stream; each trial sends its own ' +
      'stream id (mcr-gen --first-stream), so when the block ends every sink\'s report says, per trial, what arrived once, in ' +
      'order and intact. A trial is 0-loss only when every receiver got every datagram so. Between trials the bench waits until ' +
      'the receivers\' sockets are empty and nothing arrives any more; "receivers\' full sockets" is the receiving namespace\'s ' +
      'UDP RcvbufErrors over the trials.',
    `- socat runs one process per output, so it is run up to 1:${r.settings.maxProcessWidth}. Kernel multicast routing needs a VIF per ` +
      'interface and has 32: it fails at set-up, and that is what is shown where the kernel has it.',
    `- ${r.settings.pinned ? 'Sender and sinks on CPU 0, relay processes and (RPS) the relay input on CPU 1. ' : ''}` +
      'Relay-core µs per copy sent: CPU 1\'s busy time while sending (plus 50 ms) per datagram sent times outputs; it includes ' +
      'the receivers\' receive softirq, which runs where the relay sent from.',
    '- "relay core\'s backlog dropped": frames CPU 1\'s receive backlog (net.core.netdev_max_backlog) had no room for ' +
      '(/proc/net/softnet_stat). The kernel fast path makes every copy inside one receive softirq, and on veth each copy is ' +
      'queued to that backlog, so a wide dup overflows it where a real NIC would take the copies on its transmit queues; ' +
      '`--max-backlog N` raises it for a run.',
  ].join('\n');
}

export function wideHeadline(r: WideResult): HeadlineRow[] {
  return r.blocks.map((b) => ({
    measure: `1:${b.width} fan-out at ${b.rate.toLocaleString('en')} pps: 0-loss trials`,
    values: Object.fromEntries(
      b.systems.map((s) => {
        const why = s.notRun ? 'not run (one process per output)' : absent(s);
        if (why) return [s.id, why.slice(0, 60)];
        const passes = s.trials.filter((t) => t.pass).length;
        const delivered = spread(s.trials.map((t) => 100 * share(t)))?.median ?? 0;
        return [s.id, `${passes}/${s.trials.length}${passes < s.trials.length ? ` (${delivered.toFixed(1)} % delivered)` : ''}`];
      }),
    ),
  }));
}

