// The cpu scenario's results (pure): the relay core's busy µs per delivered datagram per
// system, size and rate (median and spread over repetitions), whether the system
// sustained the rate, its tick-sampled split into process and softirq time, ratios to
// the kernel fast path, socat and the baseline, the issue's CPU targets, and the
// section of latest.md.
import type { Placement } from '../lib/affinity.js';
import { QUIET_BUSY } from '../lib/constants.js';
import type { MachineInfo } from '../lib/cpu.js';
import { KERNEL_FAST, kernelReferenceOf, MCR_FRAME } from '../lib/system-ids.js';
import { kpps, markdownTable, numberCell, ratioCell, ratioSuffix, shortReason, spread, type Spread } from '../lib/report.js';
import type { SystemRecord } from '../lib/rig-run.js';
import type { HeadlineRow } from '../lib/scenario.js';
import type { BuildInfo } from '../lib/snapshot.js';
import { ratioTarget, type Measured, type TargetRow } from '../lib/targets.js';
import type { Trial } from '../lib/trial.js';

/** Below this share delivered, a system does not get the higher rates of that size. */
export const SUSTAINED_SHARE = 0.95;

export interface CpuSystem extends SystemRecord {
  trials: (Trial & { rep: number })[];
  /** Rates not offered because the system already dropped at a lower one (`because`). */
  skipped: { size: number; rate: number; rep: number; because: number }[];
}

export interface CpuResult {
  scenario: 'cpu';
  mode: string;
  machine: MachineInfo;
  build: BuildInfo;
  settings: { rates: number[]; sizes: number[]; reps: number; seconds: number; relayCpu: number; placement: Placement };
  elapsedSeconds: number;
  systems: CpuSystem[];
}

export interface CpuCell {
  /** µs of relay-core busy time per delivered datagram, over repetitions. */
  us: Spread | null;
  /** Tick-sampled split of it: in tasks (user+system) and in interrupt context (softirq+irq). */
  processUs: number | null;
  softirqUs: number | null;
  trials: number;
  /** Trials in which every datagram arrived once, in order, intact. */
  passes: number;
  /** Median share delivered (received / sent). */
  delivered: number | null;
  /** Median achieved generator rate, when it fell short of the offered rate. */
  genShort: number | null;
  /** The lower rate at which it dropped, when this one was not offered. */
  skippedBecause: number | null;
  /** Trials whose relay core had other work on it just before (their figure includes some). */
  busyCore: number;
}

const median = (values: number[]) => spread(values)?.median ?? null;

export function cpuCell(s: CpuSystem, size: number, rate: number): CpuCell {
  const trials = s.trials.filter((t) => t.size === size && t.offered === rate && t.received > 0 && t.cpu.core);
  const all = s.trials.filter((t) => t.size === size && t.offered === rate);
  const per = (pick: (t: Trial) => number) => trials.map((t) => (pick(t) / t.received) * 1e6);
  const core = (t: Trial) => t.cpu.core as NonNullable<Trial['cpu']['core']>;
  const short = all.filter((t) => t.genLimited);
  const skipped = s.skipped.find((k) => k.size === size && k.rate === rate);
  return {
    us: spread(per((t) => core(t).busy)),
    processUs: median(per((t) => core(t).user + core(t).system)),
    softirqUs: median(per((t) => core(t).softirq + core(t).irq)),
    trials: all.length,
    passes: all.filter((t) => t.pass).length,
    delivered: median(all.filter((t) => t.sent > 0).map((t) => t.received / t.sent)),
    genShort: short.length > 0 ? median(short.map((t) => t.genRate)) : null,
    skippedBecause: all.length === 0 && skipped ? skipped.because : null,
    busyCore: all.filter((t) => (t.coreBusyBefore ?? 0) > QUIET_BUSY).length,
  };
}

const percent = (share: number | null) => (share === null ? 'n/a' : `${(100 * share).toFixed(1)} %`);

