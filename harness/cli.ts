// Runs the real `mcr` and `mcrd` entry points (compiled to dist/ by the test script).
import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MCR = fileURLToPath(new URL('../bin/mcr.js', import.meta.url));
export const MCRD = fileURLToPath(new URL('../bin/mcrd.js', import.meta.url));

export async function run(bin: string, args: string[], options: { cwd?: string } = {}) {
  const result = await execa('node', [bin, ...args], { reject: false, timeout: 30_000, ...options });
  return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary directory removed when the test ends, whatever its outcome. */
export async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mcr-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeLines(path: string, lines: string[]): Promise<string> {
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}
