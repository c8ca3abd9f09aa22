// `mcr`: the operator's command line. One file per command; this one only dispatches.
import { EXIT_OK, EXIT_USAGE, packageVersion } from '../product.js';
import { runCheck } from './check.js';
import { runDemo } from './demo.js';
import { runGen } from './gen.js';
import { runSink } from './sink.js';
import { runStats } from './stats.js';
import { processIo, type Io } from './io.js';

const USAGE = `usage: mcr <command> [options]

commands:
  check [FILE]             check a rules file (default /etc/mcr.toml); exit 78 if invalid
  check --format json      the same, as one line of JSON (file, line, column, code, message)
  check --diff OLD NEW     print the plan a reload from OLD to NEW would apply
  stats [--watch] [--json] show what mcrd relays, from its stats file
  demo                     a live demo in network namespaces (as root; about 20 s)
  gen [options]            send rate-paced test traffic (see mcr gen --help)
  sink [options]           receive test traffic and count loss, duplicates, reordering
  help                     show this text
  version                  show the version

The daemon is mcrd; see mcrd --help.`;

type Command = (args: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  check: runCheck,
  demo: runDemo,
  gen: runGen,
  sink: runSink,
  stats: runStats,
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === 'version' || name === '--version') {
    io.out(`mcr ${packageVersion()}`);
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`mcr: unknown command "${name}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  return command(rest, io);
}
