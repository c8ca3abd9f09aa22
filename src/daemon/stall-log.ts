// The log lines of stalls: one when a rule becomes stalled (every input silent for its
// timeout), one when it is receiving again, with how long it was stalled. It keeps which
// rules were stalled at the last sample; it reads nothing itself (the daemon hands it
// each sample's rule states) and says nothing about rules that are not stalled.
import type { RuleStats } from '../stats/types.js';

export interface StallLine {
  readonly level: 'warn' | 'info';
  readonly message: string;
}

export class StallLog {
  /** Rule key -> when its stall was first seen (ms). */
  private readonly since = new Map<string, number>();

  /** The lines for what changed since the previous sample. */
  observe(rules: readonly RuleStats[], now: number): StallLine[] {
    const lines: StallLine[] = [];
    const seen = new Set<string>();
    for (const rule of rules) {
      seen.add(rule.key);
      const stalled = rule.state === 'stalled';
      const started = this.since.get(rule.key);
      if (stalled && started === undefined) {
        this.since.set(rule.key, now);
        const timeout = rule.health.timeoutMs === null ? '' : ` for ${rule.health.timeoutMs} ms`;
        lines.push({ level: 'warn', message: `rule "${rule.name}" stalled: no datagram on any input${timeout}` });
      } else if (!stalled && started !== undefined) {
        this.since.delete(rule.key);
        const why = rule.state === 'active' ? 'receiving again' : `now ${rule.state}`;
        lines.push({ level: 'info', message: `rule "${rule.name}" no longer stalled (${why}) after ${((now - started) / 1000).toFixed(1)} s` });
      }
    }
    // A rule that left the file is no longer watched.
    for (const key of [...this.since.keys()]) if (!seen.has(key)) this.since.delete(key);
    return lines;
  }
}
