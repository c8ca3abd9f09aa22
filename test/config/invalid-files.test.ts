import t from 'tap';
import { parseConfig } from '../../src/config/load.js';
import { INVALID_CASES } from './invalid-cases.js';

t.ok(INVALID_CASES.length >= 40, `${INVALID_CASES.length} invalid files in the table`);

for (const testCase of INVALID_CASES) {
  t.test(`rejected with exact positioned errors: ${testCase.name}`, async (t) => {
    const result = parseConfig(testCase.lines.join('\n') + '\n', 'mcr.toml');
    const errors = result.ok ? [] : result.errors;
    t.same(
      errors.map((error) => `${error.line}:${error.column}: ${error.message}`),
      testCase.errors,
    );
    t.same([...new Set(errors.map((error) => error.code))].sort(), [...new Set(testCase.codes)].sort(), 'codes');
  });
}
