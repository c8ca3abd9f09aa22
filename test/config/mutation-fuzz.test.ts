// Config robustness: thousands of seeded mutants of the example files go through the
// code `mcr check` runs (file bytes read as UTF-8, then parseConfig). Each one ends in
// exactly one of two ways: valid, with a well-formed RuleSet that survives being written
// out and read back; or rejected, every problem with a catalogued code, a message, and a
// position inside the file. Never an exception, never a slow check. A sample also goes
// through the real `mcr check` process, whose exit code and stderr must agree.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, type ConfigResult } from '../../src/config/load.js';
import { formatConfigError, PROBLEM_CODES, type ConfigError } from '../../src/config/problems.js';
import { outputKey, ruleKey, sourceText, type RuleSet } from '../../src/config/ruleset.js';
import { diff } from '../../src/diff.js';
import { planIsEmpty } from '../../src/daemon/effective.js';
import { mutate, type Mutant } from '../helpers/config-mutations.js';
import { MCR, run, tempDir } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MUTANTS = 3_000;
/** Each `mcr check` is a Node process (about 0.3 s, more on a busy machine). */
const CLI_SAMPLE = 24;
const CLI_VALID = 6;
const CLI_PER_CODE = 2;
const CLI_CONCURRENCY = 2;
/** A check slower than this is reported as a (near) hang. */
const SLOW_MS = 2_000;
const FILE = 'fuzz.toml';
/** Every this many mutants are also checked one line further down the file. */
const SHIFT_EVERY = 4;

/** A file that uses every key, both table styles, and every kind of address. */
const RICH = `# every key of the format
[daemon]
workers = 2
cpus = [0, 1]
stats_interval = 0.5
stats_file = "/run/mcr/stats.json"
prometheus_file = "/var/lib/node_exporter/mcr.prom"
backend = "syscalls"
egress = "frame"
log_level = "debug"

[[rule]]
name = "inline"
input = { interface = "eth0", group = "239.1.1.1", port = 5000 }
outputs = [
  { interface = "eth1", group = "239.2.1.1", port = 5000 },
  { interface = "eth2", group = "10.8.0.2", port = 6000, ttl = 8, source_address = "10.8.0.1" },
  { interface = "eth3", group = "239.2.1.3", port = 5000, dscp = 46, source_address = "preserve" },
  { interface = "wg0", group = "10.9.0.2", port = 5000, egress = "socket" },
]

[[rule]]
name = "long-form"
enabled = false
[rule.input]
interface = "eth1"
group = "232.7.7.7"
port = 5004
source = "10.1.0.11"
[[rule.outputs]]
interface = "eth2"
group = "239.8.8.8"
port = 5004
ttl = 255

[[rule]]
input.interface = "eth3"
input.group = "10.0.0.5"
input.port = 7000
outputs = [ { interface = "eth0", group = "224.0.0.251", port = 5353 } ]
`;

function seeds(): Buffer[] {
  const examples = readdirSync(join(ROOT, 'examples'))
    .filter((name) => name.endsWith('.toml'))
    .sort()
    .map((name) => readFileSync(join(ROOT, 'examples', name)));
  const shipped = readFileSync(join(ROOT, 'mcr.toml.example'));
  return [Buffer.from(RICH), ...examples, shipped];
}

function escape(text: string): string {
  // JSON escapes are TOML basic-string escapes too.
  return JSON.stringify(text);
}

/** The [[rule]] tables of a RuleSet (a reflector's flows are its own table's, not
 * rules) written back as TOML, every value explicit. */
