// A broken edit changes nothing that runs: the old rules keep forwarding without loss,
// the error is logged with its position and recorded in the stats file, and the next
// good edit applies.
import t from 'tap';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const COUNT = 60_000;

t.test('syntax, schema and semantic errors are refused whole while the old rules keep forwarding; the next good edit applies', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const file = join(dir, 'mcr.toml');
  const good = [...daemonSection(dir), rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')];
  await writeConfig(file, good);
  const mcrd = await startMcrd(net.relay, dir);
  const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
  const gen = runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 10_000, size: 256 });
  // Each broken line goes after the good file, so its line number is known.
  const next = good.join('\n').split('\n').length + 1;
  const broken: [string, string[], string][] = [
    ['syntax', [...good, 'x = '], `${file}:${next}:5: TOML syntax error: invalid value`],
    ['schema', [...good, '[[rule]]', 'nmae = "x"'], `${file}:${next + 1}:1: unknown key "nmae" in [[rule]]; did you mean "name"?`],
    [
      'semantic',
      [...good, rule('loop', 'in0 239.1.1.9:5000', 'in0 239.1.1.9:5000')],
      `${file}:${next + 3}:13: output sends to the rule's own input (in0 239.1.1.9:5000): that is a loop`,
    ],
  ];
  for (const [kind, lines, expected] of broken) {
    const seen = mcrd.logs().length;
    await writeConfig(file, lines);
    const logged = await mcrd.waitForLog(/reload \(file\) refused/, 10_000, seen);
    t.equal(logged.level, 'error', `${kind}: refused`);
    t.ok(
      mcrd.logs().slice(seen).some((line) => line.level === 'error' && line.message === expected),
      `${kind}: logged as ${expected}`,
    );
    const stats = await mcrd.waitForStats((s) => s.config.lastReload?.ok === false && s.config.lastReload.errors.includes(expected));
    t.equal(stats.config.generation, 1, `${kind}: generation 1 still runs`);
    t.equal(stats.rules.length, 1, `${kind}: with its one rule`);
  }
  const seen = mcrd.logs().length;
  await writeConfig(file, [...good, rule('added', 'in0 239.1.1.5:5000', 'out0 239.2.2.5:5000')]);
  await mcrd.waitForLog(/reload \(file\) applied, generation 2: 1 added, 0 removed, 0 changed, 1 unchanged/, 10_000, seen);
  const stats = await mcrd.waitForStats((s) => s.config.generation === 2);
  t.match(stats.config.lastReload, { ok: true, errors: [], added: 1 }, 'the good edit applied');
  t.same(stats.config.reloads, { ok: 1, failed: 3 }, 'every attempt is counted, the refused ones too');
  t.equal((await gen).sent, COUNT);
  t.match(await sink.report, perfect(COUNT), 'the running rule lost nothing through the refused edits');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
