// `mcrd`: the relay daemon, in the foreground (systemd, a container or a terminal runs
// it). Start-up failures exit with sysexits codes: 78 invalid or unsafe rules file (or
// one needing more file descriptors than RLIMIT_NOFILE), 66 unreadable, 77 missing
// privilege, 69 no native data plane, 64 bad command line.
import { parseArgs } from 'node:util';
import { processIo, type Io } from '../cli/io.js';
import { DataPlaneUnavailable } from '../dataplane.js';
import { DEFAULT_CONFIG, EXIT_NOPERM, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, packageVersion } from '../product.js';
import { missingCapability } from './capabilities.js';
import { Daemon, StartError } from './daemon.js';
import { asErrorLines, createLogger, stdoutIsJournal, type LogFormat } from './log.js';
import { ConfigWatcher } from './watch.js';

const JOURNAL_GRACE_MS = 500;

const LOG_FORMATS: readonly LogFormat[] = ['auto', 'text', 'json', 'journal'];

const USAGE = `usage: mcrd [--config FILE] [--log-format auto|text|json|journal]
            [--allow-insecure-rules-file]
       mcrd --version

Runs the multicast relay in the foreground with the rules in FILE (default
${DEFAULT_CONFIG}). It reloads on SIGHUP and whenever the file changes, logs a stats
snapshot on SIGUSR1, and stops on SIGTERM or SIGINT. FILE, and every directory on the
way to it, must be changeable by root or mcrd's own user alone;
--allow-insecure-rules-file (for labs) turns that refusal into a warning.`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        'log-format': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        'allow-insecure-rules-file': { type: 'boolean' },
      },
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
  const format = (values['log-format'] ?? 'auto') as LogFormat;
  if (!LOG_FORMATS.includes(format)) {
    io.err(`mcrd: --log-format must be one of ${LOG_FORMATS.join(', ')}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const configFile = values.config ?? DEFAULT_CONFIG;
  // One listener per signal for the whole run: until mcrd is ready it only records
  // (without a listener SIGHUP would kill it and SIGUSR1 start Node's inspector), then it
  // acts. It is never swapped: removing a listener closes its handle, and a signal that
  // handle had taken but not yet dispatched would be lost.
  const early: NodeJS.Signals[] = [];
  let handle: ((signal: NodeJS.Signals) => void) | undefined;
  const signals: NodeJS.Signals[] = ['SIGHUP', 'SIGUSR1', 'SIGTERM', 'SIGINT'];
  for (const signal of signals) process.on(signal, (received) => (handle ? handle(received) : early.push(received)));
  const capability = missingCapability();
  if (capability) {
    io.err(asErrorLines(`mcrd: ${capability}`));
    await journalGrace();
    return EXIT_NOPERM;
  }
  const logger = createLogger({ format });
  const allowInsecureRulesFile = values['allow-insecure-rules-file'] === true;
  if (allowInsecureRulesFile) {
    logger.warn('--allow-insecure-rules-file: the rules file is read even if users other than root and mcrd\'s own can change it; never use this outside a lab');
  }
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({ configFile, logger, allowInsecureRulesFile });
  } catch (error) {
    if (error instanceof StartError) {
      io.err(asErrorLines(error.message.split('\n').map((line) => (line.startsWith(configFile) ? line : `mcrd: ${line}`)).join('\n')));
      await journalGrace();
      return error.exitCode;
    }
    if (error instanceof DataPlaneUnavailable) {
      io.err(asErrorLines(`mcrd: ${error.message}`));
      await journalGrace();
      return EXIT_UNAVAILABLE;
    }
    throw error;
  }
  const watcher = new ConfigWatcher(
    configFile,
    () => void daemon.reload('file'),
    (message) => logger.limited('warn', 'watch', message),
  );
  await watcher.ready;
  await daemon.announceReady();
  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal}: stopping`);
      await watcher.close();
      await daemon.stop();
      await logger.flush();
      resolve(EXIT_OK);
    };
    handle = (signal: NodeJS.Signals) => {
      if (signal === 'SIGHUP') void daemon.reload('sighup');
      else if (signal === 'SIGUSR1') void daemon.logSnapshot();
      else void stop(signal);
    };
    for (const signal of early) handle(signal);
  });
}

/** journald files a stream's line under its unit by reading the writer's cgroup when it
 * gets to the line; a process already gone by then leaves the line without a unit, and
 * `journalctl -u mcrd` never shows why mcrd failed to start (seen under load). So a
 * start-up failure written to the journal waits a moment before mcrd exits. */
async function journalGrace(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (stdoutIsJournal(env, 2)) await new Promise((resolve) => setTimeout(resolve, JOURNAL_GRACE_MS));
}
