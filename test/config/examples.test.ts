import t from 'tap';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MCR, run, tempDir } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'mcr.toml.example');

t.test('every file under examples/ passes mcr check', async (t) => {
  const files = (await readdir(join(ROOT, 'examples'))).filter((name) => name.endsWith('.toml'));
  t.ok(files.length >= 5, `${files.length} examples`);
  for (const name of files) {
    const result = await run(MCR, ['check', join('examples', name)], { cwd: ROOT });
    t.equal(result.code, 0, `${name}: ${result.stderr}`);
    t.match(result.stdout, new RegExp(`^examples/${name.replace('.', '\\.')}: OK: `), name);
  }
});

t.test('the examples the issue names exist and say what they are', async (t) => {
  const expected: Record<string, RegExp> = {
    'fan-out.toml': /3 outputs/,
    'multicast-to-unicast.toml': /3 outputs/,
    'unicast-to-multicast.toml': /2 rules/,
    'source-specific.toml': /4 rules/,
    'fan-out-60.toml': /1 rule, 60 outputs/,
    'ipv6-mdns.toml': /4 rules, 4 outputs, 2 interfaces/,
    'ipv4-to-ipv6-iptv.toml': /3 rules, 4 outputs, 2 interfaces/,
  };
  for (const [name, summary] of Object.entries(expected)) {
    const result = await run(MCR, ['check', join(ROOT, 'examples', name)]);
    t.equal(result.code, 0, name);
    t.match(result.stdout, summary, name);
  }
});

t.test('mcr.toml.example passes as shipped, and forwards nothing', async (t) => {
  const result = await run(MCR, ['check', EXAMPLE]);
  t.equal(result.code, 0, result.stderr);
  t.equal(result.stdout, `${EXAMPLE}: OK: 0 rules, 0 outputs, 0 interfaces`);
});

t.test('mcr.toml.example passes with every commented setting and rule enabled', async (t) => {
  const dir = await tempDir(t);
  const text = await readFile(EXAMPLE, 'utf8');
  // "## " lines are prose; "# " lines are settings and rules to uncomment.
  const uncommented = text
    .split('\n')
    .map((line) => (line.startsWith('# ') ? line.slice(2) : line))
    .join('\n');
  const file = join(dir, 'mcr.toml');
  await writeFile(file, uncommented);
  const result = await run(MCR, ['check', file]);
  t.equal(result.code, 0, result.stderr);
  t.equal(result.stdout, `${file}: OK: 8 rules (1 disabled), 9 outputs, 1 reflector (4 flows), 6 interfaces (eth0, eth1, eth2, iot, lan, wg0)`);
});