/** A table cell: the µs figure, or why there is none or why it does not count as sustained. */
export function cellText(c: CpuCell, isNone = false): string {
  if (c.skippedBecause !== null) return `not offered (dropped at ${kpps(c.skippedBecause)})`;
  if (c.trials === 0) return 'n/a';
  const gen = (c.genShort !== null ? `; gen reached ${kpps(c.genShort)}` : '') + (c.busyCore > 0 ? `; core busy before ${c.busyCore} of ${c.trials}` : '');
  const us = numberCell(c.us, 2);
  if (isNone || c.passes === c.trials) return `${us}${gen ? ` (${gen.slice(2)})` : ''}`;
  if (c.passes === 0) return `cannot sustain (${percent(c.delivered)} delivered; ${c.us ? c.us.median.toFixed(2) : 'n/a'} µs${gen})`;
  return `${us} (lost in ${c.trials - c.passes} of ${c.trials}: ${percent(c.delivered)} delivered${gen})`;
}

function absentText(s: CpuSystem): string | null {
  if (s.unavailable) return shortReason(s.unavailable);
  if (s.error) return `error: ${s.error.split('\n')[0]}`;
  return null;
}

function columns(r: CpuResult): { size: number; rate: number; title: string }[] {
  return r.settings.sizes.flatMap((size) => r.settings.rates.map((rate) => ({ size, rate, title: `${size} B, ${kpps(rate)} pps` })));
}

function measuredUs(r: CpuResult, id: string, size: number, rate: number): Measured {
  const s = r.systems.find((x) => x.id === id);
  if (!s) return { missing: `${id} not in this run` };
  const absent = absentText(s);
  if (absent) return { missing: `${id}: ${absent}` };
  const c = cpuCell(s, size, rate);
  if (!c.us) return { missing: `${id}: not measured at ${kpps(rate)} pps` };
  return { value: c.us.median, n: c.us.n };
}

/** The rate the issue's CPU targets and the headline are stated at. */
export const TARGET_RATE = 100_000;

export function cpuTargets(r: CpuResult): TargetRow[] {
  return r.settings.sizes.map((size) => {
    const row = ratioTarget({
      target: `relay-core CPU per datagram at ${kpps(TARGET_RATE)} pps, ${size} B: mcr frame egress ≤ 1.5× the kernel fast path`,
      subject: measuredUs(r, MCR_FRAME, size, TARGET_RATE),
      reference: measuredUs(r, KERNEL_FAST, size, TARGET_RATE),
      bound: 'at most',
      factor: 1.5,
      format: (v) => `${v.toFixed(2)} µs`,
    });
    const frame = r.systems.find((s) => s.id === MCR_FRAME);
    const cell = frame ? cpuCell(frame, size, TARGET_RATE) : null;
    // A rate not sustained makes the per-datagram figure a cost of dropping, not of relaying.
    if (cell && cell.trials > 0 && cell.passes < cell.trials) return { ...row, note: [row.note, `mcr frame lost datagrams in ${cell.trials - cell.passes} of ${cell.trials} trials`].filter(Boolean).join('; ') };
    return row;
  });
}


