import t from 'tap';
import { readFile } from 'node:fs/promises';
import { WARNING_CODES } from '../../src/config/host-checks.js';
import { PROBLEM_CODES } from '../../src/config/problems.js';
import { INVALID_CASES } from './invalid-cases.js';

t.test('every problem code has at least one invalid-file case', async (t) => {
  const covered = new Set(INVALID_CASES.flatMap((testCase) => testCase.codes));
  for (const code of PROBLEM_CODES) t.ok(covered.has(code), code);
});

t.test('every problem and warning code is documented in docs/config-errors.md, and nothing else is', async (t) => {
  const doc = await readFile(new URL('../../docs/config-errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^### `([a-z0-9-]+)`/gm)].map((match) => match[1]);
  t.same(documented.sort(), [...PROBLEM_CODES, ...WARNING_CODES].sort());
});
