// The machine looked at once per run for availability.ts's judges: the kernel's config,
// commands on PATH, and what `mcr check` (from dist/, the relay's own parser) says of a
// one-rule file naming an egress kind. egress-probe.ts adds what the data plane did.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { judgeEgress, judgeMroute, judgeNft, type Availability, type CheckOutcome, type EgressAvailability } from './availability.js';
import { mcrRulesToml, type Egress } from './mcr-rules.js';

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
const memo = new Map<string, Availability>();

function once<T extends Availability>(key: string, probe: () => T): T {
  if (!memo.has(key)) memo.set(key, probe());
  return memo.get(key) as T;
}

/** Whether the rules file accepts `egress = "<kind>"` (mcr check from dist/). */
export function checkEgressKey(kind: Egress): CheckOutcome {
  return mcrCheck(mcrRulesToml(probeRule, kind));
}

/** Records what egress-probe.ts found the data plane doing, for probes.egress. */
export function recordEgress(kind: Egress, judged: EgressAvailability): void {
  memo.set(`egress-${kind}`, judged);
}

export const probes = {
  mroute: () => once('mroute', () => judgeMroute(existsSync('/proc/net/ip_mr_vif'), kernelConfig(), commandFound('smcrouted'))),
  nft: () => once('nft', () => judgeNft(commandFound('nft'), kernelConfig())),
  /** From the data plane when egress-probe.ts ran (bench runs do), else from mcr check alone. */
  egress: (kind: Egress): EgressAvailability => once(`egress-${kind}`, () => judgeEgress(kind, checkEgressKey(kind), null)),
};
