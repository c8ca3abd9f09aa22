// `mcr stats`: reads the stats file mcrd writes and prints it as a table, or as JSON
// for scripts; `--watch` redraws it every interval. It reads only that file: mcr has
// no channel to the daemon, so it works the same for any user who may read the file.
// Exit 0, 66 when the file cannot be read, 1 when it is not a stats file this mcr
// understands, 64 on a wrong command line.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_STATS_FILE, EXIT_FAILURE, EXIT_NOINPUT, EXIT_OK, EXIT_USAGE } from '../product.js';
import { parseStats, StatsFormatError } from '../stats/parse.js';
import { DEFAULT_WIDTH, renderTable } from '../stats/table.js';
import type { StatsFile } from '../stats/types.js';
import type { Io } from './io.js';

export const STATS_USAGE = `usage: mcr stats [--file FILE] [--json] [--watch] [--interval S] [--count N]
  -f, --file FILE    the stats file mcrd writes (its stats_file setting;
                     default ${DEFAULT_STATS_FILE})
      --json         print the sample as JSON (with --watch, one line each)
  -w, --watch        print it again every interval, until Ctrl-C
  -i, --interval S   seconds between two prints (default: the file's own
                     interval, stats_interval); implies --watch
  -n, --count N      stop after N prints; implies --watch`;

/** Home the cursor and clear the screen: each --watch frame replaces the last. */
export const CLEAR_SCREEN = '\x1b[H\x1b[2J';

/** What mcr stats needs to know of where its output goes; injected by tests. */
export interface Terminal {
  isTTY: boolean;
  columns?: number | undefined;
}

function processTerminal(): Terminal {
  return { isTTY: process.stdout.isTTY === true, columns: process.stdout.columns };
}

type Sample = { ok: true; stats: StatsFile } | { ok: false; code: number; message: string };

const READ_ERRORS: Record<string, string> = {
  ENOENT: "no such file (is mcrd running? its stats_file setting says where it writes)",
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
};

async function readSample(file: string): Promise<Sample> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return { ok: false, code: EXIT_NOINPUT, message: `mcr stats: cannot read ${file}: ${READ_ERRORS[code ?? ''] ?? message}` };
  }
  try {
    return { ok: true, stats: parseStats(text) };
  } catch (error) {
    if (!(error instanceof StatsFormatError)) throw error;
    return { ok: false, code: EXIT_FAILURE, message: `mcr stats: ${file}: ${error.message}` };
  }
}

/** Resolves true after `seconds`, or false as soon as `signal` aborts. */
function sleep(seconds: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve(true);
    }, seconds * 1000);
    signal.addEventListener('abort', done, { once: true });
  });
}

interface Options {
  file: string;
  json: boolean;
  watch: boolean;
  interval: number | undefined;
  count: number | undefined;
}

/** The options, or the message of a usage error. */
function options(args: string[]): Options | 'help' | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        file: { type: 'string', short: 'f' },
        json: { type: 'boolean' },
        watch: { type: 'boolean', short: 'w' },
        interval: { type: 'string', short: 'i' },
        count: { type: 'string', short: 'n' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help) return 'help';
  const interval = values.interval === undefined ? undefined : Number(values.interval);
  if (interval !== undefined && !(interval >= 0.1 && interval <= 3600)) return `--interval takes seconds from 0.1 to 3600 (got "${values.interval}")`;
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && !(Number.isInteger(count) && count >= 1)) return `--count takes a whole number, 1 or more (got "${values.count}")`;
  const watch = values.watch === true || interval !== undefined || count !== undefined;
  return { file: values.file ?? DEFAULT_STATS_FILE, json: values.json === true, watch, interval, count };
}

/** Prints one sample as the options ask; `frame` counts from 1. */
function print(stats: StatsFile, frame: number, opts: Options, io: Io, terminal: Terminal): void {
  if (opts.json) {
    // With --watch, JSON Lines: one sample per line, for `| jq` or a log.
    io.out(opts.watch ? JSON.stringify(stats) : JSON.stringify(stats, null, 2));
    return;
  }
  const width = terminal.isTTY && terminal.columns ? terminal.columns : DEFAULT_WIDTH;
  const lines = renderTable(stats, { now: Date.now(), width });
  // On a terminal a frame replaces the last; into a pipe or file, escape codes would be
  // noise, so frames follow each other with a blank line between.
  if (opts.watch && terminal.isTTY) lines[0] = CLEAR_SCREEN + (lines[0] ?? '');
  else if (frame > 1) io.out('');
  for (const line of lines) io.out(line);
}

export async function runStats(args: string[], io: Io, terminal: Terminal = processTerminal()): Promise<number> {
  const opts = options(args);
  if (opts === 'help') {
    io.out(STATS_USAGE);
    return EXIT_OK;
  }
  if (typeof opts === 'string') {
    io.err(`mcr stats: ${opts}\n${STATS_USAGE}`);
    return EXIT_USAGE;
  }
  const first = await readSample(opts.file);
  if (!first.ok) {
    io.err(first.message);
    return first.code;
  }
  print(first.stats, 1, opts, io, terminal);
  if (!opts.watch) return EXIT_OK;

  // Ctrl-C ends the watch as its normal end, exit 0, instead of killing the process.
  const stop = new AbortController();
  const onInterrupt = (): void => stop.abort();
  process.once('SIGINT', onInterrupt);
  let status = EXIT_OK;
  let interval = opts.interval ?? first.stats.interval;
  try {
    for (let frame = 2; opts.count === undefined || frame <= opts.count; frame += 1) {
      if (!(await sleep(interval, stop.signal))) break;
      const sample = await readSample(opts.file);
      status = sample.ok ? EXIT_OK : sample.code;
      if (sample.ok) {
        print(sample.stats, frame, opts, io, terminal);
        interval = opts.interval ?? sample.stats.interval;
      } else {
        // The file can vanish while mcrd restarts: say so and keep watching.
        if (terminal.isTTY && !opts.json) io.out(CLEAR_SCREEN);
        io.err(sample.message);
      }
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  return status;
}
