// Stopping: SIGTERM under load ends mcrd with exit 0 within 2 s, and the stats file
// says it stopped.
import t from 'tap';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { runGen } from '../helpers/traffic.js';

const skip = rootSkipReason();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} under load: exit 0 within 2 s, stats file marked stopped`, { skip }, async (t) => {
    const dir = await tempDir(t);
    const lab = Lab.create(t);
    const net = await chain(lab);
    await writeConfig(join(dir, 'mcr.toml'), [...daemonSection(dir), rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')]);
    const mcrd = await startMcrd(net.relay, dir);
    const gen = runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: 150_000, rate: 50_000, size: 512 });
    await mcrd.waitForStats((stats) => (stats.rules[0]?.packets ?? 0) > 20_000);
    const started = Date.now();
    mcrd.signal(signal);
    const code = await mcrd.exited;
    const took = Date.now() - started;
    t.equal(code, 0, 'exit 0');
    t.ok(took < 2_000, `stopped in ${took} ms`);
    const stats = await mcrd.stats();
    t.equal(stats.daemon.state, 'stopped');
    t.ok((stats.rules[0]?.packets ?? 0) > 20_000, 'the final stats keep the counts');
    t.ok(mcrd.logs().some((line) => /^mcrd stopping: 1\/1 rules active/.test(line.message)), 'a final stats line was logged');
    await gen;
  });
}
