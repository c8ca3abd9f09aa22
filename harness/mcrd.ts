// Runs the real mcrd (bin/mcrd.js) inside a test namespace with JSON logs, so tests can
// wait for exactly the log line or stats-file state they expect. The Lab kills it at
// teardown whatever happens.
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { execa } from 'execa';
import { join } from 'node:path';
import { MCRD } from './cli.js';
import type { Netns } from '../src/netns/namespace.js';
import type { StatsFile } from '../src/stats/types.js';

export interface LogLine {
  level: string;
  message: string;
  timestamp: string;
}

export interface Mcrd {
  readonly pid: number;
  readonly configFile: string;
  readonly statsFile: string;
  logs(): LogLine[];
  /** Resolves with the first log line (already seen or to come) matching pattern. */
  waitForLog(pattern: RegExp, timeoutMs?: number, after?: number): Promise<LogLine>;
  stats(): Promise<StatsFile>;
  /** Polls the stats file until test holds. */
  waitForStats(test: (stats: StatsFile) => boolean, timeoutMs?: number): Promise<StatsFile>;
  signal(name: NodeJS.Signals): void;
  /** Resolves with the exit code. */
  exited: Promise<number | undefined>;
  stderr(): string;
}

type Child = ReturnType<Netns['spawn']> | ReturnType<typeof execa>;

/**
 * Follows a running mcrd's JSON log lines (a line that is not JSON is kept as "raw") and
 * its stderr, so a test can wait for the line it expects, seen already or still to come.
 */
export function followMcrd(child: Child) {
  const lines: LogLine[] = [];
  const watchers = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ level: 'raw', message: line, timestamp: '' });
    }
    for (const watcher of watchers) watcher();
  });
  /** The first line after the first `after` ones that matches pattern. */
  const waitForLog = (pattern: RegExp, timeoutMs = 10_000, after = 0): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = lines.slice(after).find((line) => pattern.test(line.message));
        if (!found) return false;
        watchers.delete(watch);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const watch = () => void check();
      const timer = setTimeout(() => {
        watchers.delete(watch);
        reject(new Error(`no log line matched ${pattern} in ${timeoutMs} ms; log:\n${lines.map((l) => l.message).join('\n')}\nstderr: ${stderr}`));
      }, timeoutMs);
      if (!check()) watchers.add(watch);
    });
  const exited = (child as Promise<{ exitCode?: number | undefined }>).then((result) => result.exitCode);
  return { lines, waitForLog, stderr: () => stderr, exited };
}

/** The [daemon] lines every test config starts with (stats next to the config); a line
 * in `overrides` replaces the default with the same key. */
export function daemonSection(dir: string, overrides: string[] = []): string[] {
  const settings = new Map<string, string>([
    ['stats_file', `stats_file = "${join(dir, 'stats.json')}"`],
    ['stats_interval', 'stats_interval = 0.2'],
    ['workers', 'workers = 1'],
  ]);
  for (const line of overrides) settings.set(line.split('=')[0]?.trim() ?? line, line);
  return ['[daemon]', ...settings.values()];
}

export async function writeConfig(file: string, lines: string[]): Promise<void> {
  await writeFile(file, lines.join('\n') + '\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startMcrd(ns: Netns, dir: string, env: Record<string, string> = {}): Promise<Mcrd> {
  const configFile = join(dir, 'mcr.toml');
  const statsFile = join(dir, 'stats.json');
  const child = ns.spawn('env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'node', MCRD, '-c', configFile, '--log-format', 'json'], {
    timeoutMs: 600_000,
  });
  const { lines, waitForLog, stderr, exited } = followMcrd(child);
  const mcrd: Mcrd = {
    pid: child.pid ?? 0,
    configFile,
    statsFile,
    logs: () => lines,
    waitForLog,
    async stats() {
      return JSON.parse(await readFile(statsFile, 'utf8')) as StatsFile;
    },
    async waitForStats(test, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last: StatsFile | undefined;
      for (;;) {
        last = await mcrd.stats().catch(() => undefined);
        if (last && test(last)) return last;
        if (Date.now() > deadline) throw new Error(`stats never matched; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
        await delay(50);
      }
    },
    signal(name) {
      child.kill(name);
    },
    exited,
    stderr,
  };
  const early = exited.then((code) => {
    throw new Error(`mcrd exited (${code}) before it was ready: ${stderr()}`);
  });
  await Promise.race([mcrd.waitForLog(/^mcrd ready/, 15_000), early]);
  early.catch(() => undefined);
  return mcrd;
}
