// Reads the rules file for start-up and every reload: checks who can change it, parses
// and validates it. A file that cannot run becomes a StartError carrying the message
// and the exit code mcrd would end with at start-up (a reload logs it instead).
import { ConfigReadError, parseConfig } from '../config/load.js';
import { formatConfigError } from '../config/problems.js';
import type { RuleSet } from '../config/ruleset.js';
import { EXIT_CONFIG, EXIT_NOINPUT } from '../product.js';
import { readRulesSource, RulesFileRefused } from '../security/rules-file.js';
import type { Logger } from './log.js';

/** Start-up failed: the message to print and the exit code (sysexits). */
export class StartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

export interface RulesSource {
  readonly configFile: string;
  readonly logger: Logger;
  /** --allow-insecure-rules-file: warn about the rules file's permissions, do not refuse. */
  readonly allowInsecureRulesFile?: boolean;
}

/** Reads (checking who can change it) and validates the rules file; throws a StartError saying why it cannot. */
export async function readRules(options: RulesSource): Promise<RuleSet> {
  const file = options.configFile;
  let result;
  try {
    const { source, warnings } = await readRulesSource(file, { allowInsecure: options.allowInsecureRulesFile === true });
    for (const warning of warnings) options.logger.warn(`${warning} (allowed by --allow-insecure-rules-file)`);
    result = parseConfig(source, file);
  } catch (error) {
    if (error instanceof ConfigReadError) throw new StartError(error.message, EXIT_NOINPUT);
    if (error instanceof RulesFileRefused) throw new StartError(error.message, EXIT_CONFIG);
    throw error;
  }
  if (result.ok) return result.ruleSet;
  throw new StartError(result.errors.map(formatConfigError).join('\n'), EXIT_CONFIG);
}

/** The lines a reload logs for a file that could not be read: a StartError's, or the error's text. */
export function refusalLines(error: unknown): string[] {
  return error instanceof StartError ? error.message.split('\n') : [String(error)];
}
