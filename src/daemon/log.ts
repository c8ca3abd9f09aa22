// mcrd's log, written to stdout with winston in the form the reader needs: lines with
// "<N>" syslog priority prefixes when stdout is the systemd journal (JOURNAL_STREAM),
// timestamped lines on a terminal or a file, or JSON objects (--log-format json).
// Never a line per packet; repeated errors go through a throttle.
import { fstatSync } from 'node:fs';
import winston from 'winston';
import type { LogLevel } from '../config/ruleset.js';
import { Throttle } from './throttle.js';

export type LogFormat = 'auto' | 'journal' | 'text' | 'json';

/** A line to log, as the pure modules that decide what to say return it. */
export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
}

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** Logs a line decided elsewhere at its level; null logs nothing. */
  say(line: LogLine | null): void;
  /** Logs at most a few of the same kind per minute, then how many were suppressed. */
  limited(level: LogLevel, key: string, message: string): void;
  setLevel(level: LogLevel): void;
  /** Resolves once every line logged so far has been written. */
  flush(): Promise<void>;
}

const SYSLOG_PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

/** True when file descriptor fd (default stdout) is the stream systemd named in
 * JOURNAL_STREAM ("dev:inode"). */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env, fd = 1): boolean {
  if (!env.JOURNAL_STREAM) return false;
  try {
    const stat = fstatSync(fd);
    return env.JOURNAL_STREAM === `${stat.dev}:${stat.ino}`;
  } catch {
    return false;
  }
}

/** Lines for stderr that journald files at priority err when stderr is the journal
 * (start-up failures are written before any logger exists), unchanged elsewhere. */
export function asErrorLines(text: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!stdoutIsJournal(env, 2)) return text;
  return text
    .split('\n')
    .map((line) => `<${SYSLOG_PRIORITY.error}>${line}`)
    .join('\n');
}

function formatFor(format: Exclude<LogFormat, 'auto'>): winston.Logform.Format {
  switch (format) {
    case 'journal':
      // journald adds its own timestamp and reads the priority from the prefix.
      return winston.format.printf((info) => `<${SYSLOG_PRIORITY[info.level as LogLevel] ?? 6}>${String(info.message)}`);
    case 'json':
      return winston.format.combine(winston.format.timestamp(), winston.format.json());
    case 'text':
      return winston.format.combine(
        winston.format.timestamp(),
        winston.format.printf((info) => `${String(info.timestamp)} ${info.level}: ${String(info.message)}`),
      );
  }
}

export function createLogger(
  options: { format?: LogFormat; level?: LogLevel; stream?: NodeJS.WritableStream } = {},
): Logger {
  const chosen = options.format ?? 'auto';
  const format = chosen === 'auto' ? (stdoutIsJournal() ? 'journal' : 'text') : chosen;
  const logger = winston.createLogger({
    level: options.level ?? 'info',
    levels: { error: 0, warn: 1, info: 2, debug: 3 },
    format: formatFor(format),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stdout })],
  });
  // A few of a kind per minute, then one line saying how many were not logged.
  const limiter = new Throttle({ burst: 5, windowMs: 60_000 });
  return {
    error: (message) => logger.error(message),
    warn: (message) => logger.warn(message),
    info: (message) => logger.info(message),
    debug: (message) => logger.debug(message),
    say(line) {
      if (line) logger.log(line.level, line.message);
    },
    limited(level, key, message) {
      const { log, suppressed } = limiter.admit(key);
      if (suppressed > 0) logger.log(level, `(${suppressed} more like the next were not logged)`);
      if (log) logger.log(level, message);
    },
    setLevel(level) {
      logger.level = level;
    },
    flush() {
      return new Promise((resolve) => {
        logger.on('finish', () => setImmediate(resolve));
        logger.end();
      });
    },
  };
}
