// The stats mcrd writes are the truth: the stats file's counts equal what the sink
// received, `mcr stats --json` prints valid JSON of it, and the Prometheus text file
// follows the exposition format and carries the same numbers.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MCR, run, tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';
import { checkExposition, parseExposition, valueOf } from '../stats/prometheus-format.js';

const skip = rootSkipReason();
const COUNT = 30_000;

t.test('stats file, mcr stats --json and the Prometheus file agree with the sink', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const prometheus = join(dir, 'mcr.prom');
  await writeConfig(join(dir, 'mcr.toml'), [
    ...daemonSection(dir, [`prometheus_file = "${prometheus}"`]),
    rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'),
  ]);
  const mcrd = await startMcrd(net.relay, dir);
  const sink = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
  await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 15_000, size: 700 });
  const report = await sink.report;
  t.match(report, perfect(COUNT));
  const stats = await mcrd.waitForStats((s) => s.rules[0]?.outputs[0]?.packets === COUNT && s.rules[0].pps === 0);
  t.match(stats.rules[0], { name: 'main', state: 'active', packets: report.received, bytes: report.bytes }, 'rule counts = sink counts');
  t.match(stats.rules[0]?.outputs[0], { packets: report.received, bytes: report.bytes, drops: 0, errors: 0 }, 'output counts = sink counts');
  t.equal(stats.totals.matched, COUNT);

  const json = await run(MCR, ['stats', '--json', '--file', mcrd.statsFile]);
  t.equal(json.code, 0);
  const parsed = JSON.parse(json.stdout) as typeof stats;
  t.equal(parsed.rules[0]?.packets, COUNT, 'mcr stats --json is valid JSON with the same numbers');
  const table = await run(MCR, ['stats', '--file', mcrd.statsFile]);
  t.match(table.stdout, /main +active/, 'mcr stats shows the rule');

  const text = await readFile(prometheus, 'utf8');
  t.same(checkExposition(text), [], 'the Prometheus file follows the text exposition format');
  const exposition = parseExposition(text);
  const ruleLabels = { rule: 'main', interface: 'in0', group: '239.1.1.1', port: '5000', source: '' };
  const outputLabels = { rule: 'main', output_interface: 'out0', output_group: '239.2.2.1', output_port: '5000' };
  t.equal(valueOf(exposition, 'mcr_rule_packets_total', ruleLabels), COUNT, 'mcr_rule_packets_total');
  t.equal(valueOf(exposition, 'mcr_output_packets_total', outputLabels), COUNT, 'mcr_output_packets_total');
  t.equal(valueOf(exposition, 'mcr_rule_state', { ...ruleLabels, state: 'active' }), 1, 'mcr_rule_state');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
