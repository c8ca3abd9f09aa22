// `mcr demo`, the README's main job, runs to completion and its totals show delivery;
// it leaves no namespace behind.
import t from 'tap';
import { execSync } from 'node:child_process';
import { MCR, run } from '../helpers/cli.js';
import { rootSkipReason } from '../helpers/netns.js';

t.test('mcr demo runs to completion, shows every datagram delivered, and cleans up', { skip: rootSkipReason() }, async (t) => {
  const result = await run(MCR, ['demo', '--seconds', '6', '--rate', '1000']);
  t.equal(result.code, 0, result.stderr);
  const out = result.stdout;
  t.match(out, /sent by 198\.51\.100\.7: +6000\n/);
  t.match(out, /received by the relay host's kernel: +0 +\(dropped: the source fails the RPF check\)/);
  t.match(out, /receiver 1 \(239\.20\.1\.1, from the start\): +6000 +lost 0, duplicated 0, reordered 0, corrupted 0/);
  t.match(out, /receiver 2 \(239\.20\.2\.1, added live\): +[1-9]\d* +from datagram \d+ on, lost 0/);
  t.match(out, /reload \(file\) applied, generation 2: 0 added, 0 removed, 1 changed/);
  t.match(out, /-> out2 239\.20\.2\.1:5000 +active/, 'mcr stats shows the output added live');
  t.match(out, /Demo passed/);
  t.equal(execSync('ip netns list').toString().split('\n').filter((line) => line.startsWith('mcrdemo-')).length, 0, 'no namespace left');
});

t.test('mcr demo --help prints its usage and options and exits 0; an unknown option exits 64 with the usage line', async (t) => {
  const help = await run(MCR, ['demo', '--help']);
  t.equal(help.code, 0, help.stderr);
  t.match(help.stdout, /^usage: mcr demo \[--seconds 10\] \[--rate 2000\]\n/);
  t.match(help.stdout, /--seconds S +how long the stream runs, 3 to 300 \(default 10\)/);
  const wrong = await run(MCR, ['demo', '--sconds', '5']);
  t.equal(wrong.code, 64);
  t.equal(wrong.stderr, "mcr demo: Unknown option '--sconds'\nusage: mcr demo [--seconds 10] [--rate 2000]");
});
