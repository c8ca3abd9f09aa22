// `mcr sink ...`: the test traffic receiver and checker. Runs the native mcr-sink with
// the same arguments; its JSON report and exit code are this command's (see
// mcr sink --help). Ctrl-C ends it with a report.
import type { Io } from './io.js';
import { runTool } from '../tools/run-tool.js';

export function runSink(args: string[], io: Io): Promise<number> {
  return runTool('mcr-sink', args, io);
}
