// Writes each stats sample to the stats file and, when one is set, the Prometheus text
// file: one write after another, so the files always end with the newest sample. A
// file that cannot be written is logged as write-log.ts words it and never stops
// forwarding (nor this writer).
import { formatPrometheus } from '../stats/prometheus.js';
import type { StatsFile } from '../stats/types.js';
import { UnsafeStatsPath, writeAtomically } from '../stats/write.js';
import type { Logger } from './log.js';
import { WriteFailures, WriteRefusals } from './write-log.js';

export interface StatsFiles {
  readonly statsFile: string;
  readonly prometheusFile: string | null;
}

export class StatsWriter {
  private writing: Promise<void> = Promise.resolve();
  private readonly failures = new WriteFailures();
  private readonly refusals = new WriteRefusals();

  constructor(private readonly logger: Logger) {}

  /** Writes the sample after every write asked for before it; resolves when it is written (or logged). */
  write(stats: StatsFile, files: StatsFiles): Promise<void> {
    this.writing = this.writing.then(async () => {
      await this.writeFile(files.statsFile, `the stats file ${files.statsFile}`, `${JSON.stringify(stats, null, 1)}\n`);
      const prometheus = files.prometheusFile;
      if (prometheus) await this.writeFile(prometheus, `the Prometheus file ${prometheus}`, formatPrometheus(stats));
    });
    return this.writing;
  }

  /** For a SIGUSR1 snapshot: a line for each path whose writes are being refused. */
  refusalLines(): string[] {
    return Object.entries(this.refusals.counts()).map(
      ([path, count]) => `${path}: ${count} ${count === 1 ? 'write' : 'writes'} refused so far (not a safe place to write)`,
    );
  }

  private async writeFile(path: string, what: string, text: string): Promise<void> {
    try {
      await writeAtomically(path, text);
      this.logger.say(this.failures.written(what));
      const again = this.refusals.wrote(path);
      if (again) this.logger.info(again);
    } catch (error) {
      if (!(error instanceof UnsafeStatsPath)) return this.logger.say(this.failures.failed(what, error));
      const line = this.refusals.refuse(error.path, error.message);
      if (line) this.logger.error(line);
    }
  }
}
