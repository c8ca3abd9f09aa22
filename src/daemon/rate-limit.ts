// Keeps a repeated error from flooding the log: each key may log `burst` times per
// window; the rest are counted and reported once when the next window opens. Pure,
// with an injected clock.

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; logged: number; suppressed: number }>();

  constructor(
    private readonly burst = 5,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether to log this occurrence of key, and how many were suppressed before it. */
  admit(key: string): { log: boolean; suppressed: number } {
    const now = this.now();
    let window = this.windows.get(key);
    let suppressed = 0;
    if (!window || now - window.start >= this.windowMs) {
      suppressed = window?.suppressed ?? 0;
      window = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(key, window);
    }
    if (window.logged < this.burst) {
      window.logged += 1;
      return { log: true, suppressed };
    }
    window.suppressed += 1;
    return { log: false, suppressed: 0 };
  }
}
