// The stats and Prometheus files are written through a temporary file next to them
// (named by temporaryName in src/stats/write.ts) that is then renamed over the file. A
// mcrd killed in the middle of a write (SIGKILL, an OOM kill, a power cut) leaves its
// temporary file behind for good; at start mcrd removes those of processes that no
// longer run. A live process's file is left alone, whoever it is.
import { readdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { temporaryNamePattern } from '../stats/write.js';

/** Whether a process exists (EPERM: it does, owned by someone else). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The temporary files of writes of `path` that dead processes left; the names removed. */
export async function removeLeftoverTemporaries(path: string, runs: (pid: number) => boolean = processRuns): Promise<string[]> {
  const directory = dirname(path);
  const pattern = temporaryNamePattern(path);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return []; // no directory yet: nothing left over
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || runs(pid)) continue;
    // unlink removes a symlink itself, never what it points to.
    await unlink(join(directory, name)).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

/** Cleans up after every file given (null: not configured), saying what it removed. */
export async function removeLeftovers(files: readonly (string | null)[], log: (message: string) => void): Promise<void> {
  for (const file of files) {
    if (!file) continue;
    const removed = await removeLeftoverTemporaries(file);
    if (removed.length > 0) log(`removed ${removed.join(', ')} next to ${file}: left by a mcrd that did not stop cleanly`);
  }
}
