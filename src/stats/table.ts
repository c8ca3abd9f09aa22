// The table `mcr stats` prints: a header (daemon, config, last reload), one line per
// rule with one indented line per output, and a footer of worker totals. Pure: the
// caller passes the clock and the width, so a test pins every character.
// Times in the table are relative to the sample's own `time` (uptime, reload age), so
// a file renders the same whenever it is read; only the stale warning uses `now`.
import { describeEndpoint } from '../config/endpoints.js';
import { OUTPUT_COUNTERS, RULE_COUNTERS, TOTALS, WORKER_COUNTERS, type TotalsGroup } from '../counter-specs.js';
import { lostOf } from './counter-fields.js';
import { REFLECTOR_DROPS } from './reflectors.js';
import { SOFTNET_DROPPED } from './softnet.js';
import { formatCount, formatDuration, padEnd, padStart, printable, truncate, widthOf } from './humanize.js';
import type { OutputStats, ReloadResult, RuleStats, StatsFile } from './types.js';

export const DEFAULT_WIDTH = 100;
/** A file older than this many intervals is stale: mcrd stopped writing it. */
export const STALE_INTERVALS = 3;
/** Reload errors shown under the header; the rest are counted. */
const MAX_RELOAD_ERRORS = 5;
/** The RULE column never shrinks below this, even in a narrow terminal. */
const MIN_RULE_WIDTH = 12;
const GAP = '  ';

export interface TableOptions {
  /** The current time in milliseconds (Date.now()). */
  now: number;
  /** Columns available; lines are cut to fit. */
  width?: number;
}

/** RULE, STATE, IN pps, OUT pps, DROPS, and INPUT when a rule looks at its stream. */
type Row = string[];
/** A table row, or a note (an error message) spanning the line under the row before. */
type Line = { row: Row } | { note: string };

const HEADINGS: Row = ['RULE', 'STATE', 'IN pps', 'OUT pps', 'DROPS'];
const INPUT_HEADING = 'INPUT';
const RIGHT_ALIGNED = [false, false, true, true, true, false];

/** What the rule saw of the stream it received: "clean", or what was wrong with it;
 * "" when it does not look (no payload setting). */
export function inputVerdict(rule: RuleStats): string {
  const payload = rule.health?.payload ?? null;
  if (payload === null) return '';
  const faults: [number, string][] = [
    [rule.rtp_lost, 'lost'],
    [rule.rtp_duplicates, 'dup'],
    [rule.rtp_reordered, 'reordered'],
    [rule.ts_cc_errors, 'CC err'],
    [rule.ts_tei, 'TEI'],
    [rule.ts_sync_loss, 'sync loss'],
  ];
  const found = faults.filter(([count]) => count > 0).map(([count, what]) => `${formatCount(count)} ${what}`);
  return found.length === 0 ? 'clean' : found.join(', ');
}

/** A path (an input of a rule with several): received, relayed, and what it lost. */
function pathLines(rule: RuleStats): Line[] {
  return rule.paths.map((path, i) => {
    const where = printable(`  <= ${path.interface} ${path.group}:${path.port}${i === 0 ? ' (primary)' : ''}`);
    const state = path.stalled > 0 ? 'stalled' : path.active > 0 ? 'used' : 'standby';
    const lost = path.lost > 0 ? `${formatCount(path.lost)} lost` : 'clean';
    return { row: [where, state, formatCount(path.received), formatCount(path.used), '', rule.health.payload === null ? '' : lost] };
  });
}

/** Parts joined with ", " into lines of at most `width` columns, continuation lines
 * indented; a part too long for any line is cut, as a terminal would wrap it anyway. */
