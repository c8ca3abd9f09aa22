// What `npm run package` builds, before anything is installed: the .deb and the .rpm
// come from one staged tree and hold the same files (the unit where each family keeps
// units), root-owned, with /etc/mcr.toml a conffile / %config(noreplace); their
// dependencies are Node.js and what the native code links to (no liburing: it is
// linked in statically); lintian and rpmlint find nothing beyond the accepted and
// explained exceptions; the man pages render without a warning.
import t from 'tap';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tempDir } from '../helpers/cli.js';
import { buildPackages, REPO, toolsSkipReason, type Built } from './helpers/build.js';

const skip = toolsSkipReason(['dpkg-deb', 'dpkg-shlibdeps', 'rpmbuild', 'rpm', 'strip', 'readelf']);
const arch = { deb: 'amd64', rpm: 'x86_64' } as const;

let built: Built;
let extracted: string;
t.before(async () => {
  if (skip) return;
  const dir = await tempDir(t);
  built = await buildPackages(dir, '0.1.0');
  extracted = join(dir, 'deb-tree');
  await execa('dpkg-deb', ['-x', built.deb, extracted]);
});

async function out(command: string, args: string[]): Promise<string> {
  return (await execa(command, args, { env: { LC_ALL: 'C.UTF-8' } })).stdout;
}

/** Non-directory entries of the .deb as "/path" (with " -> target" for links). */
async function debFiles(): Promise<Map<string, { mode: string; owner: string }>> {
  const files = new Map<string, { mode: string; owner: string }>();
  for (const line of (await out('dpkg-deb', ['-c', built.deb])).split('\n')) {
    const [mode = '', owner = '', , , , path = ''] = line.split(/\s+/);
    if (!mode.startsWith('d')) files.set(path.replace(/^\./, ''), { mode, owner });
  }
  return files;
}

async function rpmFiles(): Promise<Map<string, string>> {
  const lines = (await out('rpm', ['-qp', '--qf', '[%{FILEMODES:perms} %{FILEFLAGS:fflags} %{FILENAMES}\\n]', built.rpm])).split('\n');
  return new Map(lines.filter((line) => !line.startsWith('d')).map((line) => [line.split(' ')[2] ?? '', line]));
}

const MUST_HOLD = [
  '/usr/bin/mcrd',
  '/usr/bin/mcr',
  '/usr/lib/mcr/package.json',
  '/usr/lib/mcr/bin/mcrd.js',
  '/usr/lib/mcr/bin/mcr.js',
  '/usr/lib/mcr/dist/daemon/main.js',
  '/usr/lib/mcr/dist/cli/main.js',
  '/usr/lib/mcr/build/Release/mcr_native.node',
  '/usr/lib/mcr/build/Release/mcr-gen',
  '/usr/lib/mcr/build/Release/mcr-sink',
  '/usr/lib/mcr/build/Release/mcr-inject',
  '/usr/lib/mcr/node_modules/ajv/package.json',
  '/usr/lib/mcr/node_modules/chokidar/package.json',
  '/usr/lib/mcr/node_modules/smol-toml/package.json',
  '/usr/lib/mcr/node_modules/toml-eslint-parser/package.json',
  '/usr/lib/mcr/node_modules/winston/package.json',
  '/usr/lib/mcr/config/mcr.schema.json',
  '/usr/share/mcr/mcr.schema.json',
  '/etc/mcr.toml',
  '/usr/lib/sysusers.d/mcr.conf',
  '/usr/lib/tmpfiles.d/mcr.conf',
  '/usr/share/man/man1/mcr.1.gz',
  '/usr/share/man/man5/mcr.toml.5.gz',
  '/usr/share/man/man8/mcrd.8.gz',
  '/usr/share/bash-completion/completions/mcr',
  '/usr/share/bash-completion/completions/mcrd',
];

/** Nothing of the development tree: dev dependencies, build-only modules, sources. */
function unwanted(path: string): boolean {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const devOnly = [...Object.keys(pkg.devDependencies), 'node-addon-api', 'tap', 'typescript'];
  return (
    devOnly.some((name) => path.startsWith(`/usr/lib/mcr/node_modules/${name}/`)) ||
    /\.map$|^\/usr\/lib\/mcr\/(src|test|native)\/|obj\.target|\/\.git/.test(path)
  );
}

