// `mcrd`: the relay daemon's entry point. This build validates its rules file and
// proves the native addon loads; the forwarding data plane is not part of it yet, so
// it says so and exits 69 (EX_UNAVAILABLE) instead of pretending to relay.
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG } from '../cli/check.js';
import { EXIT_CONFIG, EXIT_NOINPUT, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE } from '../cli/exit-codes.js';
import { processIo, type Io } from '../cli/io.js';
import { packageVersion } from '../cli/main.js';
import { ConfigReadError, loadConfigFile } from '../config/load.js';
import { formatConfigError } from '../config/problems.js';
import { loadBinding, NativeLoadError } from '../native/load-binding.js';

const USAGE = `usage: mcrd [--config FILE]     run the relay (default ${DEFAULT_CONFIG})
       mcrd --version`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
    }));
  } catch (error) {
    io.err(`mcrd: ${(error as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    io.out(USAGE);
    return EXIT_OK;
  }
  if (values.version) {
    io.out(`mcrd ${packageVersion()}`);
    return EXIT_OK;
  }
  const file = values.config ?? DEFAULT_CONFIG;
  try {
    const result = await loadConfigFile(file);
    if (!result.ok) {
      for (const error of result.errors) io.err(formatConfigError(error));
      return EXIT_CONFIG;
    }
    loadBinding();
  } catch (error) {
    if (error instanceof ConfigReadError) {
      io.err(`mcrd: ${error.message}`);
      return EXIT_NOINPUT;
    }
    if (error instanceof NativeLoadError) {
      io.err(`mcrd: ${error.message}`);
      return EXIT_UNAVAILABLE;
    }
    throw error;
  }
  io.err(`mcrd: ${file} is valid, but this build has no forwarding data plane yet; not starting`);
  return EXIT_UNAVAILABLE;
}