function wrap(parts: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    if (line === '') line = part;
    else if (widthOf(line) + 2 + widthOf(part) <= width) line += `, ${part}`;
    else {
      lines.push(line);
      line = `  ${part}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((text) => truncate(text, width));
}

function secondsBetween(later: string | number, earlier: string): number {
  const end = typeof later === 'number' ? later : Date.parse(later);
  return Math.max(0, Math.round((end - Date.parse(earlier)) / 1000));
}

function reloadText(reload: ReloadResult | null, time: string): string {
  if (reload === null) return 'no reload yet';
  const details: string[] = [];
  if (reload.ok && reload.skipped) details.push('nothing changed');
  else if (reload.ok) details.push(`${reload.added} added`, `${reload.removed} removed`, `${reload.changed} changed`);
  else details.push(`${reload.errors.length} error${reload.errors.length === 1 ? '' : 's'}`);
  if (reload.restarted) details.push('data plane restarted');
  const verdict = reload.ok ? 'ok' : 'FAILED';
  return `last reload ${verdict} ${formatDuration(secondsBetween(time, reload.at))} ago (${reload.trigger}: ${details.join(', ')})`;
}

function header(stats: StatsFile, now: number, width: number): string[] {
  const lines: string[] = [];
  const age = secondsBetween(now, stats.time);
  if (stats.daemon.state === 'stopped') {
    lines.push(`mcrd is stopped: these are its final counters, written ${age} s ago`);
  } else if (age > STALE_INTERVALS * stats.interval) {
    lines.push(`stale: last written ${age} s ago (mcrd writes every ${stats.interval} s; is it still running?)`);
  }
  const { daemon, config } = stats;
  const backend = printable(daemon.fallbackReason ? `backend ${daemon.backend} (${daemon.fallbackReason})` : `backend ${daemon.backend}`);
  const workers = `${daemon.workers} worker${daemon.workers === 1 ? '' : 's'}`;
  lines.push(...wrap([`mcrd ${daemon.state}`, `pid ${daemon.pid}`, `up ${formatDuration(daemon.uptime)}`, backend, workers], width));
  lines.push(...wrap([`config generation ${config.generation}`, reloadText(config.lastReload, stats.time)], width));
  const errors = config.lastReload?.ok === false ? config.lastReload.errors : [];
  for (const error of errors.slice(0, MAX_RELOAD_ERRORS)) lines.push(truncate(printable(`  ! ${error}`), width));
  if (errors.length > MAX_RELOAD_ERRORS) lines.push(`  ! and ${errors.length - MAX_RELOAD_ERRORS} more (mcr stats --json shows them all)`);
  return lines;
}

function outputLines(rule: RuleStats, output: OutputStats): Line[] {
  // A dash, not 0, where nothing can flow: "active at 0 pps" is the signal worth seeing.
  const flowing = rule.state === 'active' && output.state === 'active';
  const where = printable(`  -> ${describeEndpoint(output)}`);
  const lines: Line[] = [{ row: [where, output.state, '', flowing ? formatCount(output.pps) : '-', formatCount(lostOf(output, OUTPUT_COUNTERS))] }];
  if (output.state === 'error' && output.error) lines.push({ note: printable(`     error: ${output.error}`) });
  return lines;
}

function ruleLines(rule: RuleStats): Line[] {
  const drops = rule.outputs.reduce((sum, output) => sum + lostOf(output, OUTPUT_COUNTERS), lostOf(rule, RULE_COUNTERS));
  const lines: Line[] = [{ row: [printable(rule.name), rule.state, rule.state === 'active' ? formatCount(rule.pps) : '-', '', formatCount(drops), inputVerdict(rule)] }];
  if (rule.state === 'error' && rule.error) lines.push({ note: printable(`  error: ${rule.error}`) });
  lines.push(...pathLines(rule));
  for (const output of rule.outputs) lines.push(...outputLines(rule, output));
  return lines;
}

function table(rules: RuleStats[], width: number): string[] {
  // The INPUT column only where a rule looks at its stream: other tables keep their shape.
  const looks = rules.some((rule) => (rule.health?.payload ?? null) !== null || rule.paths.length > 0);
  const headings = looks ? [...HEADINGS, INPUT_HEADING] : HEADINGS;
  const lines: Line[] = rules.flatMap(ruleLines).map((line) => ('row' in line ? { row: line.row.slice(0, headings.length) } : line));
  const rows = [headings, ...lines.flatMap((line) => ('row' in line ? [line.row] : []))];
  const widths = headings.map((_, column) => Math.max(...rows.map((row) => widthOf(row[column] ?? ''))));
  // Only the RULE column gives way: numbers and states are never cut.
  const rest = widths.slice(1).reduce((sum, w) => sum + w + GAP.length, 0);
  widths[0] = Math.min(widths[0] ?? 0, Math.max(MIN_RULE_WIDTH, width - rest));
  const render = (row: Row): string =>
    row
      .map((cell, column) => {
        const w = widths[column] ?? 0;
        const text = truncate(cell, w);
        return RIGHT_ALIGNED[column] ? padStart(text, w) : padEnd(text, w);
      })
      .join(GAP)
      .trimEnd();
  const body = lines.map((line) => ('row' in line ? render(line.row) : truncate(line.note, width)));
  return [render(headings), ...(rules.length === 0 ? ['(no rules)'] : body)];
}

/** Worker totals, one part per group of the counter list's TOTALS, each the sum of the
 * worker counters the list puts in it. */
function footer(totals: Record<string, number>, width: number): string[] {
  const parts = (Object.keys(TOTALS) as TotalsGroup[]).map((group) => {
    const sum = WORKER_COUNTERS.filter((spec) => spec.total === group).reduce((total, spec) => total + (totals[spec.name] ?? 0), 0);
    return TOTALS[group].text.replace('{}', formatCount(sum));
  });
  return wrap(parts.map((part, i) => (i === 0 ? `totals: ${part}` : part)), width);
}

/** Where loss happened before mcr could see it: the kernel's backlog drops on the
 * workers' CPUs, when there were any. */
function softnetLines(stats: StatsFile, width: number): string[] {
  const total = stats.totals[SOFTNET_DROPPED] ?? 0;
  if (total <= 0) return [];
  const cpus = [...new Set(stats.daemon.cpus.filter((_, i) => (stats.workers[i]?.[SOFTNET_DROPPED] ?? 0) > 0))].sort((a, b) => a - b);
  const where = cpus.length === 0 ? "the workers' CPUs" : cpus.length === 1 ? `CPU ${cpus[0]}` : `CPUs ${cpus.join(', ')}`;
  const noun = total === 1 ? 'packet was' : 'packets were';
  return wrap([`${formatCount(total)} ${noun} dropped by the kernel before mcr could read them (softnet backlog on ${where})`, 'see docs/stats.md#kernel-backlog-drops'], width);
}

/** Each reflector, then one line per interface: in, out, and what its policy stopped. */
function reflectorLines(stats: StatsFile, width: number): string[] {
  return (stats.reflectors ?? []).flatMap((reflector) => [
    truncate(printable(`reflector ${reflector.name} (${reflector.service})`), width),
    ...reflector.interfaces.flatMap((entry) => {
      const drops = REFLECTOR_DROPS.filter((reason) => entry[reason] > 0).map((reason) => `${reason.replace(/_/g, ' ')} ${formatCount(entry[reason])}`);
      return wrap([printable(`  ${entry.interface}: in ${formatCount(entry.received)}`), `out ${formatCount(entry.relayed)}`, ...drops], width);
    }),
  ]);
}

/** The lines of the table, without trailing newlines. */
export function renderTable(stats: StatsFile, options: TableOptions): string[] {
  const width = options.width ?? DEFAULT_WIDTH;
  const reflectors = reflectorLines(stats, width);
  return [
    ...header(stats, options.now, width),
    '',
    ...table(stats.rules, width),
    ...(reflectors.length > 0 ? ['', ...reflectors] : []),
    '',
    ...footer(stats.totals, width),
    ...softnetLines(stats, width),
  ];
}
