// Builds the packages for the packaging tests with scripts/package.sh (what `npm run
// package` runs after compiling), and says which tools a test lacks, so it can skip
// with a reason that names the Debian packages to install.
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Debian package providing each tool the tests run. */
const PROVIDERS: Record<string, string> = {
  'dpkg-deb': 'dpkg',
  'dpkg-shlibdeps': 'dpkg-dev',
  rpmbuild: 'rpm',
  rpm: 'rpm',
  lintian: 'lintian',
  rpmlint: 'rpmlint',
  strip: 'binutils',
  readelf: 'binutils',
  man: 'man-db',
  'systemd-analyze': 'systemd',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  setpriv: 'util-linux',
  ip: 'iproute2',
};

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** Why the tools cannot run here (naming what to install), or false when they can. */
export function toolsSkipReason(tools: readonly string[]): string | false {
  if (process.platform !== 'linux') return 'packaging needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (dpkg-deb --root-owner-group, mounts and namespaces)';
  const missing = tools.filter((tool) => !has(tool));
  if (missing.length === 0) return false;
  const packages = [...new Set(missing.map((tool) => PROVIDERS[tool] ?? tool))].join(' ');
  return `needs ${missing.join(', ')}: apt-get install ${packages}`;
}

export interface Built {
  deb: string;
  rpm: string;
}

/** What the packages are made of: a build is reused only while none of it changed. */
const INPUTS = ['dist', 'bin', 'build/Release', 'config', 'packaging', 'docs/man', 'package.json', 'package-lock.json', 'scripts/package.sh'];

function fingerprint(): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else {
      hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  for (const input of INPUTS) visit(join(REPO, input));
  return hash.digest('hex').slice(0, 16);
}

/** Runs scripts/package.sh for this version and these formats into dir; the files it names. */
async function packageSh(dir: string, version: string, formats: string): Promise<string[]> {
  const result = await execa('bash', ['scripts/package.sh'], {
    cwd: REPO,
    env: { MCR_PACKAGE_VERSION: version, MCR_PACKAGE_OUT: dir, MCR_PACKAGE_FORMATS: formats },
    reject: false,
    timeout: 120_000,
  });
  if (result.exitCode !== 0) throw new Error(`scripts/package.sh failed (${result.exitCode}):\n${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line.endsWith('.deb') || line.endsWith('.rpm'));
}

/**
 * The packages of this version, built once per suite run and tree state (the packaging
 * tests want the same few builds: about a minute of CI saved), copied into out so each
 * test has its own files. A build of both formats also serves a request for the .deb.
 */
async function packages(out: string, version: string, formats: string): Promise<string[]> {
  const cache = join(REPO, 'build', 'test-packages');
  const key = fingerprint();
  if (existsSync(cache)) for (const old of readdirSync(cache)) if (old !== key) rmSync(join(cache, old), { recursive: true, force: true });
  const dirs = [join(cache, key, `${version}-deb rpm`), join(cache, key, `${version}-${formats}`)];
  let source = dirs.find((dir) => existsSync(dir) && readdirSync(dir).length > 0);
  if (!source) {
    source = dirs[1] as string;
    mkdirSync(source, { recursive: true });
    await packageSh(source, version, formats);
  }
  mkdirSync(out, { recursive: true });
  return readdirSync(source)
    .filter((name) => formats.split(' ').some((format) => name.endsWith(`.${format}`)))
    .map((name) => {
      copyFileSync(join(source as string, name), join(out, basename(name)));
      return join(out, basename(name));
    });
}

/** Builds both packages of this version into out; returns the two files' paths. */
export async function buildPackages(out: string, version: string): Promise<Built> {
  const files = await packages(out, version, 'deb rpm');
  const deb = files.find((line) => line.endsWith('.deb'));
  const rpm = files.find((line) => line.endsWith('.rpm'));
  if (!deb || !rpm) throw new Error(`scripts/package.sh named no .deb and .rpm:\n${files.join('\n')}`);
  return { deb, rpm };
}

/** Builds the .deb alone of this version into out; returns its path. */
export async function buildDeb(out: string, version: string): Promise<string> {
  const files = await packages(out, version, 'deb');
  const deb = files.find((line) => line.endsWith('.deb'));
  if (!deb) throw new Error(`scripts/package.sh named no .deb:\n${files.join('\n')}`);
  return deb;
}
