// Copies the built native pieces (addon, mcr-gen, mcr-sink) to a private directory
// and points the helpers at it (MCR_NATIVE_ADDON, MCR_TOOLS_DIR), so a `node-gyp
// rebuild` running elsewhere in the tree cannot pull them away mid-run. Records which
// build was measured: the git commit, whether the tree had changes, the files' times.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScriptHost } from './host.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RELEASE = join(ROOT, 'build', 'Release');
const FILES = ['mcr_native.node', 'mcr-gen', 'mcr-sink'];

export interface BuildInfo {
  commit: string;
  dirty: boolean;
  builtAt: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function mtimes(): number[] | null {
  try {
    return FILES.map((f) => statSync(join(RELEASE, f)).mtimeMs);
  } catch {
    return null;
  }
}

/** Waits (bounded) until every file exists and none changed for 2 s, then copies. */
export async function snapshotBuild(host: ScriptHost, maxWaitMs = 180_000): Promise<BuildInfo> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const first = mtimes();
    await sleep(2000);
    const second = mtimes();
    if (first && second && first.every((t, i) => t === second[i])) break;
    if (Date.now() > deadline) throw new Error(`build/Release lacks ${FILES.join(', ')} (or keeps changing): run \`npx node-gyp rebuild --nodedir=/usr\``);
  }
  const dir = mkdtempSync(join(tmpdir(), 'mcr-bench-build-'));
  host.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of FILES) copyFileSync(join(RELEASE, f), join(dir, f));
  process.env.MCR_NATIVE_ADDON = join(dir, 'mcr_native.node');
  process.env.MCR_TOOLS_DIR = dir;
  const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: git('status', '--porcelain', '--', 'native', 'src').length > 0,
    builtAt: Object.fromEntries(FILES.map((f) => [f, statSync(join(RELEASE, f)).mtime.toISOString()])),
  };
}
