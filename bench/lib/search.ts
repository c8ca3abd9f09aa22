// The search for the highest rate a system forwards with zero loss: double from a
// guess until a trial fails, then bisect between the best pass and the lowest failure
// above it. Bounded in trials and in rate.
//
// Rates are offered to the generator, but judged by what it achieved: on a 2-core box
// the generator often falls short (the relay and the sink take CPU, and the kernel's
// receive work runs inside its send calls). So the search ends when offering more gets
// no more through (a "generator" limit: the path, tools included, is saturated), or when
// the lowest failure's achieved rate is within `precision` of the best pass's.
import type { Trial } from './trial.js';

export interface SearchOptions {
  start: number;
  precision: number;
  minRate: number;
  maxRate: number;
  maxTrials: number;
}

export type Limit = 'system' | 'generator' | 'max-rate' | 'min-rate' | 'trials';

/** What the search reads of a trial; any trial shape that has these can be searched. */
export type Judged = Pick<Trial, 'offered' | 'pass' | 'genRate' | 'genLimited'>;

export interface SearchResult<T extends Judged = Trial> {
  /** The achieved (generator-measured) rate of the best passing trial; 0 if none. */
  rate: number;
  /** The offered rate of that trial. */
  offered: number;
  /** The lowest offered rate above the best pass that failed, if any. */
  failedAt: number | null;
  limit: Limit;
  trials: T[];
}

/** Three significant digits: coarse enough to read, fine enough for bisection to move. */
function round(rate: number): number {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(rate, 1))) - 2);
  return Math.max(1, Math.round(rate / step) * step);
}

/** What to do after the trials so far: the next offered rate, or why to stop. */
function next(trials: Judged[], o: SearchOptions): number | Limit {
  const last = trials.at(-1) as Judged;
  const passes = trials.filter((t) => t.pass);
  const best = passes.reduce<Judged | null>((b, t) => (!b || t.genRate > b.genRate ? t : b), null);
  if (!best) return last.offered <= o.minRate ? 'min-rate' : round(Math.max(o.minRate, last.offered / 2));
  // Failures below the best pass are noise on a shared machine: kept, not steered by.
  const fail = trials.filter((t) => !t.pass && t.offered > best.offered).sort((a, b) => a.offered - b.offered)[0];
  if (!fail) {
    const before = passes.slice(0, -1).reduce((m, t) => Math.max(m, t.genRate), 0);
    // Offered more, got (almost) nothing more through: saturated.
    if (last.pass && last.genLimited && last.genRate <= before * (1 + o.precision)) return 'generator';
    return last.offered >= o.maxRate ? 'max-rate' : round(Math.min(o.maxRate, last.offered * 2));
  }
  if (fail.genRate <= best.genRate * (1 + o.precision)) return best.genLimited ? 'generator' : 'system';
  const rate = round((best.offered + fail.offered) / 2);
  return rate === best.offered || rate === fail.offered ? (best.genLimited ? 'generator' : 'system') : rate;
}

export async function searchZeroLoss<T extends Judged = Trial>(trial: (rate: number) => Promise<T>, o: SearchOptions): Promise<SearchResult<T>> {
  const trials: T[] = [];
  let rate = round(o.start);
  let limit: Limit = 'trials';
  while (trials.length < o.maxTrials) {
    trials.push(await trial(rate));
    const step = next(trials, o);
    if (typeof step === 'string') {
      limit = step;
      break;
    }
    rate = step;
  }
  const best = trials.filter((t) => t.pass).reduce<T | null>((b, t) => (!b || t.genRate > b.genRate ? t : b), null);
  const failedAt = trials.filter((t) => !t.pass && t.offered > (best?.offered ?? 0)).reduce<number | null>((m, t) => (m === null ? t.offered : Math.min(m, t.offered)), null);
  return { rate: best?.genRate ?? 0, offered: best?.offered ?? 0, failedAt, limit, trials };
}