t.test('npm run package names the files mcr_VERSION-1_ARCH.deb and mcr-VERSION-1.ARCH.rpm', { skip }, async (t) => {
  t.match(built.deb, new RegExp(`/mcr_0\\.1\\.0-1_${arch.deb}\\.deb$`), 'the .deb');
  t.match(built.rpm, new RegExp(`/mcr-0\\.1\\.0-1\\.${arch.rpm}\\.rpm$`), 'the .rpm');
});

t.test('the .deb holds the staged tree, root-owned, with honest control fields', { skip }, async (t) => {
  const files = await debFiles();
  for (const path of [...MUST_HOLD, '/lib/systemd/system/mcrd.service', '/usr/share/doc/mcr/copyright', '/usr/share/doc/mcr/changelog.Debian.gz']) {
    t.ok(files.has(path), `holds ${path}`);
  }
  t.same([...files.keys()].filter(unwanted), [], 'no dev dependency, source map or source file');
  t.same([...files.values()].filter((f) => f.owner !== 'root/root'), [], 'every file is root/root');
  t.equal(files.get('/usr/bin/mcrd')?.mode, '-rwxr-xr-x', '/usr/bin/mcrd is executable');
  t.equal(files.get('/usr/lib/mcr/build/Release/mcr_native.node')?.mode, '-rw-r--r--', 'the addon is a shared object, not a program');
  t.equal(files.get('/usr/lib/mcr/build/Release/mcr-gen')?.mode, '-rwxr-xr-x', 'the tools are executable');

  const field = async (name: string) => out('dpkg-deb', ['-f', built.deb, name]);
  t.equal(await field('Package'), 'mcr', 'Package');
  t.equal(await field('Version'), '0.1.0-1', 'Version');
  t.equal(await field('Architecture'), arch.deb, 'Architecture');
  const depends = (await field('Depends')).split(/,\s*/);
  t.equal(depends[0], 'nodejs (>= 18)', 'Node.js 18 or later first');
  t.equal(depends[1], 'procps', 'procps for /bin/kill, the unit\'s ExecReload');
  t.same(
    depends.slice(2).map((dep) => dep.split(' ')[0]).sort(),
    ['libc6', 'libgcc-s1', 'libstdc++6'],
    'then what the native code links to, from dpkg-shlibdeps; nothing else',
  );
  const copyright = readFileSync(join(extracted, 'usr/share/doc/mcr/copyright'), 'utf8');
  t.match(copyright, /^Format: https:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\/\nUpstream-Name: mcr\n\nFiles: \*\nCopyright: .+\nLicense: MIT\n/, 'machine-readable copyright: mcr is MIT');
  t.match(copyright, /^Files: usr\/lib\/mcr\/node_modules\/winston\/\*$/m, 'and each bundled module is listed');

  const control = join(extracted, '..', 'deb-control');
  await execa('dpkg-deb', ['-e', built.deb, control]);
  for (const script of ['postinst', 'prerm', 'postrm']) t.match(readFileSync(join(control, script), 'utf8'), /^#!\/bin\/sh\n/, `has a ${script}`);
  t.equal(readFileSync(join(control, 'conffiles'), 'utf8'), '/etc/mcr.toml\n', '/etc/mcr.toml is the one conffile');
  t.match(readFileSync(join(control, 'md5sums'), 'utf8'), /^[0-9a-f]{32}  usr\/bin\/mcrd$/m, 'md5sums lists the files');
});

t.test('the shipped /etc/mcr.toml is the documented example, with every rule commented out', { skip }, async (t) => {
  const shipped = readFileSync(join(extracted, 'etc/mcr.toml'), 'utf8');
  t.equal(shipped, readFileSync(join(REPO, 'mcr.toml.example'), 'utf8'), 'it is mcr.toml.example');
  t.notMatch(shipped, /^\s*\[\[rule\]\]/m, 'no rule is active');
  const schema = readFileSync(join(REPO, 'config/mcr.schema.json'), 'utf8');
  t.equal(readFileSync(join(extracted, 'usr/share/mcr/mcr.schema.json'), 'utf8'), schema, 'the schema is in /usr/share/mcr');
});

t.test('the native code links no liburing, and every library it needs is a dependency', { skip }, async (t) => {
  const dir = join(extracted, 'usr/lib/mcr/build/Release');
  const packageOf: Record<string, string> = {
    'libc.so.6': 'libc6',
    'libm.so.6': 'libc6',
    'libstdc++.so.6': 'libstdc++6',
    'libgcc_s.so.1': 'libgcc-s1',
  };
  const depends = await out('dpkg-deb', ['-f', built.deb, 'Depends']);
  for (const file of ['mcr_native.node', 'mcr-gen', 'mcr-sink', 'mcr-inject']) {
    const needed = [...(await out('readelf', ['-d', join(dir, file)])).matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1] ?? '');
    t.notOk(needed.some((lib) => lib.includes('uring')), `${file} needs no liburing.so (linked statically)`);
    for (const lib of needed) t.ok(packageOf[lib] && depends.includes(packageOf[lib]), `${file} needs ${lib}: ${packageOf[lib]} is a dependency`);
  }
});

