// The traffic tools' pure C++ parts (payload format, sequence accounting, hex frame
// parsing, pacing arithmetic) under AddressSanitizer and UBSan: native/tools/test/
// tools_test.cc, built here into build/tools-test/. Also proves every tools source
// compiles with the strictest warnings (-Wconversion -Wshadow -Wpedantic).
import t from 'tap';
import { execa } from 'execa';
import { mkdir, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOOLS = `${ROOT}native/tools`;
const OUT = `${ROOT}build/tools-test`;
const STRICT = ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-Wconversion', '-Wshadow'];

t.test('every tools source compiles with -Wconversion -Wshadow -Wpedantic', async (t) => {
  const sources = (await readdir(TOOLS)).filter((name) => name.endsWith('.cc'));
  t.ok(sources.length >= 8, `${sources.length} sources`);
  for (const source of sources) {
    const result = await execa('g++', [...STRICT, '-Wpedantic', '-fsyntax-only', `${TOOLS}/${source}`], { reject: false, all: true });
    t.equal(result.exitCode, 0, `${source}${result.all ? `\n${result.all}` : ''}`);
  }
});

t.test('the unit tests pass under ASan and UBSan', async (t) => {
  await mkdir(OUT, { recursive: true });
  const binary = `${OUT}/tools-test`;
  const build = await execa(
    'g++',
    [...STRICT, '-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer',
      '-o', binary, `${TOOLS}/test/tools_test.cc`, `${TOOLS}/seq_tracker.cc`, `${TOOLS}/hex_frames.cc`],
    { reject: false, all: true, timeout: 300_000 },
  );
  t.equal(build.exitCode, 0, `build${build.all ? `\n${build.all}` : ''}`);
  if (build.exitCode !== 0) return;
  const run = await execa(binary, [], { reject: false, all: true, timeout: 120_000, env: { ASAN_OPTIONS: 'detect_leaks=1' } });
  const lines = (run.all ?? '').split('\n');
  for (const line of lines) {
    const match = /^(ok|not ok) - (.+)$/.exec(line);
    if (match) t.ok(match[1] === 'ok', match[2] ?? '');
  }
  t.equal(run.exitCode, 0, run.exitCode === 0 ? 'exit 0' : run.all);
  t.match(lines.filter(Boolean).at(-1), /^\d+ passed, 0 failed$/);
});
