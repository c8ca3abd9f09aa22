// Runs one job at a time. An ask that arrives while a job runs is served by one more
// run once it ends, with the newest ask's argument: any number of asks during a run
// fold into that one run, and every caller's promise resolves when the runs are done.
// mcrd's reloads go through it, so two never interleave and the last trigger is the
// one reported. Pure (promises only).

export class Serial<T> {
  private running: Promise<void> | null = null;
  private again: { readonly value: T } | null = null;

  constructor(private readonly job: (value: T) => Promise<void>) {}

  /** Asks for a run; resolves once no run is due any more. */
  request(value: T): Promise<void> {
    if (this.running) {
      this.again = { value };
      return this.running;
    }
    this.running = (async () => {
      try {
        let next: { readonly value: T } | null = { value };
        while (next) {
          this.again = null;
          await this.job(next.value);
          next = this.again;
        }
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Resolves when no run is going on (at once when none is). */
  async idle(): Promise<void> {
    await this.running;
  }
}
