// Config robustness under a running daemon: mcrd forwards one stable flow to a real
// receiver while its rules file is replaced by a few hundred seeded mutants, each
// followed by a reload (SIGHUP, or the file watcher alone). After every one the daemon
// is alive, the reload ended within a bound, and the stats file shows exactly what the
// in-process check predicts: the new generation applied, or a refusal with the same
// positioned errors. The stable flow loses nothing over the whole run.
//
// The mutants keep the stable rule: it is the first bytes of the file, which the mutator
// never touches; [daemon] and the other rules follow and are mutated. A mutant can
// still reach the stable flow from there (a key that lands in the stable rule's table,
// a [daemon] change that restarts the data plane or moves the stats file, a rule on the
// stable flow's groups); a *valid* one that does is not sent, and is counted as left out.
import t from 'tap';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { formatConfigError } from '../../src/config/problems.js';
import type { RuleSet } from '../../src/config/ruleset.js';
import { planIsEmpty } from '../../src/daemon/effective.js';
import { diff } from '../../src/diff.js';
import type { StatsFile } from '../../src/stats/types.js';
import { tempDir } from '../helpers/cli.js';
import { BYTE_MUTATION_NAMES, MUTATION_NAMES, mutate, type Mutant } from '../helpers/config-mutations.js';
import { startMcrd } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink, type GenReport } from '../helpers/traffic.js';

const skip = rootSkipReason();
const RELOADS = 200;
/** A reload that has not shown in the stats file by then counts as a hang. */
const RELOAD_BOUND_MS = 10_000;
const BATCH = 2_000;
const RATE = 4_000;
const STABLE_GROUPS = new Set(['239.1.1.1', '239.2.2.1']);
const FIRST_SEED = 900_001;
const OFTEN_VALID = ['edgeAddress', 'edgePort', 'edgeInterface', 'extremeNumber', 'deleteTable', 'reorderTables', 'swapLines', 'manyRules', 'manyOutputs'];

function stableRule(): string {
  return `${rule('stable', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')}\n\n`;
}

/** Everything after the stable rule: what the mutator may change. */
function mutablePart(dir: string): string {
  return `[daemon]
stats_file = "${join(dir, 'stats.json')}"
stats_interval = 0.2
workers = 1
log_level = "info"

[[rule]]
name = "other-a"
input = { interface = "in0", group = "239.1.3.1", port = 5001 }
outputs = [ { interface = "out0", group = "239.2.3.1", port = 5001 }, { interface = "out0", group = "239.2.3.2", port = 5002, ttl = 4 } ]

[[rule]]
name = "other-b"
enabled = false
[rule.input]
interface = "out0"
group = "239.1.4.1"
port = 6000
[[rule.outputs]]
interface = "in0"
group = "239.2.4.1"
port = 6000

[[rule]]
input = { interface = "in0", group = "232.1.5.1", port = 7000, source = "10.1.0.9" }
outputs = [ { interface = "out0", group = "239.2.5.1", port = 7000 }, { interface = "lo", group = "10.9.9.9", port = 7000 } ]
`;
}

function settingsThatMatter(ruleSet: RuleSet): string {
  // The log level and the stats interval may change under traffic; anything else in
  // [daemon] restarts the data plane or moves the files this test reads.
  const { logLevel: _level, statsInterval: _interval, ...rest } = ruleSet.daemon;
  return JSON.stringify(rest);
}

/** Why a valid mutant would disturb the stable flow or this test, if it would. */
function disturbs(next: RuleSet, base: RuleSet): string | undefined {
  const stable = JSON.stringify(base.rules.find((r) => r.name === 'stable'));
  if (JSON.stringify(next.rules.find((r) => r.name === 'stable')) !== stable) return 'changes the stable rule';
  if (settingsThatMatter(next) !== settingsThatMatter(base)) return 'changes [daemon] settings that restart or move files';
  const others = next.rules.filter((r) => r.name !== 'stable');
  if (others.some((r) => [r.input, ...r.outputs].some((e) => STABLE_GROUPS.has(e.group.text)))) return "uses the stable flow's groups";
  return undefined;
}

