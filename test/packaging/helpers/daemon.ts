// Runs mcrd inside a throwaway root and a test network namespace as an unprivileged
// user, the way mcrd.service does: setpriv drops every capability but the ones given,
// from the bounding set too, and sets no_new_privs. JSON logs are collected so tests
// can wait for exactly the line they expect.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Netns } from '../../helpers/netns.js';
import type { ThrowawayRoot } from './throwaway-root.js';

/** setpriv's arguments for user with only these capabilities (e.g. ['net_raw']). */
export function dropTo(user: string, caps: readonly string[]): string[] {
  const keep = caps.map((cap) => `,+${cap}`).join('');
  return [
    `--reuid=${user}`,
    `--regid=${user}`,
    '--init-groups',
    `--inh-caps=-all${keep}`,
    `--ambient-caps=-all${keep}`,
    `--bounding-set=-all${keep}`,
    '--no-new-privs',
  ];
}

export interface RunningDaemon {
  readonly pid: number;
  /** Resolves with the first log message (seen or to come) matching pattern. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  messages(): string[];
  signal(name: NodeJS.Signals): void;
  exited: Promise<number | undefined>;
  stderr(): string;
  /** The daemon process's /proc status fields (Uid, CapEff, CapBnd, NoNewPrivs...). */
  status(): Record<string, string>;
}

export interface StatsLike {
  daemon: { state: string; pid: number };
  rules: { name: string; state: string; packets: number; outputs: { packets: number }[] }[];
}

export async function readStats(path: string): Promise<StatsLike> {
  return JSON.parse(await readFile(path, 'utf8')) as StatsLike;
}

/** Polls a stats file until test holds. */
export async function waitForStats(path: string, test: (stats: StatsLike) => boolean, timeoutMs = 10_000): Promise<StatsLike> {
  const deadline = Date.now() + timeoutMs;
  let last: StatsLike | undefined;
  for (;;) {
    last = await readStats(path).catch(() => undefined);
    if (last && test(last)) return last;
    if (Date.now() > deadline) throw new Error(`stats never matched; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts `command args` (mcrd) as user with caps; resolves once it logs "mcrd ready". */
export async function startDaemon(
  root: ThrowawayRoot,
  ns: Netns,
  user: string,
  caps: readonly string[],
  command: readonly string[],
): Promise<RunningDaemon> {
  const child = root.spawnIn(ns, 'setpriv', [...dropTo(user, caps), ...command]);
  const messages: string[] = [];
  const watchers = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      messages.push((JSON.parse(line) as { message: string }).message);
    } catch {
      messages.push(line);
    }
    for (const watcher of watchers) watcher();
  });
  const exited = child.then((result) => result.exitCode);
  const daemon: RunningDaemon = {
    pid: child.pid ?? 0,
    messages: () => messages,
    waitForLog(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = messages.find((message) => pattern.test(message));
          if (found === undefined) return false;
          watchers.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`no log line matched ${pattern} in ${timeoutMs} ms; log:\n${messages.join('\n')}\nstderr: ${stderr}`));
        }, timeoutMs);
        if (!check()) watchers.add(check);
      });
    },
    signal: (name) => void child.kill(name),
    exited,
    stderr: () => stderr,
    status() {
      const text = readFileSync(`/proc/${daemon.pid}/status`, 'utf8');
      return Object.fromEntries(text.split('\n').map((line) => line.split(/:\s*/, 2) as [string, string]));
    },
  };
  const early = exited.then((code) => {
    throw new Error(`mcrd exited (${code}) before it was ready: ${stderr}\n${messages.join('\n')}`);
  });
  early.catch(() => undefined);
  await Promise.race([daemon.waitForLog(/^mcrd ready/, 15_000), early]);
  return daemon;
}
