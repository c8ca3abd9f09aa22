// Reads the rules file for mcrd, which trusts it with what the relay sends where: the
// file must be one that only root or mcrd's own user can change (checkPathTrust), and
// no larger than MAX_RULES_FILE_BYTES, so a bad file cannot exhaust memory before it
// is even parsed. The override (--allow-insecure-rules-file) is a command-line flag,
// never a key in the file: the file is the thing being judged.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ConfigReadError } from '../config/load.js';
import { checkPathTrust, describeTrusted, describeTrustProblem, trustedUids } from './path-trust.js';

/** Far above any real file: one at every [limits] maximum, one output a line, is about 4.5 MiB. */
export const MAX_RULES_FILE_BYTES = 16 * 1024 * 1024;

export const ALLOW_INSECURE_FLAG = '--allow-insecure-rules-file';

/** The file is not one mcrd may trust, or is too large: exit 78 at start. */
export class RulesFileRefused extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'RulesFileRefused';
  }
}

export interface RulesFileOptions {
  /** Warn about unsafe ownership or modes instead of refusing the file. */
  readonly allowInsecure?: boolean;
  readonly maxBytes?: number;
}

export interface RulesSource {
  readonly source: string;
  /** What the permission check found when allowInsecure let it pass. */
  readonly warnings: readonly string[];
}

function readFailure(file: string, error: unknown): ConfigReadError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String((error as Error).message);
  return new ConfigReadError(file, reason);
}

function trustLines(file: string, problems: readonly string[]): string[] {
  return problems.map((problem) => `unsafe rules file ${file}: ${problem}`);
}

export function explainTrust(): string {
  return (
    `mcrd reads rules only from a file that nobody but ${describeTrusted()} can change, reached through directories ` +
    `nobody else can change either (see docs/security.md); in a lab, ${ALLOW_INSECURE_FLAG} makes this a warning`
  );
}

/** The file's text, checked; throws ConfigReadError (unreadable) or RulesFileRefused. */
export async function readRulesSource(file: string, options: RulesFileOptions = {}): Promise<RulesSource> {
  const maxBytes = options.maxBytes ?? MAX_RULES_FILE_BYTES;
  let path = file;
  let expected: { dev: number; ino: number } | undefined;
  const warnings: string[] = [];
  let report;
  try {
    report = checkPathTrust(file, 'file');
  } catch (error) {
    throw readFailure(file, error); // a directory on the way we may not search
  }
  // What the plain read would have failed on keeps its own exit code (66, unreadable).
  const unreadable = report.problems.find((problem) => ['missing', 'not-a-directory', 'symlink-loop'].includes(problem.kind));
  if (unreadable) throw new ConfigReadError(file, unreadable.kind === 'missing' ? 'no such file' : describeTrustProblem(unreadable));
  if (report.target?.isDirectory()) throw new ConfigReadError(file, 'it is a directory');
  const uids = trustedUids();
  const problems = report.problems.map((problem) => describeTrustProblem(problem, uids));
  if (problems.length > 0 && !options.allowInsecure) throw new RulesFileRefused([...trustLines(file, problems), explainTrust()]);
  warnings.push(...trustLines(file, problems));
  if (problems.length === 0 && report.target) {
    // Read exactly what was checked: the resolved path, no link followed at its end.
    path = report.resolved;
    expected = { dev: report.target.dev, ino: report.target.ino };
  }
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (expected ? constants.O_NOFOLLOW : 0));
  } catch (error) {
    throw readFailure(file, error);
  }
  try {
    const stat = await handle.stat();
    if (expected && (stat.dev !== expected.dev || stat.ino !== expected.ino)) {
      throw new RulesFileRefused([`unsafe rules file ${file}: it was replaced while being checked; reload again`]);
    }
    if (stat.isDirectory()) throw new ConfigReadError(file, 'it is a directory');
    const tooLarge = () =>
      new RulesFileRefused([
        `${file} is larger than ${maxBytes} bytes, the most mcrd reads (it bounds the memory a rules file can take)`,
      ]);
    if (stat.size > maxBytes) throw tooLarge();
    // The size can change under us: read at most one byte past the bound to notice.
    let buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooLarge();
        const grown = Buffer.alloc(Math.min(length * 2, maxBytes + 1));
        buffer.copy(grown);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { source: buffer.subarray(0, length).toString('utf8'), warnings };
  } catch (error) {
    if (error instanceof RulesFileRefused || error instanceof ConfigReadError) throw error;
    throw readFailure(file, error);
  } finally {
    await handle.close();
  }
}
