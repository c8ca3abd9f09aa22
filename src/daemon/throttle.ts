// The one mechanism behind every "say it once" in mcrd's log: per key, an episode of
// repeats that starts with the first occurrence and lasts until it is ended. Within an
// episode, `burst` occurrences per window are let through and the rest are counted;
// a new window, or a new signature (the same failure with a different cause), lets
// the next one through again and reports how many were held back. An episode ends
// when the caller says the condition is over, and its count is handed back for the
// closing line. Pure, with an injected clock; callers word the lines.

export interface ThrottleOptions {
  /** Occurrences let through per window (default 1). */
  readonly burst?: number;
  /** How long a window lasts, in ms (default: the whole episode). */
  readonly windowMs?: number;
  readonly now?: () => number;
}

export interface Admission {
  /** Whether to log this occurrence. */
  readonly log: boolean;
  /** Occurrences held back since the last one logged, when this one is logged; else 0. */
  readonly suppressed: number;
}

export interface Episode {
  /** When the first occurrence was seen (ms since the epoch). */
  readonly since: number;
  /** Occurrences seen, logged or not. */
  readonly count: number;
}

interface State {
  since: number;
  count: number;
  signature: string;
  windowStart: number;
  logged: number;
  suppressed: number;
}

export class Throttle {
  private readonly episodes = new Map<string, State>();
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: ThrottleOptions = {}) {
    this.burst = options.burst ?? 1;
    this.windowMs = options.windowMs ?? Number.POSITIVE_INFINITY;
    this.now = options.now ?? Date.now;
  }

  /** One occurrence of key (with what makes it different from the last, if anything). */
  admit(key: string, signature = ''): Admission {
    const now = this.now();
    const state = this.episodes.get(key);
    if (!state) {
      this.episodes.set(key, { since: now, count: 1, signature, windowStart: now, logged: 1, suppressed: 0 });
      return { log: true, suppressed: 0 };
    }
    state.count += 1;
    let held = 0;
    if (signature !== state.signature || now - state.windowStart >= this.windowMs) {
      held = state.suppressed;
      Object.assign(state, { signature, windowStart: now, logged: 0, suppressed: 0 });
    }
    if (state.logged < this.burst) {
      state.logged += 1;
      return { log: true, suppressed: held };
    }
    state.suppressed += 1;
    return { log: false, suppressed: 0 };
  }

  /** The episode of key so far, if one is going on. */
  episode(key: string): Episode | undefined {
    const state = this.episodes.get(key);
    return state && { since: state.since, count: state.count };
  }

  /** The condition is over: forgets key and returns its episode, if there was one. */
  end(key: string): Episode | undefined {
    const episode = this.episode(key);
    this.episodes.delete(key);
    return episode;
  }

  /** Every episode going on, by key. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.episodes].map(([key, state]) => [key, state.count]));
  }
}
