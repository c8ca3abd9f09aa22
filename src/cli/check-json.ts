// `mcr check --format json`: the result of checking one rules file as one line of JSON,
// for CI pipelines that validate rules files before pushing them to relays. Each error
// carries file, line, column, code (the catalog in docs/config-errors.md, or
// "unreadable" when the file could not be read) and message, in the file's order; each
// warning about a good file (mcr check's host checks) has the same fields. The key
// order is fixed, so the output of one file is always the same text. Pure: the caller
// reads the file and prints the line.
import type { ConfigError, ConfigWarning } from '../config/problems.js';
import type { RuleSet } from '../config/ruleset.js';

/** What checking one file came to: its rules, its errors, or why it could not be read. */
export type CheckOutcome =
  | { readonly kind: 'valid'; readonly ruleSet: RuleSet; readonly warnings: readonly ConfigWarning[] }
  | { readonly kind: 'invalid'; readonly errors: readonly ConfigError[] }
  | { readonly kind: 'unreadable'; readonly message: string };

interface JsonError {
  file: string;
  line: number | null;
  column: number | null;
  code: string;
  message: string;
}

/** The JSON line for a checked file. */
export function formatCheckJson(file: string, outcome: CheckOutcome): string {
  if (outcome.kind === 'valid') {
    const rules = outcome.ruleSet.rules;
    const interfaces = new Set<string>();
    for (const rule of rules) {
      for (const input of rule.inputs) interfaces.add(input.interface);
      for (const output of rule.outputs) interfaces.add(output.interface);
    }
    const warnings: JsonError[] = outcome.warnings.map((warning) => ({
      file: warning.file,
      line: warning.line,
      column: warning.column,
      code: warning.code,
      message: warning.message,
    }));
    return JSON.stringify({
      file,
      valid: true,
      errors: [],
      warnings,
      rules: rules.length,
      disabled: rules.filter((rule) => !rule.enabled).length,
      outputs: rules.reduce((sum, rule) => sum + rule.outputs.length, 0),
      interfaces: [...interfaces].sort(),
    });
  }
  const errors: JsonError[] =
    outcome.kind === 'invalid'
      ? outcome.errors.map((error) => ({ file: error.file, line: error.line, column: error.column, code: error.code, message: error.message }))
      : [{ file, line: null, column: null, code: 'unreadable', message: outcome.message }];
  return JSON.stringify({ file, valid: false, errors, warnings: [] });
}
