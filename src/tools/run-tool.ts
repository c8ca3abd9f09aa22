// Runs one native traffic tool for `mcr gen` / `mcr sink`: arguments pass through
// untouched, its stdout and stderr lines go to the command's Io unchanged, SIGINT and
// SIGTERM are handed on (so mcr-sink still prints its report), and its exit code is
// the command's. It owns no option of the tools: they parse and check their own.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { constants } from 'node:os';
import type { Io } from '../cli/io.js';
import { locateTool, ToolMissingError, type ToolName } from './locate.js';

/** EX_UNAVAILABLE: the tool is not built. */
const EXIT_UNAVAILABLE = 69;

export async function runTool(tool: ToolName, args: readonly string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let path: string;
  try {
    path = locateTool(tool, env);
  } catch (error) {
    if (!(error instanceof ToolMissingError)) throw error;
    io.err(`mcr: ${error.message}`);
    return EXIT_UNAVAILABLE;
  }
  const child = spawn(path, [...args], { stdio: ['inherit', 'pipe', 'pipe'], env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const signal of signals) process.on(signal, forward);
  const lines = [
    new Promise<void>((resolve) => createInterface({ input: child.stdout }).on('line', io.out).on('close', resolve)),
    new Promise<void>((resolve) => createInterface({ input: child.stderr }).on('line', io.err).on('close', resolve)),
  ];
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    await Promise.all(lines);
    // Like a shell: killed by signal N is exit 128 + N.
    return code ?? 128 + (signal ? constants.signals[signal] : 0);
  } catch (error) {
    io.err(`mcr: cannot run ${path}: ${(error as Error).message}`);
    return EXIT_UNAVAILABLE;
  } finally {
    for (const signal of signals) process.off(signal, forward);
  }
}
