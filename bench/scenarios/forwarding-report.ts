// The forwarding scenario's results: derived numbers (medians, spreads, CPU per packet,
// ratios against the project's targets), its section of latest.md, its headline rows,
// and the chart of delivered versus offered rate. All pure: the run writes the files.
import type { MachineInfo } from '../lib/cpu.js';
import { kpps, markdownTable, numberCell, rateCell, ratioCell, spread, type Spread } from '../lib/report.js';
import type { HeadlineRow } from '../lib/scenario.js';
import { lineChart, type Series } from '../lib/svg-chart.js';
import { SYSTEM_NAMES } from '../lib/latest.js';
import type { SearchResult } from '../lib/search.js';
import type { BuildInfo } from '../lib/snapshot.js';
import type { Trial } from '../lib/trial.js';

export interface SystemResult {
  id: string;
  label: string;
  note?: string;
  error?: string;
  rates: Record<64 | 1400, SearchResult[]>;
  cpu: Trial[];
  /** Trials repeated because other work took the machine meanwhile. */
  disturbed: Trial[];
}

export interface ForwardingResult {
  scenario: 'forwarding';
  mode: string;
  machine: MachineInfo;
  build: BuildInfo;
  settings: Record<string, unknown> & { sizes: number[]; cpu: { rate: number; size: number; seconds: number } };
  elapsedSeconds: number;
  systems: SystemResult[];
}

interface Summary {
  id: string;
  label: string;
  rate: Record<number, Spread | null>;
  /** Some repetition stopped because the generator, not the system, fell short. */
  genLimited: Record<number, boolean>;
  /** µs of the relay's own CPU per forwarded packet (kernel: the machine's, above no relay). */
  relayUs: Spread | null;
  /** µs of the whole machine's CPU per packet above the no-relay path. */
  addedUs: Spread | null;
  /** Tick-sampled softirq µs per packet above the no-relay path: a rough cross-check. */
  softirqUs: Spread | null;
}

const perPacket = (seconds: number, t: Trial) => (t.received > 0 ? (seconds / t.received) * 1e6 : NaN);

/** Pairs repetition i of a system with repetition i of the no-relay run. */
function paired(trials: Trial[], none: Trial[], value: (t: Trial) => number): Spread | null {
  const diffs = trials.map((t, i) => (none[i] ? value(t) - value(none[i] as Trial) : NaN)).filter(Number.isFinite);
  return spread(diffs);
}

export function summarize(result: ForwardingResult): Summary[] {
  const none = result.systems.find((s) => s.id === 'none')?.cpu ?? [];
  return result.systems.map((s) => {
    const rate: Record<number, Spread | null> = {};
    const genLimited: Record<number, boolean> = {};
    for (const size of result.settings.sizes as (64 | 1400)[]) {
      rate[size] = spread(s.rates[size].map((r) => r.rate));
      genLimited[size] = s.rates[size].some((r) => r.limit === 'generator');
    }
    const softirq = (t: Trial) => perPacket(t.cpu?.machine.softirq ?? NaN, t);
    const busy = (t: Trial) => perPacket(t.cpu?.busy ?? NaN, t);
    const addedUs = s.id === 'none' ? null : paired(s.cpu, none, busy);
    const softirqUs = s.id === 'none' ? null : paired(s.cpu, none, softirq);
    // The kernel relays in softirq context wherever it happens to run: its own CPU is
    // what the machine spends beyond the same traffic without it.
    let relayUs: Spread | null = null;
    if (s.id === 'kernel') relayUs = addedUs;
    else if (s.id !== 'none') relayUs = spread(s.cpu.map((t) => perPacket(t.cpu?.relay ?? NaN, t)).filter(Number.isFinite));
    return { id: s.id, label: s.label, rate, genLimited, relayUs, addedUs, softirqUs };
  });
}

function rateText(sum: Summary, size: number): string {
  return rateCell(sum.rate[size] ?? null, sum.genLimited[size] ? ' (gen)' : '');
}

