// The malformed-frame suite: a raw-socket injector sends every kind of bad frame on the
// real daemon's input, interleaved with valid frames, and the test reads the per-cause
// counters the way an operator does (the stats file, `mcr stats --json`). Every valid
// frame reaches the receiver exactly once and intact, every bad one lands in exactly
// its counter (or is dropped by the kernel filter, in none), and mcrd survives to
// answer a reload. The frames themselves are in malformed-frames-cases.ts.
import t from 'tap';
import { join } from 'node:path';
import { MCR, run, tempDir } from '../helpers/cli.js';
import { macFromText } from '../helpers/frames.js';
import { daemonSection, startMcrd, writeConfig, type Mcrd } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { startSink } from '../helpers/traffic.js';
import { TOTALS, WORKER_COUNTERS } from '../../src/counter-specs.js';
import { locateTool } from '../../src/tools/locate.js';
import type { StatsFile } from '../../src/stats/types.js';
import { malformedKinds, randomKinds, VALID_VARIANTS, type Flow, type Kind } from './malformed-frames-cases.js';

const skip = rootSkipReason();
const ROUNDS = 8;
const RANDOM_PER_KIND = 150;
const AFTER_RELOAD = 20;

/** The counters a frame that reached user space ends in: exactly one of them each. The
 * counter list says which they are (the `mcr stats` totals marked `outcome`); the sums
 * below check that it says so rightly. */
const OUTCOMES = WORKER_COUNTERS.filter((spec) => spec.total && TOTALS[spec.total].outcome).map((spec) => spec.name);

type Counts = Record<string, number>;

function delta(after: StatsFile, before: StatsFile): Counts {
  const out: Counts = {};
  for (const name of ['rx_frames', 'ring_drops', ...OUTCOMES]) out[name] = (after.totals[name] ?? 0) - (before.totals[name] ?? 0);
  return out;
}

function outcomeSum(counts: Counts): number {
  return OUTCOMES.reduce((sum, name) => sum + (counts[name] ?? 0), 0);
}

/** Only the counters that moved, e.g. { bad_ip_length: 3 }. */
function moved(counts: Counts): Counts {
  return Object.fromEntries(OUTCOMES.filter((name) => (counts[name] ?? 0) !== 0).map((name) => [name, counts[name] ?? 0]));
}

function tally(landings: readonly string[], times = 1): Counts {
  const out: Counts = {};
  for (const landing of landings) if (landing !== 'kernel') out[landing] = (out[landing] ?? 0) + times;
  return out;
}

/** mcr-inject, reporting send errors instead of throwing: the kernel refuses some frames. */
async function injectFrames(ns: Netns, frames: readonly Buffer[]): Promise<{ sent: number; errors: number }> {
  const input = frames.map((frame) => frame.toString('hex')).join('\n') + '\n';
  const result = await ns.run(locateTool('mcr-inject'), ['--interface', 'eth0', '--gap-us', '20'], { input });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as { sent: number; errors: number };
  } catch {
    throw new Error(`mcr-inject exited ${result.exitCode}: ${result.stderr}`);
  }
}

/** Waits until `frames` more frames than in `before` reached user space and the stats
 * stop moving, then returns the change. A frame too many shows as a wrong count. */
async function settle(mcrd: Mcrd, before: StatsFile, frames: number): Promise<Counts> {
  let last = await mcrd.waitForStats((s) => (s.totals.rx_frames ?? 0) - (before.totals.rx_frames ?? 0) >= frames && outcomeSum(delta(s, before)) >= frames, 15_000).catch(
    async () => mcrd.stats(),
  );
  // Two samples a stats interval apart that agree: nothing is still in flight.
  for (let i = 0; i < 20; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const next = await mcrd.stats();
    if (next.totals.rx_frames === last.totals.rx_frames && outcomeSum(delta(next, last)) === 0) return delta(next, before);
    last = next;
  }
  return delta(last, before);
}

interface Row {
  kind: string;
  variants: number;
  sent: number;
  landed: string;
}

