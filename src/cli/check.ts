// `mcr check [FILE]` and `mcr check --diff OLD NEW`: verify a rules file with the same
// code the daemon uses, as `nginx -t` does. Exit 0 when good, 78 (EX_CONFIG) with
// every error when bad, 66 when a file cannot be read.
import { parseArgs } from 'node:util';
import { ConfigReadError, loadConfigFile } from '../config/load.js';
import { formatConfigError } from '../config/problems.js';
import type { RuleSet } from '../config/ruleset.js';
import { diff } from '../diff.js';
import { DEFAULT_CONFIG, EXIT_CONFIG, EXIT_NOINPUT, EXIT_OK, EXIT_USAGE } from '../product.js';
import { formatPlan } from './format-plan.js';
import { plural } from './plural.js';
import type { Io } from './io.js';
import { summarize } from './summary.js';

export const CHECK_USAGE = `usage: mcr check [FILE]            check a rules file (default ${DEFAULT_CONFIG})
       mcr check --diff OLD NEW     check both, then print the plan a reload from OLD to NEW applies`;

/** Loads and reports; returns the RuleSet, or the exit code that ends the command. */
async function checkOne(file: string, io: Io): Promise<RuleSet | number> {
  try {
    const result = await loadConfigFile(file);
    if (result.ok) return result.ruleSet;
    for (const error of result.errors) io.err(formatConfigError(error));
    io.err(`${file}: ${plural(result.errors.length, 'error')}`);
    return EXIT_CONFIG;
  } catch (error) {
    if (!(error instanceof ConfigReadError)) throw error;
    io.err(`mcr: ${error.message}`);
    return EXIT_NOINPUT;
  }
}

export async function runCheck(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { diff: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.err(`mcr check: ${(error as Error).message}\n${CHECK_USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(CHECK_USAGE);
    return EXIT_OK;
  }
  if (values.diff) {
    if (positionals.length !== 2) {
      io.err(`mcr check --diff needs two files, OLD and NEW\n${CHECK_USAGE}`);
      return EXIT_USAGE;
    }
    const [oldFile = '', newFile = ''] = positionals;
    const running = await checkOne(oldFile, io);
    const next = await checkOne(newFile, io);
    if (typeof running === 'number') return running;
    if (typeof next === 'number') return next;
    io.out(`reload plan ${oldFile} -> ${newFile}:`);
    for (const line of formatPlan(diff(running, next))) io.out(line);
    return EXIT_OK;
  }
  if (positionals.length > 1) {
    io.err(`mcr check takes one file (got ${positionals.length})\n${CHECK_USAGE}`);
    return EXIT_USAGE;
  }
  const file = positionals[0] ?? DEFAULT_CONFIG;
  const result = await checkOne(file, io);
  if (typeof result === 'number') return result;
  io.out(`${file}: OK: ${summarize(result)}`);
  return EXIT_OK;
}
