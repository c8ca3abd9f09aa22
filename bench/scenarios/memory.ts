// Scenario 8: what mcrd keeps resident. One daemon, in turn: idle with a minimal config
// (one rule), with 1,000 rules on real interfaces (4 input and 4 output veths, a group
// each, so they are active rather than pending), after 100 reloads that edit 10 of those
// rules each, and back on the minimal config. VmRSS and PSS, each the floor of a few
// readings (V8 grows and trims its heap on its own schedule).
import { join } from 'node:path';
import { daemonSection, startMcrd, writeConfig, type Mcrd } from '../../harness/mcrd.js';
import { Lab } from '../../src/netns/lab.js';
import type { Netns } from '../../src/netns/namespace.js';
import type { VethEnd } from '../../src/netns/wiring.js';
import { rule } from '../../harness/ruleset.js';
import { pinProcesses } from '../lib/affinity.js';
import { memoryFloor, mib, type Memory } from '../lib/mcrd-memory.js';
import { markdownTable } from '../lib/report.js';
import type { HeadlineRow, Scenario } from '../lib/scenario.js';
import { scratchDir, type ScriptHost } from '../lib/host.js';

const LEGS = 4;
const RULES = 1000;
const EDITS_PER_RELOAD = 10;

export interface MemoryStage {
  stage: string;
  rules: number;
  active: number;
  memory: Memory;
}

export interface MemoryResult {
  interfaces: { inputs: number; outputs: number };
  reloads: number;
  stages: MemoryStage[];
  /** RSS (KiB, floor of 5 readings) after every 10th reload of the 1,000-rule file: a plateau or a slope. */
  rssEvery10: number[];
}

/** The 1,000-rule file; a reload at `step` points 10 rules at new output groups. */
function manyRules(dir: string, step: number): string[] {
  const lines = daemonSection(dir, ['stats_interval = 1']);
  for (let i = 0; i < RULES; i += 1) {
    const edited = step > 0 && Math.floor(i / EDITS_PER_RELOAD) === step % (RULES / EDITS_PER_RELOAD);
    const third = edited ? 30 + (step % 200) : 20;
    lines.push(rule(`r${i}`, `in${i % LEGS} 239.10.${i >> 8}.${i & 255}:5000`, `out${i % LEGS} 239.${third}.${i >> 8}.${i & 255}:5000`));
  }
  return lines;
}

