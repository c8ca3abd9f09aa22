// Finds the native traffic tools (mcr-gen, mcr-sink, mcr-inject) that node-gyp builds
// next to the addon. When one is missing, the error names every path tried and how to
// build it, like src/native/load-binding.ts does for the addon.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ToolName = 'mcr-gen' | 'mcr-sink' | 'mcr-inject';

export class ToolMissingError extends Error {
  constructor(
    readonly tool: ToolName,
    readonly attempts: readonly { path: string; reason: string }[],
  ) {
    super(
      [
        `the traffic tool ${tool} was not found; tried:`,
        ...attempts.map((attempt) => `  ${attempt.path}: ${attempt.reason}`),
        'build it with `npm ci` (or `npx node-gyp rebuild`), or set MCR_TOOLS_DIR to its directory',
      ].join('\n'),
    );
    this.name = 'ToolMissingError';
  }
}

/** Where the tool may be: MCR_TOOLS_DIR alone if set, else the node-gyp outputs. */
export function toolCandidates(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.MCR_TOOLS_DIR) return [join(env.MCR_TOOLS_DIR, tool)];
  // src/tools/ and dist/tools/ are both two levels below the package root.
  return ['Release', 'Debug'].map((kind) => fileURLToPath(new URL(`../../build/${kind}/${tool}`, import.meta.url)));
}

export function locateTool(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const attempts: { path: string; reason: string }[] = [];
  for (const path of toolCandidates(tool, env)) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      attempts.push({ path, reason: code === 'ENOENT' ? 'not found' : `not executable (${code ?? 'unknown'})` });
    }
  }
  throw new ToolMissingError(tool, attempts);
}
