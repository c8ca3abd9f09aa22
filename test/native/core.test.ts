// Runs the C++ unit tests of the native core (packet parser, flow table), built with
// AddressSanitizer and UBSan by native/test/run.sh, and reports each as a test here.
import t from 'tap';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('../../native/test/run.sh', import.meta.url));

const result = await execa('bash', [RUNNER], { reject: false, timeout: 300_000, all: true });
const lines = (result.all ?? '').split('\n');
const tests = lines.flatMap((line) => {
  const match = /^(ok|not ok) - (.+)$/.exec(line);
  return match ? [{ passed: match[1] === 'ok', name: match[2] ?? '' }] : [];
});

t.equal(result.exitCode, 0, 'native/test/run.sh (ASan + UBSan) exits 0');
t.match(lines.filter(Boolean).at(-1), /^\d+ passed, 0 failed$/, 'its summary shows no failure');
t.ok(tests.length >= 20, `${tests.length} native tests ran`);
if (result.exitCode !== 0) t.comment(result.all ?? '');

for (const test of tests) {
  t.test(`native: ${test.name}`, async (t) => {
    t.ok(test.passed, 'passed under ASan and UBSan');
  });
}
