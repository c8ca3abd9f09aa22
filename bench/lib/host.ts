// The teardown host a bench script hands to Lab.create: it collects cleanup functions
// and runs them, newest first, when the scenario ends, fails, or is interrupted
// (SIGINT/SIGTERM). The Lab's own exit hook is the last resort if this never runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class ScriptHost {
  private readonly fns: (() => unknown)[] = [];
  private closing: Promise<void> | null = null;

  /** True once cleanup has begun: a scenario should stop starting new work. */
  get stopped(): boolean {
    return this.closing !== null;
  }

  teardown(fn: () => unknown): void {
    // Registered while closing (the scenario raced the signal): clean up at once.
    if (this.closing) void this.closing.then(fn);
    else this.fns.push(fn);
  }

  /** Runs every cleanup once, even when some throw; reports failures on stderr. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const fn of this.fns.splice(0).reverse()) {
        try {
          await fn();
        } catch (error) {
          process.stderr.write(`bench: cleanup failed: ${String(error)}\n`);
        }
      }
    })();
    return this.closing;
  }
}

/**
 * Runs body with a fresh host and always closes it. A signal closes the host and then
 * exits with 128+signal, so Ctrl-C leaves no namespace or process behind; a second
 * signal exits at once. The handler stays installed until cleanup is done: execa's
 * signal-exit re-raises a signal that finds no other listener, which would kill this
 * process halfway through its cleanup.
 */
export async function withHost<T>(body: (host: ScriptHost) => Promise<T>): Promise<T> {
  const host = new ScriptHost();
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (host.stopped) process.exit(code);
    process.stderr.write(`bench: ${signal}, cleaning up\n`);
    void host.close().finally(() => process.exit(code));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(host);
  } finally {
    await host.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A fresh directory under the system's temporary directory, removed at teardown. */
export async function scratchDir(host: ScriptHost, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `mcr-bench-${label}-`));
  host.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