function tableRows(summaries: Summary[]): string[][] {
  return summaries.map((s) => [s.label, rateText(s, 64), rateText(s, 1400), numberCell(s.relayUs), numberCell(s.addedUs)]);
}

const HEADER = ['system', '64 B max 0-loss pps', '1400 B max 0-loss pps', 'relay CPU µs/pkt', 'added machine CPU µs/pkt'];

/** mcr against kernel, socat and the baseline: rates per size, CPU per packet. */
function ratioRows(summaries: Summary[]): string[][] {
  const by = (id: string) => summaries.find((s) => s.id === id);
  const rows: string[][] = [];
  for (const m of summaries.filter((s) => s.id.startsWith('mcr-'))) {
    for (const otherId of ['kernel', 'socat', 'baseline']) {
      const other = by(otherId);
      if (!other) continue;
      const cells = [64, 1400].map((size) =>
        ratioCell(m.rate[size]?.median, other.rate[size]?.median, m.genLimited[size] === true && !other.genLimited[size]),
      );
      rows.push([`${m.label} / ${other.label}`, ...cells, ratioCell(m.relayUs?.median, other.relayUs?.median)]);
    }
  }
  return rows;
}

function targets(summaries: Summary[]): string[] {
  const m = summaries.find((s) => s.id === 'mcr-uring-1w');
  const k = summaries.find((s) => s.id === 'kernel');
  const so = summaries.find((s) => s.id === 'socat');
  if (!m) return [];
  const verdict = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'met' : 'NOT met');
  const ratio = (other: Summary | undefined, size: number, want: number) => {
    const a = m.rate[size]?.median;
    const b = other?.rate[size]?.median;
    return a && b ? { ok: a / b >= want, text: `${(a / b).toFixed(2)}×` } : null;
  };
  const lines: string[] = [];
  for (const size of [64, 1400]) {
    const rk = ratio(k, size, 1);
    lines.push(`mcr ≥ 1.0× kernel at ${size} B: ${verdict(rk?.ok ?? null)}${rk ? ` (${rk.text})` : ''}`);
    const rs = ratio(so, size, 5);
    lines.push(`mcr ≥ 5× socat at ${size} B: ${verdict(rs?.ok ?? null)}${rs ? ` (${rs.text})` : ''}`);
  }
  // The issue's bar: no more CPU per packet than the cheapest userspace relay one can
  // write with plain batched sockets (the baseline), shown beside it.
  const us = m.relayUs?.median;
  const baselineUs = summaries.find((s) => s.id === 'baseline')?.relayUs?.median;
  const cheaper = us === undefined || baselineUs === undefined ? null : us <= baselineUs;
  lines.push(`mcr relay CPU ≤ plain recvmmsg/sendmmsg relay: ${verdict(cheaper)}${us === undefined || baselineUs === undefined ? '' : ` (${us.toFixed(2)} vs ${baselineUs.toFixed(2)} µs)`}`);
  // When mcr stopped at the tools' limit, its ratio to socat is capped by this testbed:
  // say how far the testbed can see, and what CPU per packet says about capacity.
  const none = summaries.find((s) => s.id === 'none');
  for (const size of [64, 1400]) {
    const ceiling = none?.rate[size]?.median;
    const socatRate = so?.rate[size]?.median;
    if (m.genLimited[size] && ceiling && socatRate) {
      lines.push(`  at ${size} B mcr reached the generator's limit: the most this testbed can show against socat is about ${(ceiling / socatRate).toFixed(1)}× (no relay ${kpps(ceiling)} / socat ${kpps(socatRate)})`);
    }
  }
  const socatUs = so?.relayUs?.median;
  if (us && socatUs) lines.push(`  CPU per packet, socat / mcr: ${(socatUs / us).toFixed(1)}× (what one core forwards, relative)`);
  return lines;
}