type Expected = { kind: 'refused'; errors: string[]; codes: string[] } | { kind: 'applied'; ruleSet: RuleSet };

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function reloadCount(stats: StatsFile): number {
  return stats.config.reloads.ok + stats.config.reloads.failed;
}

t.test(`${RELOADS} mutated rules files reloaded into a forwarding mcrd: each applied or refused with positioned errors, the stable flow loses nothing`, { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const file = join(dir, 'mcr.toml');
  const prefix = stableRule();
  const base = prefix + mutablePart(dir);
  const baseResult = parseConfig(base, file);
  if (!baseResult.ok) throw new Error(baseResult.errors.map(formatConfigError).join('\n'));
  await writeFile(file, base);
  const mcrd = await startMcrd(net.relay, dir);
  let exited = false;
  void mcrd.exited.then(() => (exited = true));

  const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, idleTimeout: 60, durationLimit: 600 });
  let trafficOn = true;
  const batches: GenReport[] = [];
  const traffic = (async () => {
    while (trafficOn) {
      batches.push(await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: BATCH, rate: RATE, size: 256, firstStream: batches.length }));
    }
  })();

  let running = baseResult.ruleSet;
  let generation = 1;
  let previous: Expected | undefined;
  let seed = FIRST_SEED;
  const leftOut = new Map<string, number>();
  const refusedByCode = new Map<string, number>();
  const triggers = new Map<string, number>();
  let applied = 0;
  let refused = 0;
  let dataPlaneRefusals = 0;
  let slowest = 0;
  let hangs = 0;
  const failures: string[] = [];

  /** The next mutant that the daemon run can take, and what it must do. */
  const nextMutant = (step: number): { mutant: Mutant; expected: Expected } => {
    for (;;) {
      // One mutation each, in turn: any kind; TOML-aware only; or one of those that
      // often leave a valid file (byte damage is mostly a syntax error).
      const exclude = [[], BYTE_MUTATION_NAMES, MUTATION_NAMES.filter((name) => !OFTEN_VALID.includes(name))][step % 3];
      const mutant = mutate(base, seed, { keep: Buffer.byteLength(prefix), maxSteps: 1, exclude });
      seed += 1;
      const result = parseConfig(mutant.bytes.toString('utf8'), file);
      let reason: string | undefined;
      let expected: Expected;
      if (result.ok) {
        reason = disturbs(result.ruleSet, baseResult.ruleSet);
        // The same rules as what runs would be skipped: indistinguishable from a
        // second reload of the file before.
        if (!reason && planIsEmpty(diff(running, result.ruleSet))) reason = 'means what already runs';
        expected = { kind: 'applied', ruleSet: result.ruleSet };
      } else {
        const errors = result.errors.map(formatConfigError);
        if (previous?.kind === 'refused' && JSON.stringify(previous.errors) === JSON.stringify(errors)) reason = 'same errors as the file before';
        expected = { kind: 'refused', errors, codes: [...new Set(result.errors.map((e) => e.code))] };
      }
      if (reason) {
        leftOut.set(reason, (leftOut.get(reason) ?? 0) + 1);
        continue;
      }
      return { mutant, expected };
    }
  };

  for (let step = 1; step <= RELOADS && failures.length === 0; step += 1) {
    const { mutant, expected } = nextMutant(step);
    const before = await mcrd.stats();
    const count = reloadCount(before);
    // Renamed into place, as editors do: the daemon never reads a half-written file.
    await writeFile(`${file}.next`, mutant.bytes);
    await rename(`${file}.next`, file);
    const started = Date.now();
    const bySignal = step % 4 !== 0;
    if (bySignal) mcrd.signal('SIGHUP');
    const shows = (stats: StatsFile): boolean => {
      const last = stats.config.lastReload;
      if (!last || stats.daemon.state !== 'running' || reloadCount(stats) <= count) return false;
      if (expected.kind === 'applied') return last.generation === generation + 1 && stats.config.generation === generation + 1;
      return !last.ok && last.generation === generation && JSON.stringify(last.errors) === JSON.stringify(expected.errors);
    };
    let stats: StatsFile;
    try {
      stats = await mcrd.waitForStats(shows, RELOAD_BOUND_MS);
    } catch (error) {
      hangs += 1;
      const shown = mutant.bytes.length > 3000 ? `${mutant.bytes.subarray(0, 3000).toString('utf8')}...` : mutant.bytes.toString('utf8');
      failures.push(
        `step ${step}, seed ${mutant.seed} (${mutant.steps.join('; ')}): expected ${JSON.stringify(expected).slice(0, 1500)}\n` +
          `${(error as Error).message.slice(0, 1500)}\nalive: ${!exited}\n----\n${shown}\n----`,
      );
      break;
    }
    slowest = Math.max(slowest, Date.now() - started);
    const last = stats.config.lastReload;
    triggers.set(last?.trigger ?? 'none', (triggers.get(last?.trigger ?? 'none') ?? 0) + 1);
    if (exited) failures.push(`step ${step}, seed ${mutant.seed}: mcrd exited`);
    if (!stats.rules.some((r) => r.name === 'stable')) failures.push(`step ${step}, seed ${mutant.seed}: the stable rule is not running`);
    if (expected.kind === 'applied') {
      applied += 1;
      generation += 1;
      running = expected.ruleSet;
      if (last && !last.ok) dataPlaneRefusals += 1;
    } else {
      refused += 1;
      for (const code of expected.codes) refusedByCode.set(code, (refusedByCode.get(code) ?? 0) + 1);
      const unpositioned = expected.errors.filter((line) => !line.startsWith(`${file}:`) || !/^:\d+:\d+: \S/.test(line.slice(file.length)));
      if (unpositioned.length > 0) failures.push(`step ${step}, seed ${mutant.seed}: unpositioned errors ${unpositioned.join('\n')}`);
    }
    previous = expected;
  }

  trafficOn = false;
  await traffic;
  // The last datagrams are in flight for microseconds; the sink reports on SIGTERM.
  await delay(500);
  const report = await sink.stop();
  t.same(failures, [], 'every reload ended in the predicted outcome, in time, with mcrd alive');
  t.equal(applied + refused, RELOADS, `${RELOADS} reloads`);
  t.ok(applied > 0 && refused > 0, `both outcomes seen (${applied} applied, ${refused} refused)`);
  const sent = batches.reduce((sum, batch) => sum + batch.sent, 0);
  t.equal(sent, batches.length * BATCH, `${batches.length} generator runs sent every datagram`);
  t.match(report, perfect(sent), `the stable flow delivered all ${sent} datagrams through every reload`);
  t.equal(report.streams.length, batches.length, 'one stream per generator run, each received');
  const stats = await mcrd.stats();
  t.same(stats.config.reloads.failed >= refused, true, `${stats.config.reloads.failed} refused reloads counted by mcrd`);
  const codes = [...refusedByCode.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => `${code} ${n}`);
  const omitted = [...leftOut.entries()].map(([why, n]) => `${n} ${why}`);
  t.comment(`${RELOADS} reloads of mutants (seeds ${FIRST_SEED}..${seed - 1}): ${applied} applied (${dataPlaneRefusals} with rules the data plane refused), ${refused} refused; crashes ${exited ? 1 : 0}, hangs ${hangs}; slowest reload ${slowest} ms`);
  t.comment(`refused by code (a file may have several): ${codes.join(', ')}`);
  t.comment(`triggers seen: ${[...triggers.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}; mutants left out: ${omitted.join(', ') || 'none'}`);
  t.comment(`stable flow: ${report.received} of ${sent} datagrams received, ${report.lost} lost, ${report.duplicated} duplicated`);
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0, 'mcrd stops cleanly after the run');
});