t.test('the .rpm holds the same files, /etc/mcr.toml as %config(noreplace), and scriptlets', { skip }, async (t) => {
  const deb = await debFiles();
  const rpm = await rpmFiles();
  // The same staged tree; only where each family keeps units, licences and its own
  // Debian files differ.
  const debOnly = ['/usr/share/doc/mcr/changelog.Debian.gz', '/usr/share/lintian/overrides/mcr'];
  const asRpm = (path: string) =>
    path.replace(/^\/lib\/systemd\//, '/usr/lib/systemd/').replace('/usr/share/doc/mcr/copyright', '/usr/share/licenses/mcr/copyright');
  t.same([...rpm.keys()].sort(), [...deb.keys()].filter((path) => !debOnly.includes(path)).map(asRpm).sort(), 'the .deb\'s files, placed the RPM way');
  t.match(rpm.get('/etc/mcr.toml'), / cn \/etc\/mcr\.toml$/, '%config(noreplace)');
  t.ok(rpm.has('/usr/lib/systemd/system/mcrd.service'), 'the unit in /usr/lib/systemd/system');

  const info = await out('rpm', ['-qp', '--qf', '%{NAME} %{VERSION} %{RELEASE} %{ARCH} %{LICENSE}', built.rpm]);
  t.equal(info, `mcr 0.1.0 1 ${arch.rpm} MIT AND Apache-2.0 AND BSD-3-Clause AND ISC`, 'name, version, release, arch, licences');
  const summary = await out('rpm', ['-qip', built.rpm]);
  t.match(summary, /^Summary\s*: Userspace multicast relay$/m, 'rpm -qip shows the summary');
  const requires = (await out('rpm', ['-qp', '--requires', built.rpm])).split('\n');
  t.ok(requires.includes('nodejs >= 18'), 'requires nodejs >= 18');
  t.ok(requires.includes('/usr/bin/kill'), 'and kill, for the unit\'s ExecReload');
  t.notOk(requires.some((req) => /uring/.test(req)), 'no liburing');
  t.same(requires.filter((req) => /^lib/.test(req)).map((req) => req.split('(')[0]).filter((v, i, a) => a.indexOf(v) === i).sort(),
    ['libc.so.6', 'libgcc_s.so.1', 'libstdc++.so.6'], 'the libraries the native code links to, found by rpmbuild');
  const scripts = await out('rpm', ['-qp', '--scripts', built.rpm]);
  for (const which of ['preinstall', 'postinstall', 'preuninstall', 'postuninstall']) t.match(scripts, new RegExp(`^${which} scriptlet`, 'm'), `has ${which}`);
  t.match(scripts, /systemctl --no-reload preset mcrd\.service/, 'first install follows the presets');
  t.match(scripts, /systemctl try-restart mcrd\.service/, 'an upgrade restarts a running mcrd');
});

t.test('lintian reports no error or warning beyond the explained overrides', { skip: skip || toolsSkipReason(['lintian']) }, async (t) => {
  const result = await execa('lintian', ['--display-level', '>=warning', built.deb], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  const tags = result.stdout.split('\n').filter((line) => /^[EW]: /.test(line));
  t.same(tags, [], 'no E: or W: tag', { stderr: result.stderr });
  const info = await execa('lintian', ['-I', built.deb], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  t.comment(`lintian info tags (not failures): ${new Set(info.stdout.split('\n').map((line) => line.split(' ')[2]).filter(Boolean)).size} kinds`);
});

t.test('rpmlint reports no error or warning beyond the explained filters', { skip: skip || toolsSkipReason(['rpmlint']) }, async (t) => {
  const result = await execa('rpmlint', ['-c', join(REPO, 'packaging/rpm/rpmlint.toml'), built.rpm], { reject: false, env: { LC_ALL: 'C.UTF-8' } });
  t.equal(result.exitCode, 0, 'rpmlint passes', { stdout: result.stdout });
  t.match(result.stdout, /0 errors, 0 warnings/, 'no error, no warning');
});

t.test('the man pages render with man -l without a warning, and ship as written', { skip: skip || toolsSkipReason(['man']) }, async (t) => {
  const pages = { 'mcr.1': 'man1', 'mcr.toml.5': 'man5', 'mcrd.8': 'man8' };
  for (const [page, section] of Object.entries(pages)) {
    const source = join(REPO, 'docs/man', page);
    const result = await execa('man', ['--warnings', '-E', 'UTF-8', '-l', '-Tutf8', '-Z', source], {
      reject: false,
      env: { LC_ALL: 'C.UTF-8', MANROFFSEQ: '', MANWIDTH: '80' },
    });
    t.equal(result.exitCode, 0, `${page} renders`);
    t.equal(result.stderr, '', `${page}: no warning`);
    t.equal(gunzipSync(readFileSync(join(extracted, `usr/share/man/${section}/${page}.gz`))).toString(), readFileSync(source, 'utf8'), `${page} is in the package`);
  }
});

t.test('mcrd.service runs mcrd as mcr, notify-typed, with CAP_NET_RAW only and no MemoryDenyWriteExecute', async (t) => {
  const unit = readFileSync(join(REPO, 'packaging/systemd/mcrd.service'), 'utf8');
  const settings = new Map<string, string>();
  for (const line of unit.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) settings.set(match[1] ?? '', match[2] ?? '');
  }
  const expected: Record<string, string> = {
    Type: 'notify',
    NotifyAccess: 'main',
    ExecStart: '/usr/bin/mcrd --config /etc/mcr.toml',
    ExecReload: '/bin/kill -HUP $MAINPID',
    User: 'mcr',
    AmbientCapabilities: 'CAP_NET_RAW',
    CapabilityBoundingSet: 'CAP_NET_RAW',
    NoNewPrivileges: 'yes',
    ProtectSystem: 'strict',
    RuntimeDirectory: 'mcr',
    RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET',
    Restart: 'on-failure',
    WantedBy: 'multi-user.target',
  };
  for (const [key, value] of Object.entries(expected)) t.equal(settings.get(key), value, `${key}=${value}`);
  t.match(settings.get('SystemCallFilter'), /^@system-service\b/, 'SystemCallFilter starts from @system-service (io_uring is in its @aio)');
  t.match(settings.get('WatchdogSec'), /^\d+s$/, 'a watchdog interval');
  // mcrd checks the file itself (exit 78, which RestartPreventExitStatus covers); an
  // ExecStartPre check's failure is not covered, and systemd would retry it for ever.
  t.notOk(settings.has('ExecStartPre'), 'no ExecStartPre: a broken file must fail the start once, not loop');
  t.notOk(settings.has('MemoryDenyWriteExecute'), 'no MemoryDenyWriteExecute: V8 compiles to machine code at run time');
});
