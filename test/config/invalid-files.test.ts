import t from 'tap';
import { parseConfig } from '../../src/config/load.js';
import { INVALID_CASES } from './invalid-cases.js';

t.test('every invalid file is rejected with exactly the expected positioned errors', async (t) => {
  t.ok(INVALID_CASES.length >= 40, `${INVALID_CASES.length} cases`);
  for (const testCase of INVALID_CASES) {
    const result = parseConfig(testCase.lines.join('\n') + '\n', 'mcr.toml');
    const errors = result.ok ? [] : result.errors;
    t.same(
      errors.map((error) => `${error.line}:${error.column}: ${error.message}`),
      testCase.errors,
      testCase.name,
    );
    t.same([...new Set(errors.map((error) => error.code))].sort(), [...new Set(testCase.codes)].sort(), `${testCase.name}: codes`);
  }
});
