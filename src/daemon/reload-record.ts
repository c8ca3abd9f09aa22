// The reload history the stats file reports and the log tells: the running generation,
// the last attempt's result, and how many attempts succeeded or failed since start.
// Each outcome of a reload (refused, skipped, applied) updates it and returns the lines
// to log. Pure, with an injected clock.
import type { Plan } from '../diff.js';
import type { ReloadResult } from '../stats/types.js';
import type { LogLine } from './log.js';

export type Trigger = ReloadResult['trigger'];

interface Attempt {
  readonly trigger: Trigger;
  readonly plan: Plan | null;
  readonly errors: readonly string[];
  readonly restarted?: boolean;
  readonly skipped?: boolean;
}

export class ReloadRecord {
  private current = 1;
  private lastResult: ReloadResult;
  private readonly tally = { ok: 0, failed: 0 };

  /** Start-up applied `plan`; the data plane refused the rules in `refusals` ("KEY: why"). */
  constructor(
    plan: Plan,
    refusals: readonly string[],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.lastResult = this.result({ trigger: 'start', plan, errors: refusals }, refusals.length === 0);
  }

  get generation(): number {
    return this.current;
  }

  get last(): ReloadResult {
    return this.lastResult;
  }

  /** Reload attempts since start, start-up excluded. */
  get counts(): { readonly ok: number; readonly failed: number } {
    return { ...this.tally };
  }

  /** The file could not be read, was invalid, or would not fit: nothing changed. */
  refused(trigger: Trigger, errors: readonly string[]): LogLine[] {
    this.record(this.result({ trigger, plan: null, errors }, false));
    return [
      ...errors.map((message): LogLine => ({ level: 'error', message })),
      { level: 'error', message: `reload (${trigger}) refused; generation ${this.current} keeps running` },
    ];
  }

  /** The file means what runs: nothing was applied. */
  skipped(trigger: Trigger, plan: Plan): LogLine[] {
    this.record(this.result({ trigger, plan, errors: [], skipped: true }, true));
    return [{ level: 'info', message: `reload (${trigger}): the rules file means what runs; nothing to apply` }];
  }

  /** The plan was applied (the data plane refused the rules in `refusals`): a new generation. */
  applied(trigger: Trigger, plan: Plan, refusals: readonly string[], restarted: boolean): LogLine[] {
    this.current += 1;
    const result = this.result({ trigger, plan, errors: refusals, restarted }, refusals.length === 0);
    this.record(result);
    const { added, removed, changed, unchanged } = result;
    const message = `reload (${trigger}) applied, generation ${this.current}: ${added} added, ${removed} removed, ${changed} changed, ${unchanged} unchanged`;
    return [{ level: 'info', message }];
  }

  private record(result: ReloadResult): void {
    this.lastResult = result;
    if (result.ok) this.tally.ok += 1;
    else this.tally.failed += 1;
  }

  private result(attempt: Attempt, ok: boolean): ReloadResult {
    const { plan } = attempt;
    return {
      at: this.now().toISOString(),
      trigger: attempt.trigger,
      ok,
      generation: this.current,
      errors: [...attempt.errors],
      added: plan?.added.length ?? 0,
      removed: plan?.removed.length ?? 0,
      changed: plan?.changed.length ?? 0,
      unchanged: plan?.unchanged.length ?? 0,
      restarted: attempt.restarted ?? false,
      skipped: attempt.skipped ?? false,
    };
  }
}
