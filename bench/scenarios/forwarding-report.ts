// The forwarding scenario's results: derived numbers (medians, spreads, ratios to the
// kernel fast path, socat and the baseline), its targets, its section of latest.md,
// its headline rows, and the chart of delivered versus offered rate. All pure: the
// run writes the files.
import type { MachineInfo } from '../lib/cpu.js';
import { SYSTEM_NAMES } from '../lib/latest.js';
import { KERNEL_FAST, kernelReferenceOf, MCR_FRAME } from '../lib/system-ids.js';
import { kpps, markdownTable, rateCell, ratioCell, ratioSuffix, shortReason, spread, type Spread } from '../lib/report.js';
import type { SystemRecord } from '../lib/rig-run.js';
import type { HeadlineRow } from '../lib/scenario.js';
import type { SearchResult } from '../lib/search.js';
import type { BuildInfo } from '../lib/snapshot.js';
import { lineChart, type Series } from '../lib/svg-chart.js';
import { ratioTarget, type Measured, type TargetRow } from '../lib/targets.js';
import type { Trial } from '../lib/trial.js';

export interface SystemResult extends SystemRecord {
  rates: Record<64 | 1400, SearchResult[]>;
}

export interface ForwardingResult {
  scenario: 'forwarding';
  mode: string;
  machine: MachineInfo;
  build: BuildInfo;
  settings: Record<string, unknown> & { sizes: number[] };
  elapsedSeconds: number;
  systems: SystemResult[];
}

interface Summary {
  id: string;
  label: string;
  /** Why there is nothing: unavailable here, or the error it failed with. */
  absent?: string;
  rate: Record<number, Spread | null>;
  /** Some repetition stopped because the generator, not the system, fell short. */
  genLimited: Record<number, boolean>;
}

export function summarize(result: ForwardingResult): Summary[] {
  return result.systems.map((s) => {
    const rate: Record<number, Spread | null> = {};
    const genLimited: Record<number, boolean> = {};
    for (const size of result.settings.sizes as (64 | 1400)[]) {
      rate[size] = spread(s.rates[size].map((r) => r.rate));
      genLimited[size] = s.rates[size].some((r) => r.limit === 'generator');
    }
    const absent = s.unavailable ?? (s.error ? `error: ${s.error}` : undefined);
    return { id: s.id, label: s.label, ...(absent ? { absent } : {}), rate, genLimited };
  });
}

function rateText(sum: Summary, size: number): string {
  if (sum.absent && !sum.rate[size]) return shortReason(sum.absent);
  return rateCell(sum.rate[size] ?? null, sum.genLimited[size] ? ' (gen)' : '');
}

export const REFERENCES: [string, string][] = [
  [KERNEL_FAST, 'kernel fast path'],
  ['socat', 'socat'],
  ['baseline', 'mmsg relay'],
];

/** Each relay's rate over the kernel fast path's, socat's and the baseline's, per size. */
function ratioTable(summaries: Summary[]): string {
  const by = (id: string) => summaries.find((s) => s.id === id && !s.absent);
  const rows = summaries
    .filter((s) => s.id !== 'none' && !s.absent)
    .map((m) => [
      m.label,
      ...[64, 1400].flatMap((size) =>
        REFERENCES.map(([id]) => {
          const other = by(id === KERNEL_FAST ? kernelReferenceOf(m.id) : id);
          if (!other || other.id === m.id) return '';
          return ratioCell(m.rate[size]?.median, other.rate[size]?.median, m.genLimited[size] === true && !other.genLimited[size]);
        }),
      ),
    ]);
  const header = ['system', ...[64, 1400].flatMap((size) => REFERENCES.map(([, name]) => `${size} B: × ${name}`))];
  return markdownTable(header, rows);
}

/** A system's median 0-loss rate at a size, as a target reads it. */
function measuredRate(summaries: Summary[], id: string, size: number): Measured {
  const s = summaries.find((x) => x.id === id);
  if (!s) return { missing: `${id} not in this run` };
  const r = s.rate[size];
  if (!r) return { missing: `${id}: ${s.absent ? shortReason(s.absent) : 'no result'}` };
  return { value: r.median, n: r.n };
}

