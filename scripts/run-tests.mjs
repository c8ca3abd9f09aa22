// Runs the whole test suite and ends with one line, "N passed, N failed, N skipped",
// which CI reads. Steps: the TypeScript type check (one check), then every tap test
// file; each top-level test of a file counts once, and a file that fails without a
// failing test (a crash, a timeout) counts as one failure. Exit 1 on any failure.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const counts = { passed: 0, failed: 0, skipped: 0 };

function run(command, args, onLine) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: child.stdout }).on('line', (line) => {
      process.stdout.write(`${line}\n`);
      onLine?.(line);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function typecheck() {
  console.log('# type check: tsc --noEmit -p tsconfig.json');
  const code = await run('npx', ['--no-install', 'tsc', '--noEmit', '-p', 'tsconfig.json']);
  if (code === 0) counts.passed += 1;
  else {
    counts.failed += 1;
    console.log('not ok - type check');
  }
}

async function tap(files) {
  const fileFailed = new Map();
  let current;
  const onLine = (line) => {
    const file = /^# Subtest: (.+)$/.exec(line);
    if (file) current = { name: file[1], failedTests: 0 };
    const test = /^ {4}(not ok|ok) \d+ - (.*)$/.exec(line);
    if (test && current) {
      if (/# SKIP/i.test(test[2])) counts.skipped += 1;
      else if (test[1] === 'ok') counts.passed += 1;
      else {
        counts.failed += 1;
        current.failedTests += 1;
      }
    }
    const end = /^(not ok|ok) \d+ - (\S+)/.exec(line);
    if (end && current) fileFailed.set(current.name, end[1] === 'not ok' && current.failedTests === 0);
  };
  const code = await run('npx', ['--no-install', 'tap', '--reporter=tap', ...files], onLine);
  for (const [name, failedAlone] of fileFailed) {
    if (failedAlone) {
      counts.failed += 1;
      console.log(`not ok - ${name} failed outside its tests`);
    }
  }
  // tap exits non-zero with every test passing when coverage falls below package.json's
  // thresholds: that is a failure too.
  if (code !== 0 && counts.failed === 0) {
    counts.failed += 1;
    console.log(`not ok - tap exited with ${code} (coverage below the thresholds in package.json?)`);
  }
}

await typecheck();
await tap(process.argv.slice(2));
const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
console.log(`${counts.passed} passed, ${counts.failed} failed${skipped}`);
process.exit(counts.failed > 0 ? 1 : 0);
