// Runs the benchmark scenarios in one process on one build snapshot:
//   npm run bench -- [--quick] [--systems a,b] [--only id,id]
// writes bench/results/<id>.{json,md} per scenario and latest.{json,md,svg} for the run
// (a quick run: <id>-quick.* and latest-quick.*, so it never replaces a full run's).
//   npm run bench -- --render [--quick]   rewrites latest.md and .svg from latest.json.
// This file parses the command line, checks the machine and runs the scenarios in turn;
// what each measures lives in bench/scenarios/.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPlacement, pinSelf } from './lib/affinity.js';
import { machineInfo } from './lib/cpu.js';
import { withHost } from './lib/host.js';
import { mergeLatest, renderLatest, type Latest, type ScenarioEntry } from './lib/latest.js';
import { writeResult } from './lib/report.js';
import type { Scenario } from './lib/scenario.js';
import { snapshotBuild, type BuildInfo } from './lib/snapshot.js';
import { probeEgressKinds } from './lib/egress-probe.js';
import { checkSystemIds, DEFAULT_SYSTEMS } from './lib/registry.js';
import { parseMcrId } from './lib/system-ids.js';
import { SCENARIO_IDS, loadScenarios } from './scenarios/index.js';

const USAGE = `usage: npm run bench -- [--quick] [--systems ID,ID...] [--only ID,ID...] [--no-pin] [--max-backlog N] [--render]
  --quick      one repetition, coarser searches, shorter trials (about 6 minutes)
  --systems    systems to compare (default ${DEFAULT_SYSTEMS.join(',')}).
               mcr is mcr-<frame|socket>[-uring|-syscalls]-<N>w: once per egress kind,
               the backend auto unless named. mcr and nft have an IPv6 variant, the
               id with -v6 (mcr-frame-1w-v6, nft-v6): the one-stream scenarios
               (forwarding, cpu) run it. A scenario runs those it supports; one
               that cannot run here is listed with why (not built into this kernel,
               not available in this build), never skipped.
  --only       scenarios to run (default all, in order): ${SCENARIO_IDS.join(', ')}
  --no-pin     leave CPU placement to the scheduler (default: the bench, its generators
               and sinks on CPU 0, every relay process on CPU 1)
  --max-backlog N  set net.core.netdev_max_backlog (a machine-wide setting) to N for
               the run, restored at its end: the CPU backlog that the kernel fast path's
               dup fills in one softirq (default: leave it, and report it)
  --render     only rewrite latest.md and latest.svg from latest.json (with --quick:
               the -quick files)`;

function parse(argv: string[]) {
  const options = { quick: false, systems: DEFAULT_SYSTEMS, only: [...SCENARIO_IDS] as string[], render: false, pin: true, maxBacklog: null as number | null };
  const list = (value: string | undefined) => (value ?? '').split(',').filter(Boolean);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--systems') options.systems = list(argv[++i]);
    else if (arg === '--only') options.only = list(argv[++i]);
    else if (arg === '--render') options.render = true;
    else if (arg === '--no-pin') options.pin = false;
    else if (arg === '--max-backlog' && /^\d{3,7}$/.test(argv[i + 1] ?? '')) options.maxBacklog = Number(argv[++i]);
    else {
      process.stderr.write(`${arg === '--help' ? '' : `unknown argument ${arg}\n`}${USAGE}\n`);
      process.exit(arg === '--help' ? 0 : 64);
    }
  }
  const unknown = options.only.filter((id) => !(SCENARIO_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIO_IDS.join(', ')}\n`);
    process.exit(64);
  }
  const badSystems = checkSystemIds(options.systems);
  if (badSystems.length > 0) {
    process.stderr.write(`${badSystems.join('\n')}\n`);
    process.exit(64);
  }
  return options;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const options = parse(process.argv.slice(2));
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const suffix = options.quick ? '-quick' : '';
const latestJson = join(resultsDir, `latest${suffix}.json`);

function readLatest(): Latest | null {
  return existsSync(latestJson) ? (JSON.parse(readFileSync(latestJson, 'utf8')) as Latest) : null;
}

/** latest.md and latest.svg from a Latest and the scenario modules that render it. */
function writeLatestViews(latest: Latest, scenarios: Record<string, Scenario | undefined>): void {
  let chartFile: string | undefined;
  for (const id of latest.order) {
    const entry = latest.scenarios[id];
    const chart = scenarios[id]?.chart;
    if (chartFile || entry?.status !== 'ok' || !chart) continue;
    chartFile = `latest${suffix}.svg`;
    writeResult(join(resultsDir, chartFile), chart(entry.result));
  }
  writeResult(join(resultsDir, `latest${suffix}.md`), renderLatest(latest, scenarios, chartFile));
}

/** bench/results/<id>.md: the scenario's section under a line naming machine, date and build; returns the section. */
function writeScenarioMarkdown(scenario: Scenario, entry: ScenarioEntry, machine: Latest['machine']): string {
  const section = scenario.render(entry.result);
  const header = `${machine.cpuCount} × ${machine.cpuModel}, Linux ${machine.kernel}, ${entry.date}, build ${entry.build.commit}`;
  writeResult(join(resultsDir, `${scenario.id}${suffix}.md`), `# ${scenario.title}\n\n${header}\n\n${section}`);
  return section;
}