function rulesAsToml(ruleSet: RuleSet): string {
  return ruleSet.rules
    .filter((rule) => !rule.reflector)
    .map((rule) => {
      const inputs = rule.inputs.map(
        (one) =>
          `{ interface = ${escape(one.interface)}, group = ${escape(one.group.text)}, port = ${one.port}${
            one.source === null ? '' : `, source = ${escape(one.source.text)}`
          }${one.timeoutMs === null ? '' : `, timeout_ms = ${one.timeoutMs}`} }`,
      );
      const input = rule.inputs.length > 1 ? `s = [ ${inputs.join(', ')} ]` : ` = ${inputs[0]}`;
      const { health } = rule;
      const settings = [
        health.redundancy === null ? '' : `redundancy = ${escape(health.redundancy)}\n`,
        health.redundancy !== 'failover' ? '' : `revert_after_ms = ${health.revertAfterMs === null ? '"never"' : health.revertAfterMs}\n`,
        health.redundancy !== 'merge' ? '' : `merge_window_ms = ${health.mergeWindowMs}\n`,
        health.payload === null ? '' : `payload = ${escape(health.payload)}\n`,
        health.clockRate === null ? '' : `clock_rate = ${health.clockRate}\n`,
      ].join('');
      const outputs = rule.outputs.map(
        (o) =>
          `{ interface = ${escape(o.interface)}, group = ${escape(o.directed ? 'broadcast' : o.group.text)}, port = ${o.port}, ttl = ${o.ttl}${
            o.sourceAddress === null ? '' : `, source_address = ${escape(sourceText(o.sourceAddress) ?? '')}`
          }, egress = ${escape(o.egress)}, dscp = ${o.dscp} }`,
      );
      return `[[rule]]\nname = ${escape(rule.name)}\nenabled = ${rule.enabled}\ninput${input}\n${settings}outputs = [ ${outputs.join(', ')} ]\n`;
    })
    .join('\n');
}

/** What is wrong with a valid result: an empty list when the RuleSet is well-formed. */
function ruleSetFaults(ruleSet: RuleSet): string[] {
  const faults: string[] = [];
  if (!planIsEmpty(diff(ruleSet, ruleSet))) faults.push('diff against itself is not empty');
  const keys = new Set<string>();
  const names = new Set<string>();
  for (const rule of ruleSet.rules) {
    if (rule.key !== ruleKey(rule.inputs)) faults.push(`rule ${rule.name}: key ${rule.key} is not its inputs'`);
    if (rule.input !== rule.inputs[0]) faults.push(`rule ${rule.name}: input is not its first input`);
    if (keys.has(rule.key)) faults.push(`two rules with input ${rule.key}`);
    if (names.has(rule.name)) faults.push(`two rules named ${rule.name}`);
    keys.add(rule.key);
    names.add(rule.name);
    if (rule.outputs.length === 0) faults.push(`rule ${rule.name} has no outputs`);
    const outputs = new Set(rule.outputs.map((o) => `${o.interface}|${o.group.text}|${o.port}`));
    if (outputs.size !== rule.outputs.length) faults.push(`rule ${rule.name} lists an output twice`);
    for (const endpoint of [rule.input, ...rule.outputs]) {
      if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) faults.push(`port ${endpoint.port}`);
    }
    for (const output of rule.outputs) {
      if (!Number.isInteger(output.ttl) || output.ttl < 1 || output.ttl > 255) faults.push(`ttl ${output.ttl} in ${outputKey(output)}`);
    }
  }
  const again = parseConfig(rulesAsToml(ruleSet), 'again.toml');
  if (!again.ok) faults.push(`written back, the rules are refused: ${again.errors.map(formatConfigError).join('; ')}`);
  else if (JSON.stringify(again.ruleSet.rules) !== JSON.stringify(ruleSet.rules.filter((rule) => !rule.reflector))) faults.push('written back and read again, the rules differ');
  return faults;
}

