// Builds the packages for the packaging tests with scripts/package.sh (what `npm run
// package` runs after compiling), and says which tools a test lacks, so it can skip
// with a reason that names the Debian packages to install.
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
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

/** Runs scripts/package.sh for this version and these formats into out; the files it names. */
async function packageSh(out: string, version: string, formats: string): Promise<string[]> {
  const result = await execa('bash', ['scripts/package.sh'], {
    cwd: REPO,
    env: { MCR_PACKAGE_VERSION: version, MCR_PACKAGE_OUT: out, MCR_PACKAGE_FORMATS: formats },
    reject: false,
    timeout: 120_000,
  });
  if (result.exitCode !== 0) throw new Error(`scripts/package.sh failed (${result.exitCode}):\n${result.stderr}`);
  return result.stdout.split('\n');
}

/** Builds both packages of this version into out; returns the two files' paths. */
export async function buildPackages(out: string, version: string): Promise<Built> {
  const files = await packageSh(out, version, 'deb rpm');
  const deb = files.find((line) => line.endsWith('.deb'));
  const rpm = files.find((line) => line.endsWith('.rpm'));
  if (!deb || !rpm) throw new Error(`scripts/package.sh named no .deb and .rpm:\n${files.join('\n')}`);
  return { deb, rpm };
}

/** Builds the .deb alone of this version into out; returns its path. */
export async function buildDeb(out: string, version: string): Promise<string> {
  const files = await packageSh(out, version, 'deb');
  const deb = files.find((line) => line.endsWith('.deb'));
  if (!deb) throw new Error(`scripts/package.sh named no .deb:\n${files.join('\n')}`);
  return deb;
}
