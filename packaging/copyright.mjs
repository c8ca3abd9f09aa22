// Writes the machine-readable copyright file (DEP-5) of the packages to stdout: mcr
// itself, then one paragraph per Node.js module bundled under /usr/lib/mcr/node_modules,
// each with the licence its package.json declares and the copyright line of its own
// licence file, then the licences' texts or where to find them. The DEB installs it as
// /usr/share/doc/mcr/copyright, the RPM as its %license file.
// usage: node packaging/copyright.mjs STAGED_NODE_MODULES_DIR
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const MIT_TEXT = `Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

// Licences other than MIT: Debian ships Apache-2.0's text; the short BSD and ISC
// texts name their own holders, so each module's licence file is the reference.
const OTHER_TEXTS = {
  'Apache-2.0': 'On Debian systems, the full text of the Apache License 2.0 is in\n/usr/share/common-licenses/Apache-2.0.',
  'BSD-3-Clause': "The full text, with its holders' names, is in the LICENSE file of each\nmodule under /usr/lib/mcr/node_modules that declares this licence.",
  ISC: "The full text, with its holders' names, is in the LICENSE file of each\nmodule under /usr/lib/mcr/node_modules that declares this licence.",
};

/** Every module directory under dir (scoped ones too), nested node_modules included. */
function modules(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (name.startsWith('@')) {
      for (const inner of readdirSync(path).sort()) found.push(...moduleAt(join(path, inner)));
    } else {
      found.push(...moduleAt(path));
    }
  }
  return found;
}

function moduleAt(path) {
  if (!existsSync(join(path, 'package.json'))) return [];
  const nested = join(path, 'node_modules');
  return [path, ...(existsSync(nested) ? modules(nested) : [])];
}

/**
 * The holders named by the "Copyright ..." lines of the module's licence file, as a
 * DEP-5 field value (one per line), else its package.json author.
 */
function holders(path, pkg) {
  const file = readdirSync(path).find((name) => /^(licen[cs]e|copying)(\.md|\.txt)?$/i.test(name));
  const lines = file ? readFileSync(join(path, file), 'utf8').split('\n') : [];
  // A notice line starts with the word and goes on with a year or a name; licence
  // terms use the word in lower-case prose ("copyright license to ..."), and Apache's
  // template line has "[yyyy]", which is no holder.
  const named = lines
    .filter((line) => !line.includes('['))
    .map((line) => /^[\s*-]*(?:\(c\)\s*)?copyright\b\s*(?:\(c\)|©)?\s*([0-9A-Z].*)$/i.exec(line)?.[1]?.trim())
    .filter((holder) => holder !== undefined && /^[0-9A-Z]/.test(holder));
  if (named.length > 0) return [...new Set(named)].join('\n ');
  const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
  return author ?? `the ${pkg.name} authors`;
}

const [nodeModules] = process.argv.slice(2);
if (!nodeModules) {
  console.error('usage: node packaging/copyright.mjs STAGED_NODE_MODULES_DIR');
  process.exit(64);
}
const root = join(nodeModules, '..');
const out = [
  'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
  'Upstream-Name: mcr',
  '',
  'Files: *',
  'Copyright: 2026 the mcr authors',
  'License: MIT',
  '',
];
const used = new Set(['MIT']);
for (const path of modules(nodeModules)) {
  const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
  const license = typeof pkg.license === 'string' ? pkg.license : 'UNKNOWN';
  if (license !== 'MIT' && !(license in OTHER_TEXTS)) {
    console.error(`copyright.mjs: ${pkg.name} declares licence "${license}", which this file does not know; add its text`);
    process.exit(1);
  }
  used.add(license);
  out.push(`Files: usr/lib/mcr/${relative(root, path)}/*`, `Copyright: ${holders(path, pkg)}`, `License: ${license}`, '');
}
for (const license of [...used].sort()) {
  const text = license === 'MIT' ? MIT_TEXT : OTHER_TEXTS[license];
  out.push(`License: ${license}`, ...text.split('\n').map((line) => (line === '' ? ' .' : ` ${line}`)), '');
}
process.stdout.write(out.join('\n').replace(/\n+$/, '\n'));
