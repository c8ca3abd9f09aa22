// bench/results/latest.{json,md}: what one run measured, scenario by scenario, put
// together without knowing what is inside each result (each scenario renders its own
// section). Pure, apart from nothing: the run writes the files. A run of a few
// scenarios (--only) updates their entries and keeps the others', each entry dated.
import type { MachineInfo } from './cpu.js';
import type { Placement } from './affinity.js';
import { markdownTable } from './report.js';
import type { HeadlineRow, Scenario } from './scenario.js';
import type { BuildInfo } from './snapshot.js';
import { targetsTable, type TargetRow } from './targets.js';

export type EntryStatus = 'ok' | 'failed' | 'not present';

export interface ScenarioEntry {
  id: string;
  title: string;
  status: EntryStatus;
  error?: string;
  date: string;
  mode: string;
  build: BuildInfo;
  elapsedSeconds: number;
  result?: unknown;
}

export interface Latest {
  machine: MachineInfo;
  date: string;
  mode: string;
  build: BuildInfo;
  systems: string[];
  placement: Placement;
  /** Scenario ids in the order they are listed in the run's registry. */
  order: string[];
  scenarios: Record<string, ScenarioEntry>;
}

/**
 * The systems' short names in the headline table, in their column order. Ids of
 * earlier benches stay, so that their results still render.
 */
export const SYSTEM_NAMES: [string, string][] = [
  ['mcr-frame-1w', 'mcr frame egress'],
  ['mcr-socket-1w', 'mcr socket egress'],
  ['nft', 'kernel fast path (nft)'],
  ['smcroute', 'kernel routing (smcroute)'],
  ['socat', 'socat'],
  ['baseline', 'plain mmsg relay'],
  ['none', 'no relay'],
  ['mcr', 'mcr (default egress)'],
  ['mcr-uring-1w', 'mcr 1 worker'],
  ['mcr-uring-2w', 'mcr 2 workers'],
  ['mcr-syscalls-1w', 'mcr 1w (syscalls)'],
  ['kernel', 'kernel (smcroute)'],
];

/** This run's entries over the previous file's, when both measured in the same mode. */
export function mergeLatest(previous: Latest | null, current: Latest): Latest {
  if (!previous || previous.mode !== current.mode) return current;
  const scenarios = { ...previous.scenarios };
  for (const [id, entry] of Object.entries(current.scenarios)) {
    // A scenario absent from this worktree does not erase one measured before.
    if (entry.status === 'not present' && scenarios[id]?.status === 'ok') continue;
    scenarios[id] = entry;
  }
  const order = [...current.order, ...previous.order.filter((id) => !current.order.includes(id))];
  // The previous file may list ids in another order (an older registry): keep this run's.
  return { ...current, order, scenarios };
}

/** Rows: one per measure; columns: systems in SYSTEM_NAMES order, then any others; "—": not measured there. */
export function headlineTable(rows: HeadlineRow[]): string {
  if (rows.length === 0) return '';
  const used = new Set(rows.flatMap((r) => Object.keys(r.values)));
  const known = SYSTEM_NAMES.filter(([id]) => used.has(id));
  const others = [...used].filter((id) => !SYSTEM_NAMES.some(([k]) => k === id));
  const columns: [string, string][] = [...known, ...others.map((id): [string, string] => [id, id])];
  return markdownTable(
    ['measure', ...columns.map(([, name]) => name)],
    rows.map((r) => [r.measure, ...columns.map(([id]) => r.values[id] ?? '—')]),
  );
}

function describeBuild(b: BuildInfo): string {
  return `${b.commit}${b.dirty ? ' (+ uncommitted changes)' : ''}`;
}

/** Whole latest.md: machine, headline table, then each scenario's own section. */
export function renderLatest(latest: Latest, scenarios: Record<string, Scenario | undefined>, chartFile?: string): string {
  const m = latest.machine;
  const headline: HeadlineRow[] = [];
  const targets: TargetRow[] = [];
  const sections: string[] = [];
  const summary: string[][] = [];
  for (const id of latest.order) {
    const entry = latest.scenarios[id];
    if (!entry) continue;
    const scenario = scenarios[id];
    const when = entry.status === 'not present' ? '' : `${entry.date}, ${entry.mode}, build ${describeBuild(entry.build)}, ${entry.elapsedSeconds} s`;
    summary.push([id, entry.title, entry.status + (entry.error ? `: ${entry.error.split('\n')[0]}` : ''), when]);
    if (entry.status !== 'ok' || !scenario) continue;
    try {
      headline.push(...(scenario.headline?.(entry.result) ?? []));
      targets.push(...(scenario.targets?.(entry.result) ?? []));
      sections.push(`## ${entry.title}\n\n${scenario.render(entry.result).trim()}\n`);
    } catch (error) {
      sections.push(`## ${entry.title}\n\nCould not render this result: ${String(error)}\n`);
    }
  }
  return [
    '# mcr benchmarks: latest results',
    '',
    `${m.cpuCount} × ${m.cpuModel}, Linux ${m.kernel}, Node ${m.node}; run ${latest.date}, mode ${latest.mode}, build ${describeBuild(latest.build)}` +
      `${m.netdevMaxBacklog ? `; net.core.netdev_max_backlog ${m.netdevMaxBacklog}` : ''}.`,
    latest.placement.traffic === null
      ? 'Processes not pinned to CPUs (--no-pin, or a one-CPU machine).'
      : `Generator and sink pinned to CPU ${latest.placement.traffic}, every relay process to CPU ${latest.placement.relay}.`,
    '',
    '## Headline',
    '',
    headlineTable(headline) || 'No scenario produced a headline figure.',
    '',
    ...(chartFile ? [`Delivered versus offered rate, one stream: [${chartFile}](${chartFile})`, ''] : []),
    ...(targets.length > 0
      ? ['## Targets', '', 'Judged from the numbers above, each in the scenario that measures it (medians of its repetitions).', '', targetsTable(targets), '']
      : []),
    '## Scenarios in this file',
    '',
    markdownTable(['id', 'scenario', 'status', 'measured'], summary),
    '',
    ...sections,
  ].join('\n');
}
