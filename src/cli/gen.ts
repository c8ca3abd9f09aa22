// `mcr gen ...`: the test traffic generator. Runs the native mcr-gen with the same
// arguments; its JSON report and exit code are this command's (see mcr gen --help).
import type { Io } from './io.js';
import { runTool } from '../tools/run-tool.js';

export function runGen(args: string[], io: Io): Promise<number> {
  return runTool('mcr-gen', args, io);
}
