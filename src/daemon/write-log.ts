// What mcrd logs about the files it rewrites every stats interval (the stats file, the
// Prometheus file), worded over the one Throttle. A file that fails once fails every
// interval the same way, so the log says what changed, not what repeats:
// - a failed write (read-only or full file system): one line when it starts, one when
//   the error changes, a reminder every ten minutes, one when it is written again;
// - a refused write (an unsafe path, docs/security.md): one line per reason, a count
//   for SIGUSR1 snapshots, one line when it is written again.
// Forwarding never depends on either. Pure; the daemon logs the lines returned.
import type { LogLine } from './log.js';
import { Throttle } from './throttle.js';

const REMIND_EVERY_MS = 10 * 60_000;

/** The error's code (EROFS, ENOSPC...): the message names a temporary file each time. */
function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : String(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class WriteFailures {
  private readonly throttle: Throttle;

  constructor(remindEveryMs = REMIND_EVERY_MS, now: () => number = Date.now) {
    this.throttle = new Throttle({ windowMs: remindEveryMs, now });
  }

  /** Writing `what` failed: the line to log, or null when it would only repeat. */
  failed(what: string, error: unknown): LogLine | null {
    const first = this.throttle.episode(what) === undefined;
    if (!this.throttle.admit(what, codeOf(error)).log) return null;
    if (first) return { level: 'error', message: `cannot write ${what}: ${messageOf(error)}; forwarding goes on` };
    const { count, since } = this.throttle.episode(what) ?? { count: 0, since: 0 };
    const start = new Date(since).toISOString();
    return { level: 'error', message: `still cannot write ${what}: ${messageOf(error)} (${count} attempts failed since ${start})` };
  }

  /** Writing `what` succeeded: a line when it had been failing, else null. */
  written(what: string): LogLine | null {
    const episode = this.throttle.end(what);
    return episode ? { level: 'info', message: `${what} is written again, after ${episode.count} failed attempts` } : null;
  }
}

export class WriteRefusals {
  private readonly throttle = new Throttle();

  /** Records a refusal; returns the line to log, or null when it was already said. */
  refuse(path: string, reason: string): string | null {
    if (!this.throttle.admit(path, reason).log) return null;
    return `${reason}; relaying goes on, and this is logged once (see docs/security.md)`;
  }

  /** Records a good write; returns the line to log when the path had been refused. */
  wrote(path: string): string | null {
    const episode = this.throttle.end(path);
    if (!episode) return null;
    return `${path} is written again, after ${episode.count} refused ${episode.count === 1 ? 'write' : 'writes'}`;
  }

  /** Refused writes per path since each was last written. */
  counts(): Record<string, number> {
    return this.throttle.counts();
  }
}
