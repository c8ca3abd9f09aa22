// `mcr check [FILE]` and `mcr check --diff OLD NEW`: verify a rules file with the same
// code the daemon uses, as `nginx -t` does. Exit 0 when good, 78 (EX_CONFIG) with
// every error when bad, 66 when a file cannot be read. `--format json` prints the
// result of one file as a line of JSON (check-json.ts) instead, with the same codes.
// A good file is also held against this host's interfaces (config/host-checks.ts):
// what would lose datagrams or fail an output as they are now is a warning, positioned
// like an error, and the exit code stays 0.
import { parseArgs } from 'node:util';
import { hostWarnings, type HostInterfaces } from '../config/host-checks.js';
import { ConfigReadError, locateWarnings, parseConfig, readConfigText } from '../config/load.js';
import { formatConfigError, formatConfigWarning } from '../config/problems.js';
import type { RuleSet } from '../config/ruleset.js';
import { readHostInterfaces } from '../net/interfaces.js';
import { diff } from '../diff.js';
import { DEFAULT_CONFIG, EXIT_CONFIG, EXIT_NOINPUT, EXIT_OK, EXIT_USAGE } from '../product.js';
import { formatCheckJson, type CheckOutcome } from './check-json.js';
import { formatPlan } from './format-plan.js';
import { plural } from './plural.js';
import type { Io } from './io.js';
import { summarize } from './summary.js';

export const CHECK_USAGE = `usage: mcr check [FILE]                 check a rules file (default ${DEFAULT_CONFIG})
       mcr check --format json [FILE]   the same, the result as one line of JSON on stdout
       mcr check --diff OLD NEW         check both, then print the plan a reload from OLD to NEW applies`;

const EXIT_FOR: Record<CheckOutcome['kind'], number> = { valid: EXIT_OK, invalid: EXIT_CONFIG, unreadable: EXIT_NOINPUT };

/** How the host's interfaces are read: injected by tests. */
export type ReadHost = () => HostInterfaces;

async function check(file: string, readHost: ReadHost): Promise<CheckOutcome> {
  let source: string;
  try {
    source = await readConfigText(file);
  } catch (error) {
    if (!(error instanceof ConfigReadError)) throw error;
    return { kind: 'unreadable', message: error.message };
  }
  const result = parseConfig(source, file);
  if (!result.ok) return { kind: 'invalid', errors: result.errors };
  const warnings = locateWarnings(hostWarnings(result.ruleSet, readHost()), source, file);
  return { kind: 'valid', ruleSet: result.ruleSet, warnings };
}

/** Loads and reports as text; returns the RuleSet and its warnings (already printed),
 * or the exit code that ends the command. */
async function checkOne(file: string, io: Io, readHost: ReadHost): Promise<{ ruleSet: RuleSet; warnings: number } | number> {
  const outcome = await check(file, readHost);
  if (outcome.kind === 'valid') {
    for (const warning of outcome.warnings) io.err(formatConfigWarning(warning));
    return { ruleSet: outcome.ruleSet, warnings: outcome.warnings.length };
  }
  if (outcome.kind === 'unreadable') {
    io.err(`mcr: ${outcome.message}`);
  } else {
    for (const error of outcome.errors) io.err(formatConfigError(error));
    io.err(`${file}: ${plural(outcome.errors.length, 'error')}`);
  }
  return EXIT_FOR[outcome.kind];
}

export async function runCheck(args: string[], io: Io, readHost: ReadHost = readHostInterfaces): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { diff: { type: 'boolean' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.err(`mcr check: ${(error as Error).message}\n${CHECK_USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(CHECK_USAGE);
    return EXIT_OK;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.err(`mcr check: --format must be text or json (got "${format}")\n${CHECK_USAGE}`);
    return EXIT_USAGE;
  }
  if (format === 'json' && values.diff) {
    io.err(`mcr check: --format json checks one file; it does not go with --diff\n${CHECK_USAGE}`);
    return EXIT_USAGE;
  }
  if (values.diff) {
    if (positionals.length !== 2) {
      io.err(`mcr check --diff needs two files, OLD and NEW\n${CHECK_USAGE}`);
      return EXIT_USAGE;
    }
    const [oldFile = '', newFile = ''] = positionals;
    const running = await checkOne(oldFile, io, readHost);
    const next = await checkOne(newFile, io, readHost);
    if (typeof running === 'number') return running;
    if (typeof next === 'number') return next;
    io.out(`reload plan ${oldFile} -> ${newFile}:`);
    for (const line of formatPlan(diff(running.ruleSet, next.ruleSet))) io.out(line);
    return EXIT_OK;
  }
  if (positionals.length > 1) {
    io.err(`mcr check takes one file (got ${positionals.length})\n${CHECK_USAGE}`);
    return EXIT_USAGE;
  }
  const file = positionals[0] ?? DEFAULT_CONFIG;
  if (format === 'json') {
    const outcome = await check(file, readHost);
    io.out(formatCheckJson(file, outcome));
    return EXIT_FOR[outcome.kind];
  }
  const result = await checkOne(file, io, readHost);
  if (typeof result === 'number') return result;
  const warned = result.warnings > 0 ? `, ${plural(result.warnings, 'warning')}` : '';
  io.out(`${file}: OK: ${summarize(result.ruleSet)}${warned}`);
  return EXIT_OK;
}