export function forwardingTargets(result: ForwardingResult): TargetRow[] {
  const summaries = summarize(result);
  return [64, 1400].map((size) =>
    ratioTarget({
      target: `max 0-loss rate, one stream, ${size} B: mcr frame egress ≥ 0.95× the kernel fast path`,
      subject: measuredRate(summaries, MCR_FRAME, size),
      reference: measuredRate(summaries, KERNEL_FAST, size),
      bound: 'at least',
      factor: 0.95,
      format: (v) => `${kpps(v)} pps`,
    }),
  );
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
        rows.push([s.id, `${size}`, `${rep + 1}`, kpps(fail.offered), kpps(fail.genRate), String(fail.lost), String(fail.socketDrops ?? 'n/a'), String(fail.backlogDrops ?? 'n/a'), counters || '—']);
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
  duplicates, order, payload). Kernel multicast routing cannot rewrite the group, so for
  it the receiver joins 239.1.1.1. The kernel fast path is an nftables netdev ingress
  chain on the relay's input that rewrites Ethernet source and destination, IP
  destination and UDP port and ends in \`fwd to "out0"\` (\`bench/lib/nft-script.ts\`).
- Max 0-loss rate: from 100k pps, double until a trial fails, then bisect between the best
  pass and the lowest failure to the stated precision. A trial sends rate × seconds
  datagrams and passes only if every datagram sent arrived once, in order, intact. The
  reported rate is the generator's achieved rate in the best passing trial. "(gen)" marks
  a result whose best pass had mcr-gen more than 5 % short of the offered rate: generator,
  relay and sink together had saturated the two CPUs, and offering more got no more
  through (or only with loss). In the ratios, "≥" marks a rate that was so limited
  against one that was not.
- CPUs (when there are two or more): mcr-gen and mcr-sink run on CPU 0, every process of
  a userspace relay (all threads) on CPU 1, and RPS on the relay's input veth moves its
  receive work (and so the kernel's own forwarding, nft's or the routing table's, which
  has no process) to CPU 1 as well. The receiver's RPS stays off: its receive work runs
  where the relay sent from. Veth delivers inside the sender's send call, so on CPU 0
  the generator also pays for handing each datagram to CPU 1's backlog.
- The machine is shared. Before each trial the bench waits for it to be under 12 % busy
  (\`busyBefore\` and \`quietWaitedMs\` in the JSON), at most \`quietWaitMs\` per trial and
  \`quietBudgetSeconds\` for the whole scenario, so a busy machine cannot stretch the run.
  Over each trial it computes the share of all CPUs' time spent by neither the bench, its
  tools, the relay nor ksoftirqd (\`foreignShare\`); a failed trial during which that
  exceeded 15 % is repeated, at most \`retries\` times (full: 2, quick: 0). The disturbed
  attempts are kept in the JSON (\`disturbed\`).
`;

export function forwardingMarkdown(result: ForwardingResult): string {
  const summaries = summarize(result);
  const absent = result.systems.filter((s) => s.unavailable || s.error).map((s) => `${s.label}: ${s.unavailable ?? s.error}`);
  const disturbed = result.systems.reduce((n, s) => n + s.disturbed.length, 0);
  return [
    `Mode ${result.mode}, ${result.elapsedSeconds} s; ${disturbed} trials repeated because other work disturbed them.`,
    `Median of ${result.settings['reps'] ?? ''} repetition(s), [min–max] across them.`,
    '',
    markdownTable(['system', '64 B max 0-loss pps', '1400 B max 0-loss pps'], summaries.map((s) => [s.label, rateText(s, 64), rateText(s, 1400)])),
    '',
    ...result.systems.filter((s) => s.note).map((s) => `- ${s.label}: ${s.note}`),
    '',
    '### Ratios',
    '',
    ratioTable(summaries),
    '',
    '### Targets',
    '',
    forwardingTargets(result).map((t) => `- ${t.target}: ${t.verdict}${t.measured === '—' ? '' : ` (${t.measured})`}${t.note ? `; ${t.note}` : ''}`).join('\n'),
    ...(absent.length ? ['', '### Systems not measured', '', ...absent.map((e) => `- ${e}`)] : []),
    '',
    '### Where loss first appeared',
    '',
    "The lowest failing trial above each search's best pass: datagrams lost, the sink's own socket drops, frames the relay core's receive backlog dropped (netdev_max_backlog), and the relay's drop counters (mcr only).",
    '',
    markdownTable(['system', 'size', 'rep', 'offered', 'achieved', 'lost', 'sink socket drops', 'relay core backlog drops', 'relay counters'], firstFailures(result)),
    '',
    METHOD,
  ].join('\n');
}

export function forwardingHeadline(result: ForwardingResult): HeadlineRow[] {
  const summaries = summarize(result);
  const kernelFor = (id: string) => summaries.find((s) => s.id === kernelReferenceOf(id));
  const row = (size: number): HeadlineRow => ({
    measure: `1 stream, ${size} B: max 0-loss pps (median; × the kernel fast path of its family)`,
    values: Object.fromEntries(
      summaries.map((s) => {
        const reference = kernelFor(s.id);
        const suffix = reference === undefined || reference.id === s.id || s.id === 'none' ? '' : ratioSuffix(s.rate[size]?.median, reference.rate[size]?.median);
        return [s.id, `${rateText(s, size)}${suffix}`];
      }),
    ),
  });
  return [row(64), row(1400)];
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
    series: result.systems
      .filter((s) => s.rates[size].length > 0)
      .map(
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
