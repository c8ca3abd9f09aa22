// Turns the text of a rules file into a RuleSet, or into every error it contains, each
// pinned to FILE:LINE:COL. parseConfig is pure; loadConfigFile adds the file read.
// The same path serves `mcr check`, daemon start-up and every reload. `mcr check`'s
// warnings about a valid file are pinned the same way (locateWarnings).
import { readFile } from 'node:fs/promises';
import { parse, TomlError } from 'smol-toml';
import { indexPositions } from './positions.js';
import type { Warning } from './host-checks.js';
import { byPosition, type ConfigError, type ConfigWarning, type Problem } from './problems.js';
import { buildRuleSet, type RuleSet } from './ruleset.js';
import { validateSchema } from './schema.js';
import type { McrConfig } from './schema-types.js';
import { checkSemantics } from './semantic.js';

export type ConfigResult =
  | { readonly ok: true; readonly ruleSet: RuleSet }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

/** The file could not be read at all (missing, a directory, no permission). */
export class ConfigReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read ${file}: ${reason}`);
    this.name = 'ConfigReadError';
  }
}

function syntaxError(error: TomlError, file: string): ConfigError {
  // smol-toml appends a code frame after a blank line; the first line is the message.
  const [first = 'invalid TOML'] = error.message.split('\n');
  const message = first.replace(/^Invalid TOML document: /, '');
  return { code: 'toml-syntax', file, line: error.line, column: error.column, message: `TOML syntax error: ${message}` };
}

function position(problems: readonly Problem[], source: string, file: string): ConfigError[] {
  const index = indexPositions(source);
  const errors = problems.map((problem): ConfigError => {
    const at = index.locate(problem.path, problem.atKey);
    const message = problem.related
      ? problem.message.replace('{related}', `line ${index.locate(problem.related).line}`)
      : problem.message;
    return { code: problem.code, file, line: at.line, column: at.column, message };
  });
  const unique = new Map(errors.map((error) => [`${error.line}:${error.column}:${error.message}`, error]));
  return [...unique.values()].sort(byPosition);
}

export function parseConfig(source: string, file: string): ConfigResult {
  // Both parsers read the text after the byte order mark (or marks: smol-toml would skip
  // a second one, the position parser would not), so their positions agree.
  const text = source.replace(/^\uFEFF+/, '');
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    if (error instanceof TomlError) return { ok: false, errors: [syntaxError(error, file)] };
    throw error;
  }
  // An absent [daemon] still gets the schema's defaults.
  const table = data as Record<string, unknown>;
  if (table.daemon === undefined) table.daemon = {};
  const problems = [...validateSchema(data), ...checkSemantics(data)];
  if (problems.length > 0) return { ok: false, errors: position(problems, text, file) };
  return { ok: true, ruleSet: buildRuleSet(data as McrConfig) };
}

function describeReadFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}

/** Warnings about a valid file's text, each pinned to where its path was written. */
export function locateWarnings(warnings: readonly Warning[], source: string, file: string): ConfigWarning[] {
  if (warnings.length === 0) return [];
  const index = indexPositions(source.replace(/^\uFEFF+/, ''));
  return warnings.map((warning) => ({ code: warning.code, file, ...index.locate(warning.path), message: warning.message }));
}

/** The text of a rules file; a ConfigReadError when it cannot be read. */
export async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigReadError(file, describeReadFailure(error));
  }
}

export async function loadConfigFile(file: string): Promise<ConfigResult> {
  return parseConfig(await readConfigText(file), file);
}
