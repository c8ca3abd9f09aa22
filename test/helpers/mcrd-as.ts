// Runs the real mcrd with any command line, as root or as another (numeric) user that
// holds only CAP_NET_RAW, the way mcrd.service runs it: for the security tests, which
// need the permission flags, other users and refusals at start. Inside a test network
// namespace when given one (the data plane never opens outside it); without one,
// only for runs that must exit before the data plane opens.
import { execa } from 'execa';
import { chmod, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MCRD } from './cli.js';
import { followMcrd } from './mcrd.js';
import type { Netns } from './netns.js';

export interface McrdRun {
  readonly pid: number;
  messages(): { level: string; message: string }[];
  /** Resolves with the first message (seen or to come) matching pattern, after the first `after` lines. */
  waitForLog(pattern: RegExp, timeoutMs?: number, after?: number): Promise<string>;
  signal(name: NodeJS.Signals): void;
  exited: Promise<number | undefined>;
  stderr(): string;
}

/**
 * Another user can only start mcrd from this checkout if every directory above it lets
 * others through; a checkout under a private directory (mktemp -d: 0700) does not. Adds
 * the search bit (not read: nothing becomes listable) where it is missing, and takes it
 * away again at teardown.
 */
export async function letOthersReachMcrd(t: { teardown(fn: () => unknown): void }): Promise<void> {
  for (let dir = dirname(MCRD); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      await chmod(dir, (mode & 0o7777) | 0o001);
      t.teardown(() => chmod(dir, mode & 0o7777));
    }
    if (dir === dirname(dir)) return;
  }
}

export interface McrdAsOptions {
  /** Run as this uid and gid (no supplementary groups) with CAP_NET_RAW alone. */
  readonly uid?: number;
  readonly ns?: Netns;
}

/** The command line: setpriv to drop to the user, env to keep the test runner's hooks out. */
function commandLine(args: readonly string[], uid: number | undefined): [string, string[]] {
  const node = ['env', '-u', 'NODE_OPTIONS', 'node', MCRD, '--log-format', 'json', ...args];
  if (uid === undefined) return [node[0] as string, node.slice(1)];
  const caps = ['--inh-caps=-all,+net_raw', '--ambient-caps=-all,+net_raw', '--bounding-set=-all,+net_raw'];
  return ['setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...caps, '--no-new-privs', ...node]];
}

export function spawnMcrd(args: readonly string[], options: McrdAsOptions = {}): McrdRun {
  const [file, argv] = commandLine(args, options.uid);
  const child = options.ns
    ? options.ns.spawn(file, argv, { timeoutMs: 120_000 })
    : execa(file, argv, { reject: false, timeout: 30_000 });
  const { lines, waitForLog, stderr, exited } = followMcrd(child);
  return {
    pid: child.pid ?? 0,
    messages: () => lines,
    waitForLog: (pattern, timeoutMs, after) => waitForLog(pattern, timeoutMs, after).then((line) => line.message),
    signal: (name) => void child.kill(name),
    exited,
    stderr,
  };
}

/** Starts mcrd and resolves once it is ready; rejects with its output if it exits first. */
export async function startMcrdAs(args: readonly string[], options: McrdAsOptions): Promise<McrdRun> {
  const run = spawnMcrd(args, options);
  const early = run.exited.then((code) => {
    throw new Error(`mcrd exited (${code}) before it was ready: ${run.stderr()}\n${run.messages().map((m) => m.message).join('\n')}`);
  });
  early.catch(() => undefined);
  await Promise.race([run.waitForLog(/^mcrd ready/, 15_000), early]);
  return run;
}
