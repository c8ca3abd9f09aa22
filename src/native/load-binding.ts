// Finds and loads the compiled addon (build/Release/mcr_native.node). When it cannot,
// the error names every path it tried and why each failed, and says how to build it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ADDON_ABI_VERSION } from './abi-version.js';
import type { NativeBinding } from './binding-types.js';

/** The ABI this code needs: abi-version.js, which the addon's build also compiles in, so
 * only a stale build reports another one, and it is refused, not misused. */
export const EXPECTED_ADDON_VERSION: string = ADDON_ABI_VERSION;

export class NativeLoadError extends Error {
  constructor(readonly attempts: readonly { path: string; reason: string }[]) {
    super(
      [
        'the native data plane (mcr_native.node) could not be loaded; tried:',
        ...attempts.map((attempt) => `  ${attempt.path}: ${attempt.reason}`),
        'build it with `npm ci` (or `npx node-gyp rebuild`), or set MCR_NATIVE_ADDON to its path',
      ].join('\n'),
    );
    this.name = 'NativeLoadError';
  }
}

/** Where the addon may be: an explicit override first, then the node-gyp outputs. */
export function candidatePaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const builds = ['Release', 'Debug'].map((kind) =>
    fileURLToPath(new URL(`../../build/${kind}/mcr_native.node`, import.meta.url)),
  );
  return env.MCR_NATIVE_ADDON ? [env.MCR_NATIVE_ADDON] : builds;
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'MODULE_NOT_FOUND') return 'not found';
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}

export function loadBinding(paths: readonly string[] = candidatePaths()): NativeBinding {
  const require = createRequire(import.meta.url);
  const attempts: { path: string; reason: string }[] = [];
  for (const path of paths) {
    try {
      const binding = require(path) as NativeBinding;
      const { addon } = binding.version();
      if (addon === EXPECTED_ADDON_VERSION) return binding;
      attempts.push({ path, reason: `built for ABI ${addon}, this code needs ${EXPECTED_ADDON_VERSION} (stale build)` });
    } catch (error) {
      attempts.push({ path, reason: reasonOf(error) });
    }
  }
  throw new NativeLoadError(attempts);
}
