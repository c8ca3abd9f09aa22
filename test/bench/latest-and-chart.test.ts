// The pure parts of the benchmark's output: latest.md put together from scenario
// entries, and the SVG chart. No root, no traffic.
import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kpps, numberCell, rateCell, ratioCell, spread, textTable, writeResult } from '../../bench/lib/report.js';
import { headlineTable, mergeLatest, renderLatest, type Latest, type ScenarioEntry } from '../../bench/lib/latest.js';
import type { Scenario } from '../../bench/lib/scenario.js';
import { escapeXml, lineChart, logTicks, medianLine, shortNumber } from '../../bench/lib/svg-chart.js';

const build = { commit: 'abc1234', dirty: false, builtAt: {} };
const machine = { cpuCount: 2, cpuModel: 'Test CPU', kernel: '6.1.0', node: 'v20.0.0', date: '2026-01-01T00:00:00.000Z', hz: 100 };

function entry(id: string, status: ScenarioEntry['status'], result?: unknown, date = '2026-01-01T00:00:00.000Z'): ScenarioEntry {
  return { id, title: `Title ${id}`, status, date, mode: 'full', build, elapsedSeconds: 12, ...(result === undefined ? {} : { result }) };
}

function latest(scenarios: Record<string, ScenarioEntry>, order = Object.keys(scenarios)): Latest {
  return { machine, date: machine.date, mode: 'full', build, systems: ['mcr-socket-1w', 'socat'], placement: { traffic: 0, relay: 1 }, order, scenarios };
}

const fake: Scenario<{ pps: number }> = {
  id: 'fake',
  title: 'Title fake',
  run: async () => ({ pps: 1 }),
  render: (r) => `fake section: ${r.pps} pps`,
  headline: (r) => [{ measure: 'max pps', values: { socat: '10k', 'mcr-socket-1w': `${r.pps}`, exotic: 'x' } }],
};

t.test('latest.md: machine, headline table with mcr first, each section, statuses', async (t) => {
  const md = renderLatest(
    latest({ fake: entry('fake', 'ok', { pps: 123 }), hops: entry('hops', 'not present'), broken: { ...entry('broken', 'failed'), error: 'boom\nstack' } }),
    { fake: fake as Scenario },
    'latest.svg',
  );
  t.match(md, /2 × Test CPU, Linux 6\.1\.0/);
  t.match(md, /Generator and sink pinned to CPU 0, every relay process to CPU 1/);
  t.match(md, '| measure | mcr socket egress | socat | exotic |\n| --- | --- | --- | --- |\n| max pps | 123 | 10k | x |');
  t.match(md, '## Title fake\n\nfake section: 123 pps');
  t.match(md, '| hops | Title hops | not present |  |');
  t.match(md, '| broken | Title broken | failed: boom |');
  t.match(md, '[latest.svg](latest.svg)');
  t.notMatch(md, 'stack');
});

t.test('a scenario whose render throws gets a note, not a broken file', async (t) => {
  const bad: Scenario = { ...(fake as Scenario), render: () => { throw new Error('no'); } };
  const md = renderLatest(latest({ fake: entry('fake', 'ok', {}) }), { fake: bad });
  t.match(md, 'Could not render this result: Error: no');
  t.equal(headlineTable([]), '');
});

t.test('a run of some scenarios keeps the others measured before, in the same mode only', async (t) => {
  const before = latest({ a: entry('a', 'ok', 1, 'old'), b: entry('b', 'ok', 2, 'old'), c: entry('c', 'ok', 3, 'old') }, ['a', 'b', 'c']);
  const now = latest({ b: entry('b', 'ok', 20, 'new'), c: entry('c', 'not present', undefined, 'new') }, ['b', 'c']);
  const merged = mergeLatest(before, now);
  t.same(merged.order, ['b', 'c', 'a']);
  t.equal(merged.scenarios.a?.date, 'old');
  t.equal(merged.scenarios.b?.result, 20);
  t.equal(merged.scenarios.c?.status, 'ok', 'a scenario missing from this tree does not erase its earlier result');
  t.equal(mergeLatest({ ...before, mode: 'quick' }, now), now);
  t.equal(mergeLatest(null, now), now);
});

t.test('chart: one panel per size, log axes, a series per system, escaped labels', async (t) => {
  const svg = lineChart(
    [
      { title: '64 B', series: [{ label: 'mcr <1w>', points: [{ x: 100_000, y: 100_000 }, { x: 50_000, y: 50_000 }] }, { label: 'socat', points: [{ x: 100_000, y: 80_000 }] }] },
      { title: '1400 B', series: [{ label: 'socat', points: [] }] },
    ],
    { title: 'T', xLabel: 'offered', yLabel: 'delivered' },
  );
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="840"/);
  t.equal(svg.match(/<g class="panel">/g)?.length, 2);
  t.equal(svg.match(/<polyline/g)?.length, 2, 'a series without points draws nothing');
  t.match(svg, 'mcr &lt;1w&gt;');
  t.notMatch(svg, 'mcr <1w>');
  // Points sorted by offered rate: the polyline goes left to right.
  const line = /<polyline[^>]*points="([^"]+)"/.exec(svg)?.[1] ?? '';
  const xs = line.split(' ').map((p) => Number(p.split(',')[0]));
  t.ok(xs.length === 2 && (xs[0] as number) < (xs[1] as number));
  t.ok(svg.trimEnd().endsWith('</svg>'));
});

t.test('chart helpers', async (t) => {
  t.same(logTicks(10_000, 1_000_000), [10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]);
  t.same(logTicks(1, 100_000), [1, 10, 100, 1000, 10_000, 100_000]);
  t.same([shortNumber(2_000_000), shortNumber(50_000), shortNumber(500)], ['2M', '50k', '500']);
  t.equal(escapeXml(`a&b"'`), 'a&amp;b&quot;&apos;');
  t.same(medianLine([{ x: 2, y: 5 }, { x: 1, y: 1 }, { x: 2, y: 9 }, { x: 2, y: 6 }, { x: 3, y: 2 }, { x: 3, y: 4 }]), [{ x: 1, y: 1 }, { x: 2, y: 6 }, { x: 3, y: 3 }]);
  t.match(lineChart([], { title: 'empty', xLabel: 'x', yLabel: 'y' }), '</svg>');
});

t.test('table and number helpers', async (t) => {
  t.same(spread([3, 1, 2, 10]), { median: 2.5, min: 1, max: 10, n: 4 });
  t.equal(spread([]), null);
  t.equal(rateCell(spread([100_000, 120_000, 90_000]), ' (gen)'), '100.0k [90.0k–120.0k] (gen)');
  t.equal(rateCell(null), 'n/a');
  t.equal(kpps(999), '999');
  t.equal(numberCell(spread([1.234])), '1.23');
  t.equal(numberCell(spread([1, 2])), '1.50 [1.00–2.00]');
  t.equal(numberCell(null), 'n/a');
  t.equal(ratioCell(3, 2, true), '≥ 1.50×');
  t.equal(ratioCell(undefined, 2), 'n/a');
  t.equal(textTable(['a', 'bb'], [['xxx', 'y']]), 'a    bb\n---  --\nxxx  y');
  const dir = await mkdtemp(join(tmpdir(), 'mcr-bench-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  writeResult(join(dir, 'sub', 'x.md'), 'text');
  t.equal(await readFile(join(dir, 'sub', 'x.md'), 'utf8'), 'text\n');
  t.same(await fake.run({} as never, {} as never), { pps: 1 });
});
