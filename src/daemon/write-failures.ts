// A file mcrd rewrites every stats interval (the stats file, the Prometheus file) fails
// on every attempt once it fails at all: a read-only or full file system fails each
// interval the same way. The log should tell what changed, not repeat it: one line when
// writing starts failing, one if it fails differently (another error code), a reminder
// every ten minutes while it lasts, and one line when the file is written again. Pure,
// with an injected clock; the daemon logs the lines it returns.

const REMIND_EVERY_MS = 10 * 60_000;

export interface LogLine {
  level: 'error' | 'info';
  message: string;
}

interface Failing {
  code: string;
  since: number;
  attempts: number;
  lastLogged: number;
}

/** The error's code (EROFS, ENOSPC...): the message names a temporary file each time. */
function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : String(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class WriteFailures {
  private readonly failing = new Map<string, Failing>();

  constructor(
    private readonly remindEveryMs = REMIND_EVERY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writing `what` failed: the line to log, or null when it would only repeat. */
  failed(what: string, error: unknown): LogLine | null {
    const now = this.now();
    const code = codeOf(error);
    const current = this.failing.get(what);
    if (!current) {
      this.failing.set(what, { code, since: now, attempts: 1, lastLogged: now });
      return { level: 'error', message: `cannot write ${what}: ${messageOf(error)}; forwarding goes on` };
    }
    current.attempts += 1;
    if (current.code === code && now - current.lastLogged < this.remindEveryMs) return null;
    current.code = code;
    current.lastLogged = now;
    const since = new Date(current.since).toISOString();
    return { level: 'error', message: `still cannot write ${what}: ${messageOf(error)} (${current.attempts} attempts failed since ${since})` };
  }

  /** Writing `what` succeeded: a line when it had been failing, else null. */
  written(what: string): LogLine | null {
    const current = this.failing.get(what);
    if (!current) return null;
    this.failing.delete(what);
    return { level: 'info', message: `${what} is written again, after ${current.attempts} failed attempts` };
  }
}