/** For each search, the first failure above the best pass: what the counters said. */
function firstFailures(result: ForwardingResult): string[][] {
  const rows: string[][] = [];
  for (const s of result.systems) {
    for (const size of [64, 1400] as const) {
      s.rates[size].forEach((search, rep) => {
        const fail = search.trials.filter((t) => !t.pass && t.offered > search.offered).sort((a, b) => a.offered - b.offered)[0];
        if (!fail) return;
        const counters = Object.entries(fail.counters ?? {})
          .filter(([k]) => /drops|full|errors|freezes|no_match/.test(k))
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
        rows.push([s.id, `${size}`, `${rep + 1}`, kpps(fail.offered), kpps(fail.genRate), String(fail.lost), String(fail.socketDrops ?? 'n/a'), counters || '—']);
      });
    }
  }
  return rows;
}

const METHOD = `### Method

- Topology: src —veth— relay —veth— rx, each in its own network namespace, fresh for
  every system and repetition (\`src/netns/topologies.ts\` \`chain\`). "No relay" is gen and
  sink across one veth pair. mcr-gen sends one stream to 239.1.1.1:5000 with TTL 8; the
  relay sends it on as 239.2.2.2:5000 and mcr-sink in rx checks every datagram (loss,
  duplicates, order, payload). Kernel routing cannot rewrite the group, so for it the
  receiver joins 239.1.1.1.
- Max 0-loss rate: from 100k pps, double until a trial fails, then bisect between the best
  pass and the lowest failure to the stated precision. A trial sends rate × seconds
  datagrams and passes only if every datagram sent arrived once, in order, intact. The
  reported rate is the generator's achieved rate in the best passing trial. "(gen)" marks
  a result whose best pass had mcr-gen more than 5 % short of the offered rate: generator,
  relay and sink together had saturated the two CPUs, and offering more got no more
  through (or only with loss). What a relay would do on a core of its own is not measured
  here; its CPU per packet speaks to that. In the ratios, "≥" marks an mcr rate that was
  so limited against one that was not.
- CPUs (when there are two or more): mcr-gen and mcr-sink run on CPU 0, every process of
  a userspace relay (all threads; mcr with 2 workers too) on CPU 1, so a relay never
  competes with the tools that judge it; RPS on the relay's input veth moves its receive
  work (and so the kernel's own forwarding, which has no process) to CPU 1 as well. The
  receiver's RPS stays off.
- The machine is shared. Before each trial the bench waits for it to be under 12 % busy
  (\`busyBefore\` and \`quietWaitedMs\` in the JSON), at most \`quietWaitMs\` per trial and
  \`quietBudgetSeconds\` for the whole scenario, so a busy machine cannot stretch the run.
  Over each trial it computes the share of all CPUs' time spent by neither the bench, its
  tools, the relay nor ksoftirqd (\`foreignShare\`); a failed trial during which that
  exceeded 15 % (a CPU trial: 8 %, whatever its outcome) is repeated, at most \`retries\`
  times (full: 2, quick: 0). The disturbed attempts are kept in the JSON (\`disturbed\`).
- Relay CPU per packet: at one rate every relay sustains, the relay's CPU over the trial
  divided by the datagrams the sink received. For mcr, socat and the baseline: user+system
  time (/proc/PID/stat, exact: the scheduler's runtime) of every process in the relay
  namespace (mcr: the relay-runner node process with all its threads). Without
  IRQ_TIME_ACCOUNTING that includes softirq work run inside the relay's own system calls
  (its sends carry each datagram through the out veth into the receiver's socket), but not
  the ingress work (the in veth's receive, AF_PACKET or socket delivery), which runs in the
  sender's send calls. For the kernel, which forwards inside that same softirq work, it is
  the added machine CPU below.
- Added machine CPU per packet: all CPUs' busy time over the trial (elapsed × CPUs minus
  idle, iowait and steal from /proc/stat; the nohz idle clock is exact, while /proc/stat's
  user/system/softirq columns are tick samples that miss a thread waking just after each
  tick) minus the no-relay run's with the same traffic (paired by repetition), per packet:
  the whole cost of the relay being in the path, comparable across all systems, but it
  also counts anything else that ran on the machine meanwhile.
- Veth hands a datagram to the receiving side inside the sender's own send call (same
  CPU). So the kernel's forwarding runs in mcr-gen's context and slows it: for the kernel,
  "(gen)" means the forwarding cost held the sender back, a real limit of that path on this
  testbed. For the same reason the no-relay run is not an upper bound for relayed paths:
  with a userspace relay the receive side's work moves to the relay's CPU.
`;