async function render(): Promise<void> {
  const latest = readLatest();
  if (!latest) throw new Error(`no ${latestJson} to render`);
  const loaded = await loadScenarios(latest.order.filter((id) => (SCENARIO_IDS as readonly string[]).includes(id)));
  for (const item of loaded) {
    const entry = latest.scenarios[item.id];
    if (!('scenario' in item) || entry?.status !== 'ok') continue;
    try {
      writeScenarioMarkdown(item.scenario, entry, latest.machine);
    } catch (error) {
      // An entry measured by an older bench may not have the shape this one renders.
      log(`${item.id}: could not render its entry of ${entry.date} (${String(error)}): left as it was`);
    }
  }
  writeLatestViews(latest, Object.fromEntries(loaded.map((l) => [l.id, 'scenario' in l ? l.scenario : undefined])));
}

function entryFor(id: string, title: string, build: BuildInfo, started: number): Omit<ScenarioEntry, 'status'> {
  return { id, title, date: new Date(started).toISOString(), mode: options.quick ? 'quick' : 'full', build, elapsedSeconds: Math.round((Date.now() - started) / 1000) };
}

if (options.render) {
  await render();
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  process.stderr.write('bench: needs root (it creates network namespaces)\n');
  process.exit(77);
}

await withHost(async (host) => {
  const runStarted = Date.now();
  if (options.maxBacklog !== null) {
    const file = '/proc/sys/net/core/netdev_max_backlog';
    const before = readFileSync(file, 'utf8').trim();
    writeFileSync(file, String(options.maxBacklog));
    host.teardown(() => writeFileSync(file, before));
    log(`net.core.netdev_max_backlog ${before} -> ${options.maxBacklog} for this run`);
  }
  const placement = options.pin ? defaultPlacement() : { traffic: null, relay: null };
  pinSelf(placement);
  const build = await snapshotBuild(host);
  // Which egress kinds this build really has, asked of the data plane once for the run.
  const kinds = [...new Set(options.systems.flatMap((id) => parseMcrId(id)?.egress ?? []))];
  if (kinds.length > 0) await probeEgressKinds(host, kinds, log);
  const machine = machineInfo();
  // Every module, for rendering entries kept from earlier runs; only --only ones run.
  const all = await loadScenarios(SCENARIO_IDS);
  const scenarios = Object.fromEntries(all.map((l) => [l.id, 'scenario' in l ? l.scenario : undefined]));
  const loaded = all.filter((l) => options.only.includes(l.id));
  const latest: Latest = {
    machine,
    date: machine.date,
    mode: options.quick ? 'quick' : 'full',
    build,
    systems: options.systems,
    placement,
    // Every id, in run order, so latest.md lists sections in the same order whatever ran.
    order: [...SCENARIO_IDS],
    scenarios: {},
  };
  for (const item of loaded) {
    const started = Date.now();
    let entry: ScenarioEntry;
    if ('missing' in item) {
      log(`== ${item.id}: not present in this tree (bench/scenarios/${item.id}.ts), skipped`);
      entry = { ...entryFor(item.id, item.id, build, started), status: 'not present' };
    } else if ('error' in item) {
      log(`== ${item.id}: could not be loaded: ${item.error}`);
      entry = { ...entryFor(item.id, item.id, build, started), status: 'failed', error: `could not be loaded: ${item.error}` };
    } else {
      const { scenario } = item;
      log(`== ${scenario.id}: ${scenario.title}`);
      try {
        const result = await scenario.run(host, { quick: options.quick, systems: options.systems, build, placement, log });
        entry = { ...entryFor(scenario.id, scenario.title, build, started), status: 'ok', result };
      } catch (error) {
        if (host.stopped) throw error;
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log(`${scenario.id} failed: ${message}`);
        entry = { ...entryFor(scenario.id, scenario.title, build, started), status: 'failed', error: message };
      }
      log(`== ${scenario.id}: ${entry.status} in ${entry.elapsedSeconds} s`);
      // Raw data first: if rendering fails, the measurements are already on disk.
      writeResult(join(resultsDir, `${scenario.id}${suffix}.json`), JSON.stringify({ machine, placement, ...entry }, null, 1));
      if (entry.status === 'ok') process.stdout.write(`\n## ${scenario.title}\n\n${writeScenarioMarkdown(scenario, entry, machine)}\n`);
    }
    latest.scenarios[item.id] = entry;
    // After every scenario, so an interrupted run keeps what it finished; read afresh, so
    // entries another run wrote meanwhile are kept.
    const merged = mergeLatest(readLatest(), { ...latest, date: new Date().toISOString() });
    writeResult(latestJson, JSON.stringify(merged, null, 1));
    writeLatestViews(merged, scenarios);
  }
  log(`bench: ${loaded.length} scenarios in ${Math.round((Date.now() - runStarted) / 1000)} s; results in ${resultsDir}latest${suffix}.md`);
});
