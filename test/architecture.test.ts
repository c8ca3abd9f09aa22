// The boundaries the layout promises, checked on the import statements of src/: the
// native binding is used by the data plane facade and the sd_notify module alone, and
// mcrd's code does not reach into mcr's command files.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

interface Import {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every relative import and re-export of every file in src/, as paths relative to src/. */
function imports(): Import[] {
  return sources(SRC).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const found: Import[] = [];
    for (const match of text.matchAll(/^(import|export)(\s+type)?[^;]*?from\s+'(\.[^']+)\.js';/gms)) {
      const target = normalize(join(dirname(file), match[3] ?? ''));
      found.push({ from: relative(SRC, file), to: `${relative(SRC, target)}.ts`, typeOnly: match[2] !== undefined });
    }
    return found;
  });
}

t.test('only the data plane facade and the sd_notify module use the native binding', async (t) => {
  const all = imports();
  t.ok(all.length > 100, 'the imports were found');
  const users = all
    .filter((i) => ['native/load-binding.ts', 'native/binding-types.ts'].includes(i.to) && !i.from.startsWith('native/'))
    // counters.ts reads the counter layout the addon describes: a type, no call.
    .filter((i) => !(i.from === 'counters.ts' && i.typeOnly))
    .map((i) => i.from);
  t.same([...new Set(users)].sort(), ['dataplane.ts']);
  const nativeUsers = all.filter((i) => i.to === 'native/notify.ts').map((i) => i.from);
  t.same(nativeUsers, ['daemon/daemon.ts'], 'the notify module is used by the daemon alone');
});

t.test("mcrd's code takes nothing from mcr's command files but the shared output streams", async (t) => {
  const crossing = imports().filter((i) => i.from.startsWith('daemon/') && i.to.startsWith('cli/') && i.to !== 'cli/io.ts');
  t.same(crossing, []);
});

t.test('the bench and the shared harness import nothing from the tests', async (t) => {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const files = ['bench', 'harness'].flatMap((dir) => sources(join(root, dir)));
  t.ok(files.length > 20, 'the bench and harness sources were found');
  const offenders = files.filter((file) => /from\s+'(\.\.\/)+test\//.test(readFileSync(file, 'utf8'))).map((file) => relative(root, file));
  t.same(offenders, [], 'no import from test/');
});
