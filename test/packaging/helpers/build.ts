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

/** Runs scripts/package.sh for this version into out; returns the two files' paths. */
export async function buildPackages(out: string, version: string): Promise<Built> {
  const result = await execa('bash', ['scripts/package.sh'], {
    cwd: REPO,
    env: { MCR_PACKAGE_VERSION: version, MCR_PACKAGE_OUT: out },
    reject: false,
    timeout: 120_000,
  });
  if (result.exitCode !== 0) throw new Error(`scripts/package.sh failed (${result.exitCode}):\n${result.stderr}`);
  const files = result.stdout.split('\n');
  const deb = files.find((line) => line.endsWith('.deb'));
  const rpm = files.find((line) => line.endsWith('.rpm'));
  if (!deb || !rpm) throw new Error(`scripts/package.sh named no .deb and .rpm:\n${result.stdout}`);
  return { deb, rpm };
}