const minimal = (dir: string) => [...daemonSection(dir, ['stats_interval = 1']), rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')];

async function topology(lab: Lab): Promise<Netns> {
  const [relay, far] = (await lab.namespaces('relay', 'far')) as [Netns, Netns];
  const veths: [VethEnd, VethEnd][] = [];
  for (let i = 0; i < LEGS; i += 1) {
    veths.push([{ ns: relay, name: `in${i}`, address: `10.${10 + i}.0.1/24` }, { ns: far, name: `a${i}`, address: `10.${10 + i}.0.2/24` }]);
    veths.push([{ ns: relay, name: `out${i}`, address: `10.${20 + i}.0.1/24` }, { ns: far, name: `b${i}`, address: `10.${20 + i}.0.2/24` }]);
  }
  await lab.wire({ veths });
  return relay;
}

async function reload(mcrd: Mcrd, lines: string[], generation: number): Promise<void> {
  const seen = mcrd.logs().length;
  await writeConfig(mcrd.configFile, lines);
  mcrd.signal('SIGHUP');
  await mcrd.waitForLog(new RegExp(`generation ${generation}:`), 30_000, seen);
}

async function stage(mcrd: Mcrd, name: string, rules: number, generation: number): Promise<MemoryStage> {
  // The stats file is written every second: wait for one written after this generation.
  const stats = await mcrd.waitForStats((s) => s.config.generation === generation && s.rules.length === rules, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const memory = await memoryFloor(mcrd.pid, 10, 200);
  return { stage: name, rules, active: stats.rules.filter((r) => r.state === 'active').length, memory };
}

async function runMemory(host: ScriptHost, reloads: number, relayCpu: number | null, log: (l: string) => void): Promise<MemoryResult> {
  const dir = await scratchDir(host, 'memory');
  const lab = Lab.create(host);
  try {
    const relay = await topology(lab);
    await writeConfig(join(dir, 'mcr.toml'), minimal(dir));
    const mcrd = await startMcrd(relay, dir);
    pinProcesses([mcrd.pid], relayCpu);
    let generation = 1;
    const stages: MemoryStage[] = [await stage(mcrd, 'idle, minimal config (1 rule)', 1, generation)];
    await reload(mcrd, manyRules(dir, 0), (generation += 1));
    stages.push(await stage(mcrd, `${RULES} rules`, RULES, generation));
    const rssEvery10: number[] = [];
    for (let step = 1; step <= reloads; step += 1) {
      if (host.stopped) throw new Error('interrupted');
      await reload(mcrd, manyRules(dir, step), (generation += 1));
      if (step % 10 === 0) rssEvery10.push((await memoryFloor(mcrd.pid, 5, 100)).rssKib);
    }
    stages.push(await stage(mcrd, `${RULES} rules, after ${reloads} reloads (${EDITS_PER_RELOAD} rules edited each)`, RULES, generation));
    await reload(mcrd, minimal(dir), (generation += 1));
    stages.push(await stage(mcrd, 'back to the minimal config', 1, generation));
    for (const s of stages) log(`[memory] ${s.stage}: RSS ${mib(s.memory.rssKib)} MiB, PSS ${mib(s.memory.pssKib)} MiB, ${s.active}/${s.rules} active`);
    mcrd.signal('SIGTERM');
    await mcrd.exited;
    return { interfaces: { inputs: LEGS, outputs: LEGS }, reloads, stages, rssEvery10 };
  } finally {
    await lab.destroy();
  }
}

function render(r: MemoryResult): string {
  return [
    markdownTable(
      ['stage', 'rules (active)', 'VmRSS MiB', 'PSS MiB'],
      r.stages.map((s) => [s.stage, `${s.rules} (${s.active})`, mib(s.memory.rssKib), mib(s.memory.pssKib)]),
    ),
    '',
    `RSS after every 10th reload, MiB: ${r.rssEvery10.map((k) => mib(k)).join(', ')}. A leak climbs with every reload; V8 sizing its heap for the parse and diff of a 1,000-rule file rises in steps and levels off. (test/daemon/memory.test.ts checks for leaks over 1,000 reloads with V8's young generation fixed.)`,
    '',
    `One mcrd (1 worker, io_uring) in a namespace with ${r.interfaces.inputs} input and ${r.interfaces.outputs} output veths; rule i reads in(i mod ${r.interfaces.inputs}) 239.10.x.y and writes out(i mod ${r.interfaces.outputs}) 239.20.x.y, one group each, so every rule has its membership and output socket. Reloads by file write + SIGHUP; each figure is the lowest of ten readings 200 ms apart, taken 2 s after the stats file showed the generation. PSS counts shared pages (node's binary and libraries) split among the processes sharing them. No traffic flows: this is the memory the rules themselves hold.`,
  ].join('\n');
}

function headline(r: MemoryResult): HeadlineRow[] {
  return r.stages.slice(0, 3).map((s) => ({ measure: `mcrd RSS, ${s.stage} (MiB)`, values: { mcr: mib(s.memory.rssKib) } }));
}

export const scenario: Scenario<MemoryResult> = {
  id: 'memory',
  title: '8. Memory: mcrd idle, with 1,000 rules, after 100 reloads (quick: 20)',
  run: (host, ctx) => runMemory(host, ctx.quick ? 20 : 100, ctx.placement.relay, ctx.log),
  render,
  headline,
};
