// How long `mcr check` takes on a large rules file: 4,096 rules (the most [limits]
// allows, each on its own group, so max_groups is raised to match) with 2 outputs each
// (valid), and the same file with one error in every 100th rule (so the position
// index is built too). Runs the real CLI as a new process each time, as an operator
// would, and reports the median and spread of several runs.
//   node bench/check-large.mjs [--rules N] [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rules: { type: 'string', default: '4096' }, runs: { type: 'string', default: '7' } } });
const ruleCount = Number(values.rules);
const runs = Number(values.runs);
const mcr = fileURLToPath(new URL('../bin/mcr.js', import.meta.url));

function rulesFile(broken) {
  const lines = ['[daemon]', 'workers = 2', '', '[limits]', `max_groups = ${Math.min(ruleCount, 4096)}`, ''];
  for (let i = 0; i < ruleCount; i += 1) {
    const group = `239.${Math.floor(i / 250) + 1}.${i % 250}.1`;
    const port = broken && i % 100 === 0 ? 0 : 5000 + (i % 1000);
    lines.push(
      '[[rule]]',
      `name = "flow-${i}"`,
      `input = { interface = "eth${i % 4}", group = "${group}", port = ${port} }`,
      'outputs = [',
      `  { interface = "eth4", group = "${group.replace(/^239/, '238')}", port = 6000 },`,
      `  { interface = "eth5", group = "10.${Math.floor(i / 250)}.${i % 250}.9", port = 6000 },`,
      ']',
      '',
    );
  }
  return lines.join('\n');
}

function measure(file, expectedCode) {
  const times = [];
  for (let run = 0; run < runs; run += 1) {
    const start = process.hrtime.bigint();
    const result = spawnSync('node', [mcr, 'check', file], { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== expectedCode) throw new Error(`mcr check exited ${result.status}: ${result.stderr.slice(0, 500)}`);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

const dir = mkdtempSync(join(tmpdir(), 'mcr-bench-'));
try {
  const good = join(dir, 'good.toml');
  const bad = join(dir, 'bad.toml');
  writeFileSync(good, rulesFile(false));
  writeFileSync(bad, rulesFile(true));
  const empty = join(dir, 'empty.toml');
  writeFileSync(empty, '');
  const rows = [
    ['empty file (process start-up)', measure(empty, 0)],
    [`${ruleCount} rules, valid`, measure(good, 0)],
    [`${ruleCount} rules, ${Math.ceil(ruleCount / 100)} errors`, measure(bad, 78)],
  ];
  console.log(`mcr check, wall time of the whole process, ${runs} runs each (ms):`);
  for (const [label, t] of rows) {
    console.log(`  ${label.padEnd(32)} median ${t.median.toFixed(0).padStart(5)}   min ${t.min.toFixed(0).padStart(5)}   max ${t.max.toFixed(0).padStart(5)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
