// The issue's targets judged from a run's own numbers (pure): a ratio of two medians
// against a bound, or a count of 0-loss trials. A target whose figures are missing
// says why ("mcr-frame-1w: not available in this build"), and one judged on fewer
// repetitions than the issue asks for is marked as indicative, never hidden.
import { markdownTable } from './report.js';

export type Verdict = 'met' | 'not met' | 'not measured';

export interface TargetRow {
  target: string;
  measured: string;
  verdict: Verdict;
  note?: string;
}

/** A median and how many repetitions it is the median of; or why there is none. */
export type Measured = { value: number; n: number } | { missing: string };

/** The issue asks for medians of at least this many repetitions. */
export const MIN_REPETITIONS = 3;

const missing = (m: Measured): m is { missing: string } => 'missing' in m;

function fewNote(...figures: { n: number }[]): string | undefined {
  const least = Math.min(...figures.map((f) => f.n));
  return least < MIN_REPETITIONS ? `${least} repetition${least === 1 ? '' : 's'}, fewer than ${MIN_REPETITIONS}: indicative only` : undefined;
}

export interface RatioSpec {
  target: string;
  /** The system judged, and the one it is measured against. */
  subject: Measured;
  reference: Measured;
  bound: 'at most' | 'at least';
  factor: number;
  format(value: number): string;
}

/** subject / reference against factor; the row shows both figures and the ratio. */
export function ratioTarget(spec: RatioSpec): TargetRow {
  const { subject, reference } = spec;
  if (missing(subject) || missing(reference)) {
    const why = [subject, reference].filter(missing).map((m) => m.missing);
    return { target: spec.target, measured: '—', verdict: 'not measured', note: why.join('; ') };
  }
  if (reference.value <= 0) return { target: spec.target, measured: `${spec.format(subject.value)} vs ${spec.format(reference.value)}`, verdict: 'not measured', note: 'reference is zero' };
  const ratio = subject.value / reference.value;
  const ok = spec.bound === 'at most' ? ratio <= spec.factor : ratio >= spec.factor;
  const note = fewNote(subject, reference);
  return {
    target: spec.target,
    measured: `${spec.format(subject.value)} vs ${spec.format(reference.value)}: ${ratio.toFixed(2)}×`,
    verdict: ok ? 'met' : 'not met',
    ...(note ? { note } : {}),
  };
}

/** Every trial 0-loss, and at least `want` trials of them. */
export function allTrialsTarget(target: string, trials: { pass: boolean }[] | { missing: string }, want: number): TargetRow {
  if ('missing' in trials) return { target, measured: '—', verdict: 'not measured', note: trials.missing };
  if (trials.length === 0) return { target, measured: '—', verdict: 'not measured', note: 'no trials ran' };
  const passes = trials.filter((t) => t.pass).length;
  const measured = `${passes} of ${trials.length} trials 0-loss`;
  const short = trials.length < want ? `${trials.length} trials, fewer than ${want}: indicative only` : undefined;
  return { target, measured, verdict: passes === trials.length ? 'met' : 'not met', ...(short ? { note: short } : {}) };
}

export function targetsTable(rows: readonly TargetRow[]): string {
  return markdownTable(
    ['target', 'measured', 'verdict'],
    rows.map((r) => [r.target, r.measured, `${r.verdict}${r.note ? ` (${r.note})` : ''}`]),
  );
}