function landedText(counts: Counts, kernel: number, refused: number): string {
  const parts = Object.entries(moved(counts)).map(([name, n]) => `${name} ${n}`);
  if (kernel > 0) parts.push(`kernel filter ${kernel}`);
  if (refused > 0) parts.push(`refused by the sender's kernel ${refused}`);
  return parts.join(', ');
}

t.test('malformed frames land each in its counter, valid frames interleaved are relayed exactly once, mcrd survives', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab, { mtu: 9000 });
  const file = join(dir, 'mcr.toml');
  await writeConfig(file, [...daemonSection(dir), rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000')]);
  const mcrd = await startMcrd(net.relay, dir);
  const flow: Flow = { mac: macFromText(await net.src.ns.mac('eth0')), src: net.src.address, group: '239.1.1.1', port: 5000 };

  // Every valid frame of the whole run gets the next sequence number, so the sink can
  // say of each one whether it came exactly once and intact.
  let validCount = 0;
  let seq = 0;
  let zeroLength = 0;
  const nextValid = (): Buffer => {
    const variant = VALID_VARIANTS[validCount % VALID_VARIANTS.length]!;
    validCount += 1;
    if (variant.size === 0) {
      zeroLength += 1;
      return variant.build(flow, 0);
    }
    seq += 1;
    return variant.build(flow, seq - 1);
  };
  const interleave = (bad: readonly Buffer[]): Buffer[] => bad.flatMap((frame) => [nextValid(), frame]);

  const kinds = malformedKinds(flow);
  const validKind: Kind = { kind: 'valid (one of each variant)', variants: VALID_VARIANTS.map((v) => ({ name: v.name, frame: nextValid(), landing: 'matched' })) };
  const sendable = kinds.filter((k) => k.kind !== 'truncated Ethernet header');
  const bulkBad = Array.from({ length: ROUNDS }, () => sendable.flatMap((k) => k.variants.map((v) => v.frame))).flat();
  const bulk = interleave(bulkBad);
  const bulkValid = bulk.length / 2;
  const randoms = randomKinds(flow, RANDOM_PER_KIND).map((k) => ({ kind: k, frames: interleave(k.variants.map((v) => v.frame)) }));
  const afterReload = Array.from({ length: AFTER_RELOAD }, () => nextValid());
  const sink = await startSink(net.rx.ns, { group: '239.2.2.2', port: 5000, expect: validCount, expectPerStream: seq, idleTimeout: 30, durationLimit: 55 });

  const rows: Row[] = [];
  // One kind at a time first: where each kind lands, variant by variant, on its own.
  for (const kind of [validKind, ...kinds]) {
    const before = await mcrd.stats();
    const injected = await injectFrames(net.src.ns, kind.variants.map((v) => v.frame));
    const reaching = kind.variants.filter((v) => v.landing !== 'kernel').length;
    const change = await settle(mcrd, before, injected.errors > 0 ? 0 : reaching);
    const kernel = injected.sent - (change.rx_frames ?? 0);
    rows.push({ kind: kind.kind, variants: kind.variants.length, sent: kind.variants.length, landed: landedText(change, kernel, injected.errors) });
    if (kind.kind === 'truncated Ethernet header') {
      // The kernel will not send a frame shorter than an Ethernet header (EINVAL), so
      // such a frame cannot reach a relay on Linux; the parser's unit tests cover it.
      t.same({ sent: injected.sent, errors: injected.errors, rx: change.rx_frames }, { sent: 0, errors: kind.variants.length, rx: 0 }, `${kind.kind}: refused by the sender's kernel`);
      continue;
    }
    t.equal(injected.errors, 0, `${kind.kind}: all sent`);
    t.same(moved(change), tally(kind.variants.map((v) => v.landing)), `${kind.kind}: ${kind.variants.map((v) => `${v.name} -> ${v.landing}`).join('; ')}`);
    t.equal(change.rx_frames, reaching, `${kind.kind}: ${kind.variants.length - reaching} dropped by the kernel filter, the rest reached mcr`);
  }

  // Then all of them, in rounds, each bad frame behind a valid one.
  {
    const before = await mcrd.stats();
    const injected = await injectFrames(net.src.ns, bulk);
    t.same(injected, { sent: bulk.length, errors: 0 }, 'bulk rounds injected');
    const reaching = ROUNDS * sendable.flatMap((k) => k.variants).filter((v) => v.landing !== 'kernel').length + bulkValid;
    const change = await settle(mcrd, before, reaching);
    const want = tally(Array.from({ length: ROUNDS }, () => sendable.flatMap((k) => k.variants.map((v) => v.landing))).flat());
    want.matched = (want.matched ?? 0) + bulkValid;
    t.same(moved(change), want, `${ROUNDS} rounds of ${bulkBad.length / ROUNDS} bad frames and as many valid: each counter exact`);
    t.equal(change.rx_frames, reaching, 'frames that reached mcr');
    t.equal(change.ring_drops, 0, 'no ring drops');
    rows.push({ kind: `all of the above, ${ROUNDS} rounds, interleaved`, variants: bulkBad.length / ROUNDS, sent: bulk.length, landed: landedText(change, injected.sent - (change.rx_frames ?? 0), 0) });
  }

  // Random bytes: where they land is whatever the bytes say; what must hold is that
  // none is relayed, each one that reached mcr is in exactly one counter, and the valid
  // frames between them all get through.
  for (const { kind, frames } of randoms) {
    const before = await mcrd.stats();
    const injected = await injectFrames(net.src.ns, frames);
    t.same(injected, { sent: frames.length, errors: 0 }, `${kind.kind}: injected`);
    const change = await settle(mcrd, before, frames.length / 2);
    t.equal(change.matched, frames.length / 2, `${kind.kind}: only the valid frames were relayed`);
    t.equal(outcomeSum(change), change.rx_frames, `${kind.kind}: rx_frames = the sum of the outcome counters`);
    t.equal(change.ring_drops, 0, `${kind.kind}: no ring drops`);
    const reachedRandom = (change.rx_frames ?? 0) - frames.length / 2;
    const randomOnly = { ...change, matched: (change.matched ?? 0) - frames.length / 2 };
    rows.push({ kind: kind.kind, variants: kind.variants.length, sent: kind.variants.length, landed: landedText(randomOnly, kind.variants.length - reachedRandom, 0) });
  }

  // mcrd is still there and answers a reload, and relays after it.
  await writeConfig(file, [...daemonSection(dir), rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000'), rule('second', 'in0 239.1.1.2:5000', 'out0 239.2.2.3:5000')]);
  const seen = mcrd.logs().length;
  mcrd.signal('SIGHUP');
  await mcrd.waitForLog(/reload \((sighup|file)\) applied/, 10_000, seen);
  const afterInjected = await injectFrames(net.src.ns, afterReload);
  t.same(afterInjected, { sent: AFTER_RELOAD, errors: 0 }, 'valid frames after the reload injected');

  const report = await sink.report;
  t.match(
    report,
    { datagrams: validCount, received: seq, lost: 0, duplicated: 0, corrupted: 0, short: zeroLength, foreign: 0, bad_header: 0 },
    `every valid frame (${validCount}, ${zeroLength} of them with an empty payload) reached the receiver exactly once, intact`,
  );
  const stats = await mcrd.waitForStats((s) => s.rules.find((r) => r.name === 'main')?.outputs[0]?.packets === validCount).catch(async () => mcrd.stats());
  t.equal(stats.daemon.state, 'running', 'mcrd is running');
  t.doesNotThrow(() => process.kill(stats.daemon.pid, 0), 'mcrd process alive');
  t.equal(stats.rules.find((r) => r.name === 'main')?.outputs[0]?.packets, validCount, 'the rule relayed exactly the valid frames');

  const json = await run(MCR, ['stats', '--json', '--file', mcrd.statsFile]);
  const totals = (JSON.parse(json.stdout) as StatsFile).totals;
  t.same(OUTCOMES.filter((name) => typeof totals[name] !== 'number'), [], 'mcr stats --json shows every per-cause counter');
  t.equal(outcomeSum(totals), totals.rx_frames, 'over the whole run, rx_frames = the sum of the outcome counters');

  t.comment(['kind | variants | frames sent | where they landed', ...rows.map((r) => `${r.kind} | ${r.variants} | ${r.sent} | ${r.landed}`)].join('\n'));
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0, 'mcrd exits cleanly');
});
