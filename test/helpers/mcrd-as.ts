// Runs the real mcrd with any command line, as root or as another (numeric) user that
// holds only CAP_NET_RAW, the way mcrd.service runs it: for the security tests, which
// need the permission flags, other users and refusals at start. Inside a test network
// namespace when given one (the data plane never opens outside it); without one,
// only for runs that must exit before the data plane opens.
import { execa } from 'execa';
import { createInterface } from 'node:readline';
import { MCRD } from './cli.js';
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
  const lines: { level: string; message: string }[] = [];
  const watchers = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as { level: string; message: string });
    } catch {
      lines.push({ level: 'raw', message: line });
    }
    for (const watcher of watchers) watcher();
  });
  const exited = child.then((result) => result.exitCode);
  return {
    pid: child.pid ?? 0,
    messages: () => lines,
    waitForLog(pattern, timeoutMs = 10_000, after = 0) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = lines.slice(after).find((line) => pattern.test(line.message));
          if (!found) return false;
          watchers.delete(check);
          clearTimeout(timer);
          resolve(found.message);
          return true;
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`no log line matched ${pattern} in ${timeoutMs} ms; log:\n${lines.map((l) => l.message).join('\n')}\nstderr: ${stderr}`));
        }, timeoutMs);
        if (!check()) watchers.add(check);
      });
    },
    signal: (name) => void child.kill(name),
    exited,
    stderr: () => stderr,
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
