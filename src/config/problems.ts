// The catalog of everything that can be wrong with a rules file, and how a problem
// is pinned to a place in it. Every code here is documented in docs/config-errors.md
// and exercised by test/config/invalid-files.test.ts; a test fails if either misses one.

/** A path into the parsed file: keys and array indexes, as in a JSON pointer. */
export type JsonPath = readonly (string | number)[];

export const PROBLEM_CODES = [
  'toml-syntax',
  'unknown-key',
  'missing-key',
  'wrong-type',
  'out-of-range',
  'bad-value',
  'not-an-address',
  'bad-group',
  'bad-source',
  'bad-scope',
  'ipv4-mapped',
  'bad-zone',
  'family-mismatch',
  'port-zero',
  'ttl-range',
  'cannot-preserve',
  'bad-interface',
  'no-outputs',
  'output-loop',
  'duplicate-output',
  'duplicate-input',
  'duplicate-name',
  'input-and-inputs',
  'needs-redundancy',
  'needs-inputs',
  'needs-rtp',
  'reflector-service',
  'reflector-interfaces',
  'reflector-direction',
  'bad-prefix',
  'too-many-rules',
  'too-many-outputs',
  'too-many-groups',
  'too-many-interfaces',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** A problem found in the parsed data, located by path; the file position comes later. */
export interface Problem {
  readonly code: ProblemCode;
  readonly path: JsonPath;
  readonly message: string;
  /** Point at the key itself (unknown keys) rather than at its value. */
  readonly atKey?: boolean;
  /** Another place the message refers to: "{related}" in the message becomes "line N". */
  readonly related?: JsonPath;
}

/** A problem pinned to a line and column (both 1-based) of a file. */
export interface ConfigError {
  readonly code: ProblemCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function formatConfigError(error: ConfigError): string {
  return `${error.file}:${error.line}:${error.column}: ${error.message}`;
}

/** A warning about a valid file (config/host-checks.ts), pinned like an error. */
export interface ConfigWarning {
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function formatConfigWarning(warning: ConfigWarning): string {
  return `${warning.file}:${warning.line}:${warning.column}: warning: ${warning.message}`;
}

export function byPosition(a: ConfigError, b: ConfigError): number {
  return a.line - b.line || a.column - b.column || a.message.localeCompare(b.message);
}