export function cpuMarkdown(r: CpuResult): string {
  const cols = columns(r);
  const main = markdownTable(
    ['system', ...cols.map((c) => c.title)],
    r.systems.map((s) => [s.label, ...cols.map((c) => absentText(s) ?? cellText(cpuCell(s, c.size, c.rate), s.id === 'none'))]),
  );
  const split = markdownTable(
    ['system', ...r.settings.sizes.map((size) => `${size} B at ${kpps(TARGET_RATE)} pps: process / softirq µs`)],
    r.systems
      .filter((s) => !absentText(s))
      .map((s) => [
        s.label,
        ...r.settings.sizes.map((size) => {
          const c = cpuCell(s, size, TARGET_RATE);
          return c.processUs === null ? 'n/a' : `${c.processUs.toFixed(2)} / ${(c.softirqUs ?? 0).toFixed(2)}`;
        }),
      ]),
  );
  const present = r.systems.filter((s) => !absentText(s) && s.id !== 'none');
  const ratio = (s: CpuSystem, refId: string, size: number, rate: number) => {
    const ref = present.find((x) => x.id === refId);
    return !ref || ref.id === s.id ? '' : ratioCell(cpuCell(s, size, rate).us?.median, cpuCell(ref, size, rate).us?.median);
  };
  const toKernel = present.filter((s) => s.id !== kernelReferenceOf(s.id)).map((s) => [s.label, ...cols.map((c) => ratio(s, kernelReferenceOf(s.id), c.size, c.rate))]);
  const others = r.settings.sizes.flatMap((size) => [['socat', 'socat'], ['baseline', 'mmsg relay']].map(([id, name]) => ({ id: id as string, title: `${size} B: × ${name}`, size })));
  const toOthers = present.map((s) => [s.label, ...others.map((o) => ratio(s, o.id, o.size, TARGET_RATE))]);
  const disturbed = r.systems.reduce((n, s) => n + s.disturbed.length, 0);
  return [
    `Mode ${r.mode}, ${r.elapsedSeconds} s; ${r.settings.reps} repetition(s) of ${r.settings.seconds} s per rate; ${disturbed} trials repeated because other work disturbed them.`,
    `µs of CPU ${r.settings.relayCpu}'s busy time per datagram delivered at the receiver: median [min–max] over repetitions.`,
    '',
    main,
    '',
    '### Ratios (µs per datagram; below 1: cheaper than the reference)',
    '',
    'To the kernel fast path:',
    '',
    markdownTable(['system', ...cols.map((c) => c.title)], toKernel),
    '',
    `To socat and the plain mmsg relay, at ${kpps(TARGET_RATE)} pps:`,
    '',
    markdownTable(['system', ...others.map((o) => o.title)], toOthers),
    '',
    `### Process and softirq at ${kpps(TARGET_RATE)} pps (tick-sampled split)`,
    '',
    split,
    '',
    '### Targets',
    '',
    cpuTargets(r).map((t) => `- ${t.target}: ${t.verdict}${t.measured === '—' ? '' : ` (${t.measured})`}${t.note ? `; ${t.note}` : ''}`).join('\n'),
    '',
    '### Method',
    '',
    `- The one-hop chain of the forwarding scenario, fresh per system and repetition; mcr-gen and mcr-sink on CPU ${r.settings.placement.traffic}, ` +
      `every relay process and (RPS) the relay's input receive work on CPU ${r.settings.relayCpu}, the relay core.`,
    `- Relay-core CPU: CPU ${r.settings.relayCpu}'s busy time over the trial (elapsed minus idle, iowait and steal from its /proc/stat ` +
      'line; the nohz idle clock is exact), divided by the datagrams the sink received. It is everything that core did: the ' +
      "input's receive softirq, the relay (a process, or nft and kernel routing inside that softirq), its sends, and the " +
      "receiver's receive softirq, which runs there too because a veth delivers in its sender's context and the receiver's " +
      'RPS is off. That last part is the same for every system. The no-relay row puts no work on that core: its figure is the ' +
      'core\'s background (timer ticks, other work), included in every figure and small enough that it is shown, not subtracted.',
    '- Process / softirq: the same window\'s user+system and softirq+irq ticks (250 Hz samples; this kernel has no ' +
      'IRQ_TIME_ACCOUNTING), per datagram. Softirq work done inside a relay\'s own system calls is sampled as system time. ' +
      'They are a split of the exact total, not exact themselves.',
    `- A trial sends rate × ${r.settings.seconds} s datagrams. "cannot sustain": every repetition lost datagrams; the µs then count ` +
      `the cost of dropping too. Below ${SUSTAINED_SHARE * 100} % delivered, the higher rates of that size are not offered in that repetition.`,
    '- A trial with more than 8 % of the machine taken by other work is repeated (full: at most twice); the disturbed attempts are kept in the JSON.',
  ].join('\n');
}

export function cpuHeadline(r: CpuResult): HeadlineRow[] {
  return r.settings.sizes.map((size) => {
    const refFor = (id: string) => {
      const kernel = r.systems.find((s) => s.id === kernelReferenceOf(id));
      return kernel && !absentText(kernel) ? cpuCell(kernel, size, TARGET_RATE).us?.median : undefined;
    };
    return {
      measure: `relay-core CPU µs per datagram, ${kpps(TARGET_RATE)} pps, ${size} B (× the kernel fast path of its family)`,
      values: Object.fromEntries(
        r.systems.map((s) => {
          const absent = absentText(s);
          if (absent) return [s.id, absent];
          const c = cpuCell(s, size, TARGET_RATE);
          const suffix = s.id === kernelReferenceOf(s.id) || s.id === 'none' ? '' : ratioSuffix(c.us?.median, refFor(s.id));
          const sustained = c.trials > 0 && c.passes === c.trials;
          const text = c.us ? `${c.us.median.toFixed(2)}${suffix}` : 'n/a';
          return [s.id, s.id === 'none' || sustained || c.trials === 0 ? text : cellText(c)];
        }),
      ),
    };
  });
}
