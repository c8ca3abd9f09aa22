// The stats cadence: every stats_interval a sample is taken and written, systemd's
// STATUS= gets its summary, and at least once a minute the summary goes to the log.
// The daemon supplies how to sample and which files to write; this module owns the
// timer, the previous sample (rates are computed against it) and the writer.
import { summaryLine } from '../stats/sample.js';
import type { DaemonState, StatsFile } from '../stats/types.js';
import type { Logger } from './log.js';
import { StatsWriter, type StatsFiles } from './stats-writer.js';

/** How often the one-line summary goes to the log, at the least. */
const SUMMARY_EVERY_MS = 60_000;

export interface StatsSource {
  /** Takes a sample; `previous` is the last one taken (null for the first). */
  sample(previous: StatsFile | null): StatsFile;
  /** Where to write, and every how many seconds: the running settings. */
  settings(): StatsFiles & { readonly statsInterval: number };
}

export class StatsLoop {
  private previous: StatsFile | null = null;
  private timer: NodeJS.Timeout | undefined;
  private lastSummary: number;
  private readonly writer: StatsWriter;

  constructor(
    private readonly source: StatsSource,
    private readonly logger: Logger,
    private readonly onSample: (summary: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.writer = new StatsWriter(logger);
    this.lastSummary = now();
  }

  /** Samples now and writes the files; resolves with the sample once it is written. */
  async sampleAndWrite(): Promise<StatsFile> {
    const stats = this.source.sample(this.previous);
    this.previous = stats;
    await this.writer.write(stats, this.source.settings());
    return stats;
  }

  /** Writes the last sample again with only the daemon's state changed (when the data
   * plane is gone, so there is nothing new to sample). */
  async rewrite(last: StatsFile, state: DaemonState): Promise<void> {
    const stats = { ...last, daemon: { ...last.daemon, state } };
    this.previous = stats;
    await this.writer.write(stats, this.source.settings());
  }

  /** (Re)starts the timer at the running interval. */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.sampleAndWrite().then((stats) => this.tell(stats));
      this.schedule();
    }, this.source.settings().statsInterval * 1000);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  refusalLines(): string[] {
    return this.writer.refusalLines();
  }

  private tell(stats: StatsFile): void {
    const summary = summaryLine(stats);
    if (this.now() - this.lastSummary >= SUMMARY_EVERY_MS) {
      this.lastSummary = this.now();
      this.logger.info(summary);
    }
    this.onSample(summary);
  }
}
