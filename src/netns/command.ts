// Runs one command as a child process and collects what it printed: the process layer
// under the namespace Lab (src/netns/lab.ts). A running command is the ChildProcess
// itself (pid, kill, its three streams) and also a promise of its result, so a caller
// can stream its output while it runs and await the totals when it ends. Only node:
// modules: `mcr demo` ships this file and must run on Node 18 without devDependencies.
// It never rejects: a failed start, a non-zero exit or a timeout are all in the result.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface CommandResult {
  /** undefined when a signal ended it (see `signal`) or it never started (see `error`). */
  exitCode: number | undefined;
  signal: NodeJS.Signals | undefined;
  /** All it printed, with one final newline removed, as a shell's $(...) would. */
  stdout: string;
  stderr: string;
  /** True when it was killed because it outlived timeoutMs. */
  timedOut: boolean;
  /** Why it could not be started (no such program, no permission). */
  error?: Error;
}

export interface CommandOptions {
  /** Written to its stdin, which is then closed. Without it stdin stays an open pipe. */
  input?: string;
  /** SIGTERM after this long, SIGKILL 5 s later if it is still there; 0: no limit. */
  timeoutMs?: number;
}

export type RunningCommand = ChildProcessWithoutNullStreams & Promise<CommandResult>;

/** Output beyond this is not kept (the stream still flows to other listeners). */
const MAX_KEPT_BYTES = 64 * 1024 * 1024;
const KILL_GRACE_MS = 5_000;

/** Collects a stream's bytes up to MAX_KEPT_BYTES; decoded once, at the end. */
function collect(stream: NodeJS.ReadableStream): () => string {
  const chunks: Buffer[] = [];
  let kept = 0;
  stream.on('data', (chunk: Buffer | string) => {
    if (kept >= MAX_KEPT_BYTES) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(bytes);
    kept += bytes.length;
  });
  return () => Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function spawnCommand(file: string, args: readonly string[], options: CommandOptions = {}): RunningCommand {
  const child = spawn(file, [...args], { stdio: 'pipe' });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  let timedOut = false;
  let startError: Error | undefined;
  const timers: NodeJS.Timeout[] = [];
  if (options.timeoutMs) {
    const limit = options.timeoutMs;
    timers.push(
      setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        timers.push(setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS));
      }, limit),
    );
  }
  // A child that exits before reading its input closes the pipe: EPIPE is no failure here.
  child.stdin.on('error', () => undefined);
  if (options.input !== undefined) child.stdin.end(options.input);
  const result = new Promise<CommandResult>((resolve) => {
    child.on('error', (error) => {
      startError = error;
      // A child that never started emits no 'close' when it has no streams left open.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
    let done = false;
    function finish(code: number | null, signal: NodeJS.Signals | null): void {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      resolve({
        exitCode: code ?? undefined,
        signal: signal ?? undefined,
        stdout: stdout(),
        stderr: stderr() || (startError ? `${file}: ${startError.message}` : ''),
        timedOut,
        ...(startError ? { error: startError } : {}),
      });
    }
  });
  // The child becomes the promise of its own result (then/catch/finally of `result`).
  for (const method of ['then', 'catch', 'finally'] as const) {
    Object.defineProperty(child, method, { value: result[method].bind(result) });
  }
  return child as RunningCommand;
}

/** Runs a command to completion. */
export async function runCommand(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return await spawnCommand(file, args, options);
}