export function forwardingMarkdown(result: ForwardingResult): string {
  const summaries = summarize(result);
  const errors = result.systems.filter((s) => s.error).map((s) => `${s.label}: ${s.error}`);
  const { cpu } = result.settings;
  const cpuLine = `CPU per packet measured at ${kpps(cpu.rate)} pps, ${cpu.size} B payload, ${cpu.seconds} s per trial.`;
  const disturbed = result.systems.reduce((n, s) => n + s.disturbed.length, 0);
  return [
    `Mode ${result.mode}, ${result.elapsedSeconds} s; ${disturbed} trials repeated because other work disturbed them.`,
    `Median of ${result.settings['reps'] ?? ''} repetition(s), [min–max] across them. ${cpuLine}`,
    '',
    markdownTable(HEADER, tableRows(summaries)),
    '',
    ...result.systems.filter((s) => s.note).map((s) => `- ${s.label}: ${s.note}`),
    '',
    '### Ratios',
    '',
    markdownTable(['ratio (medians)', '64 B', '1400 B', 'relay CPU µs/pkt'], ratioRows(summaries)),
    '',
    '### Targets',
    '',
    ...targets(summaries).map((line) => (line.startsWith('  ') ? `  - ${line.trim()}` : `- ${line}`)),
    ...(errors.length ? ['', '### Systems that could not be measured', '', ...errors.map((e) => `- ${e}`)] : []),
    '',
    '### Where loss first appeared',
    '',
    "The lowest failing trial above each search's best pass: datagrams lost, the sink's own socket drops, and the relay's drop counters (mcr only).",
    '',
    markdownTable(['system', 'size', 'rep', 'offered', 'achieved', 'lost', 'sink socket drops', 'relay counters'], firstFailures(result)),
    '',
    METHOD,
  ].join('\n');
}

export function forwardingHeadline(result: ForwardingResult): HeadlineRow[] {
  const summaries = summarize(result);
  const row = (measure: string, cell: (s: Summary) => string): HeadlineRow => ({
    measure,
    values: Object.fromEntries(summaries.map((s) => [s.id, cell(s)])),
  });
  const { cpu } = result.settings;
  return [
    row('1 stream, 64 B: max 0-loss pps (median)', (s) => rateText(s, 64)),
    row('1 stream, 1400 B: max 0-loss pps (median)', (s) => rateText(s, 1400)),
    row(`relay CPU µs per packet (${kpps(cpu.rate)} pps, ${cpu.size} B)`, (s) => (s.relayUs ? s.relayUs.median.toFixed(2) : 'n/a')),
  ];
}

/** A search trial's delivered rate: what the sink received over the generator's time. */
export function deliveredRate(t: Trial): number {
  return t.sent > 0 && t.genRate > 0 ? (t.received * t.genRate) / t.sent : 0;
}

/** Delivered versus offered rate, every search trial of every repetition, one panel per size. */
export function forwardingChart(result: ForwardingResult): string {
  const name = (id: string, label: string) => SYSTEM_NAMES.find(([k]) => k === id)?.[1] ?? label;
  const panels = (result.settings.sizes as (64 | 1400)[]).map((size) => ({
    title: `${size} B payload`,
    series: result.systems.map(
      (s): Series => ({
        label: name(s.id, s.label),
        points: s.rates[size].flatMap((search) => search.trials.map((t) => ({ x: t.offered, y: deliveredRate(t) }))),
      }),
    ),
  }));
  return lineChart(panels, {
    title: `One stream through each system: delivered vs offered (${result.machine.cpuCount} CPUs, ${result.machine.date.slice(0, 10)})`,
    xLabel: 'offered datagrams/s',
    yLabel: 'delivered datagrams/s (at the receiver)',
  });
}