/** What is wrong with one reported error, given the text it was reported for. */
function errorFaults(error: ConfigError, lines: readonly string[]): string[] {
  const where = `${error.line}:${error.column} ${error.code}`;
  const faults: string[] = [];
  if (!(PROBLEM_CODES as readonly string[]).includes(error.code)) faults.push(`${where}: code not in the catalog`);
  if (error.file !== FILE) faults.push(`${where}: names file ${error.file}`);
  if (typeof error.message !== 'string' || error.message.trim() === '') faults.push(`${where}: no message`);
  if (/undefined|\[object |\{related\}/.test(error.message)) faults.push(`${where}: message "${error.message}"`);
  const line = lines[error.line - 1];
  if (!Number.isInteger(error.line) || line === undefined) {
    faults.push(`${where}: line outside the file's ${lines.length} lines`);
    return faults;
  }
  if (!Number.isInteger(error.column) || error.column < 1 || error.column > line.length + 1) {
    faults.push(`${where}: column outside line ${error.line} (${line.length} characters)`);
    return faults;
  }
  // Problems found after parsing point at a key, a value or a table header: text that
  // is written there, never blank space or a comment.
  if (error.code !== 'toml-syntax') {
    const at = line[error.column - 1] ?? '';
    const comment = line.indexOf('#');
    if (at === '' || /\s/.test(at)) faults.push(`${where}: points at blank space in ${JSON.stringify(line.slice(0, 80))}`);
    else if (comment >= 0 && comment <= error.column - 1 && !/["']/.test(line.slice(0, comment))) {
      faults.push(`${where}: points into a comment: ${JSON.stringify(line.slice(0, 80))}`);
    }
  }
  return faults;
}

interface Examined {
  readonly result: ConfigResult;
  readonly ms: number;
  readonly faults: readonly string[];
}

/** What `mcr check` does with these bytes, and everything wrong with the outcome. */
function examine(bytes: Buffer): Examined {
  const text = bytes.toString('utf8');
  const started = performance.now();
  let result: ConfigResult;
  try {
    result = parseConfig(text, FILE);
  } catch (error) {
    const ms = performance.now() - started;
    return { result: { ok: false, errors: [] }, ms, faults: [`threw ${(error as Error).stack ?? String(error)}`] };
  }
  const ms = performance.now() - started;
  const faults: string[] = [];
  if (ms > SLOW_MS) faults.push(`took ${ms.toFixed(0)} ms`);
  if (result.ok) {
    faults.push(...ruleSetFaults(result.ruleSet));
  } else {
    // Columns on line 1 count from after a byte order mark, as editors show them.
    const lines = text.replace(/^\uFEFF+/, '').split('\n');
    if (result.errors.length === 0) faults.push('refused with no error');
    for (const error of result.errors) faults.push(...errorFaults(error, lines));
    const syntax = result.errors.filter((error) => error.code === 'toml-syntax').length;
    if (syntax > 0 && result.errors.length !== 1) faults.push('a syntax error comes with other errors');
  }
  return { result, ms, faults };
}

/** The same file one comment line longer at the top: every error one line further
 * down, same column, same code, same message (its "line N" references moved too). */
function shiftFaults(text: string, result: ConfigResult): string[] {
  const bom = /^\uFEFF*/.exec(text)?.[0] ?? '';
  const shifted = parseConfig(`${bom}# one more line\n${text.slice(bom.length)}`, FILE);
  if (shifted.ok !== result.ok) return [`one comment line more turns the file ${shifted.ok ? 'valid' : 'invalid'}`];
  if (result.ok || shifted.ok) return [];
  const moved = (error: ConfigError) =>
    `${error.line + 1}:${error.column} ${error.code} ${error.message.replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) + 1}`)}`;
  const expected = result.errors.map(moved);
  const got = shifted.errors.map((error) => `${error.line}:${error.column} ${error.code} ${error.message}`);
  return JSON.stringify(expected) === JSON.stringify(got) ? [] : [`one comment line more moves the errors differently:\n${expected.join('\n')}\n!=\n${got.join('\n')}`];
}

function describeMutant(mutant: Mutant, base: number): string {
  const shown = mutant.bytes.length > 4000 ? `${mutant.bytes.subarray(0, 4000).toString('utf8')}\n...(${mutant.bytes.length} bytes)` : mutant.bytes.toString('utf8');
  return `seed ${mutant.seed} (base file ${base}): ${mutant.steps.join('; ')}\n----\n${shown}\n----`;
}

interface Counts {
  valid: number;
  invalid: number;
  byCode: Map<string, number>;
  slowest: number;
  crashes: number;
  hangs: number;
}

function count(counts: Counts, { result, ms, faults }: Examined): void {
  counts.slowest = Math.max(counts.slowest, ms);
  if (faults.some((fault) => fault.startsWith('threw '))) counts.crashes += 1;
  if (ms > SLOW_MS) counts.hangs += 1;
  if (result.ok) {
    counts.valid += 1;
    return;
  }
  counts.invalid += 1;
  for (const code of new Set(result.errors.map((error) => error.code))) counts.byCode.set(code, (counts.byCode.get(code) ?? 0) + 1);
}

const BASES = seeds();

function mutantOf(seed: number): { mutant: Mutant; base: number } {
  const base = seed % BASES.length;
  return { mutant: mutate(BASES[base] as Buffer, seed), base };
}

t.test(`${MUTANTS} mutated rules files each end valid and well-formed or refused with positioned, catalogued errors`, async (t) => {
  const counts: Counts = { valid: 0, invalid: 0, byCode: new Map(), slowest: 0, crashes: 0, hangs: 0 };
  const failures: string[] = [];
  for (let seed = 1; seed <= MUTANTS; seed += 1) {
    const { mutant, base } = mutantOf(seed);
    const examined = examine(mutant.bytes);
    count(counts, examined);
    const faults = [...examined.faults];
    if (seed % SHIFT_EVERY === 0 && faults.length === 0) faults.push(...shiftFaults(mutant.bytes.toString('utf8'), examined.result));
    if (faults.length > 0 && failures.length < 5) failures.push(`${faults.join('\n')}\n${describeMutant(mutant, base)}`);
  }
  t.same(failures, [], 'no mutant crashed, hung, or got an unpositioned or uncatalogued error');
  t.equal(counts.valid + counts.invalid, MUTANTS, 'every mutant ended one way or the other');
  t.ok(counts.valid >= MUTANTS / 20, `some mutants stay valid (${counts.valid})`);
  t.ok(counts.byCode.size >= 12, `most codes are reached (${[...counts.byCode.keys()].sort().join(', ')})`);
  const codes = [...counts.byCode.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => `${code} ${n}`);
  t.comment(`${MUTANTS} mutants: ${counts.valid} valid, ${counts.invalid} refused; crashes ${counts.crashes}, over ${SLOW_MS} ms ${counts.hangs}; slowest check ${counts.slowest.toFixed(0)} ms`);
  t.comment(`refused files by code (a file may have several): ${codes.join(', ')}`);
});

/** Runs jobs with at most `limit` in flight; results in job order. */
async function pooled<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next;
      next += 1;
      results[index] = await (jobs[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** Seeds for the process test: some valid mutants and a few refused with each code. */
function cliSample(): number[] {
  const picked: number[] = [];
  const perCode = new Map<string, number>();
  let valid = 0;
  for (let seed = 1; seed <= MUTANTS && picked.length < CLI_SAMPLE; seed += 1) {
    const { mutant } = mutantOf(seed);
    const result = parseConfig(mutant.bytes.toString('utf8'), FILE);
    const wanted = result.ok ? valid < CLI_VALID : result.errors.some((error) => (perCode.get(error.code) ?? 0) < CLI_PER_CODE);
    if (!wanted) continue;
    picked.push(seed);
    if (result.ok) valid += 1;
    else for (const code of new Set(result.errors.map((error) => error.code))) perCode.set(code, (perCode.get(code) ?? 0) + 1);
  }
  return picked;
}

t.test('a sample of mutants through the real mcr check: exit code and stderr agree with the in-process result', async (t) => {
  const dir = await tempDir(t);
  const sample = cliSample();
  const outcomes = await pooled(
    sample.map((seed) => async () => {
      const { mutant, base } = mutantOf(seed);
      const path = join(dir, `${seed}-${FILE}`);
      await writeFile(path, mutant.bytes);
      const result = parseConfig(mutant.bytes.toString('utf8'), path);
      const cli = await run(MCR, ['check', path]);
      return { base, mutant, path, result, cli };
    }),
    CLI_CONCURRENCY,
  );
  const exits = new Map<number | undefined, number>();
  const codes = new Set<string>();
  const mismatches: string[] = [];
  for (const { base, mutant, path, result, cli } of outcomes) {
    exits.set(cli.code, (exits.get(cli.code) ?? 0) + 1);
    const errors = result.ok ? [] : result.errors;
    for (const error of errors) codes.add(error.code);
    const expectedErr = result.ok ? '' : [...errors.map(formatConfigError), `${path}: ${errors.length === 1 ? '1 error' : `${errors.length} errors`}`].join('\n');
    const expectedCode = result.ok ? 0 : 78;
    if (cli.code !== expectedCode || cli.stderr !== expectedErr || (result.ok && !cli.stdout.startsWith(`${path}: OK: `))) {
      mismatches.push(`exit ${cli.code} (expected ${expectedCode})\nstderr: ${cli.stderr.slice(0, 2000)}\nexpected: ${expectedErr.slice(0, 2000)}\n${describeMutant(mutant, base)}`);
    }
  }
  t.same(mismatches.slice(0, 3), [], 'mcr check agrees with the in-process check on every sampled mutant');
  t.ok(codes.size >= 12, `the sample covers ${codes.size} error codes`);
  const shown = [...exits.entries()].map(([code, n]) => `${n} exit ${code}`).join(', ');
  t.comment(`mcr check on ${sample.length} mutants: ${shown}; stderr equal to the in-process errors on every one; ${codes.size} codes`);
});
