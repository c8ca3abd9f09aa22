// Whether a system can run here, found out, never assumed: kernel multicast routing needs
// CONFIG_IP_MROUTE (and smcrouted), the kernel fast path needs nft and the netdev
// family's fwd/dup, and mcr's frame egress needs a build whose rules file knows
// `egress = "frame"` (asked of `mcr check`, which shares the parser the relay uses). A
// system that cannot run is listed with why, never skipped in silence. The judges are
// pure; the probes below them read the machine once per run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Egress } from './mcr-rules.js';
import { mcrRulesToml } from './mcr-rules.js';

/** `reason` is what a results table shows; `detail` says what was found. */
export type Availability = { ok: true; detail?: string } | { ok: false; reason: string; detail: string };

export const NOT_IN_KERNEL = 'not built into this kernel';
export const NOT_IN_BUILD = 'not available in this build';
export const NOT_INSTALLED = 'not installed';

/** The value of a kernel option in a config text: 'y', 'm', 'not set', or null if absent. */
export function configValue(config: string, option: string): 'y' | 'm' | 'not set' | null {
  for (const line of config.split('\n')) {
    if (line === `# ${option} is not set`) return 'not set';
    const match = new RegExp(`^${option}=(.*)$`).exec(line);
    if (match) return match[1] === 'y' || match[1] === 'm' ? match[1] : 'not set';
  }
  return null;
}

/** Kernel multicast routing: /proc/net/ip_mr_vif exists exactly when CONFIG_IP_MROUTE is built. */
export function judgeMroute(procVifExists: boolean, config: string | null, smcroutedFound: boolean): Availability {
  const option = config === null ? null : configValue(config, 'CONFIG_IP_MROUTE');
  if (!procVifExists) {
    const said = option === null ? 'no kernel config to read' : `CONFIG_IP_MROUTE ${option === 'not set' ? 'is not set' : `=${option}`}`;
    return { ok: false, reason: NOT_IN_KERNEL, detail: `no /proc/net/ip_mr_vif; ${said}` };
  }
  if (!smcroutedFound) return { ok: false, reason: NOT_INSTALLED, detail: 'smcrouted not found (apt-get install smcroute)' };
  return { ok: true, detail: '/proc/net/ip_mr_vif present' };
}

/** The nft relay: the nft command, and the kernel's netdev family with fwd and dup where the config says. */
export function judgeNft(nftFound: boolean, config: string | null): Availability {
  if (!nftFound) return { ok: false, reason: NOT_INSTALLED, detail: 'nft not found (apt-get install nftables)' };
  if (config !== null) {
    const missing = ['CONFIG_NF_TABLES_NETDEV', 'CONFIG_NF_DUP_NETDEV', 'CONFIG_NFT_FWD_NETDEV'].filter((o) => {
      const v = configValue(config, o);
      return v !== 'y' && v !== 'm';
    });
    if (missing.length > 0) return { ok: false, reason: NOT_IN_KERNEL, detail: `${missing.join(', ')} not set` };
  }
  return { ok: true };
}

export interface CheckOutcome {
  exitCode: number | null;
  output: string;
}

/**
 * An egress kind from `mcr check` on a one-rule file naming it. A build without the
 * setting at all still sends through sockets: the socket kind is then what runs, with
 * the file written without the key (`implicit`).
 */
export function judgeEgress(kind: Egress, named: CheckOutcome, withoutKey: CheckOutcome): Availability & { implicit?: boolean } {
  if (named.exitCode === 0) return { ok: true, detail: `mcr check accepts egress = "${kind}"` };
  const said = named.output.split('\n').find((l) => /egress/.test(l)) ?? named.output.split('\n')[0] ?? '';
  const refusedKey = /unknown key "egress"/.test(named.output);
  if (kind === 'socket' && refusedKey && withoutKey.exitCode === 0) {
    return { ok: true, implicit: true, detail: 'this build has no egress setting: its outputs are sockets, the file names no egress' };
  }
  return { ok: false, reason: NOT_IN_BUILD, detail: `mcr check refuses egress = "${kind}": ${said.replace(/^\S+:\d+:\d+: /, '').trim()}` };
}

// ---- probes ------------------------------------------------------------------------

export function kernelConfig(): string | null {
  try {
    return gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  } catch {
    return null;
  }
}

export function commandFound(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const MCR = fileURLToPath(new URL('../../bin/mcr.js', import.meta.url));

/** `mcr check` on a private one-rule file; exit 0 valid, 78 refused. */
function mcrCheck(toml: string): CheckOutcome {
  const dir = mkdtempSync(join(tmpdir(), 'mcr-bench-egress-'));
  try {
    const file = join(dir, 'probe.toml');
    writeFileSync(file, toml, { mode: 0o600 });
    try {
      return { exitCode: 0, output: execFileSync(process.execPath, [MCR, 'check', file], { encoding: 'utf8', stdio: 'pipe' }) };
    } catch (error) {
      const e = error as { status?: number | null; stdout?: string; stderr?: string };
      return { exitCode: e.status ?? null, output: `${e.stderr ?? ''}${e.stdout ?? ''}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const probeRule = [{ name: 'probe', input: { iface: 'in0', group: '239.1.1.1' }, outputs: [{ iface: 'out0', group: '239.2.2.2' }] }];
const memo = new Map<string, Availability & { implicit?: boolean }>();

function once<T extends Availability>(key: string, probe: () => T): T {
  if (!memo.has(key)) memo.set(key, probe());
  return memo.get(key) as T;
}

export const probes = {
  mroute: () => once('mroute', () => judgeMroute(existsSync('/proc/net/ip_mr_vif'), kernelConfig(), commandFound('smcrouted'))),
  nft: () => once('nft', () => judgeNft(commandFound('nft'), kernelConfig())),
  egress: (kind: Egress) =>
    once(`egress-${kind}`, () => judgeEgress(kind, mcrCheck(mcrRulesToml(probeRule, kind)), mcrCheck(mcrRulesToml(probeRule, null)))),
};
