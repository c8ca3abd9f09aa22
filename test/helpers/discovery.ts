// What the discovery tests share: the mDNS peer (python3-zeroconf), an mcrd started with
// a reflector in a relay namespace, and the reasons to skip where the real clients are
// missing. Each client is a program someone else wrote, run in the test's namespaces.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { tempDir } from './cli.js';
import { daemonSection, startMcrd, writeConfig, type Mcrd } from './mcrd.js';
import type { Netns, TeardownHost } from './netns.js';
import type { RuleStats, StatsFile } from '../../src/stats/types.js';

const PYTHON = '/usr/bin/python3';
const MDNS_PEER = fileURLToPath(new URL('../helpers/mdns-peer.py', import.meta.url));

export function zeroconfSkipReason(): string | false {
  if (!existsSync(PYTHON)) return `the mDNS peer needs ${PYTHON}`;
  const probe = spawnSync(PYTHON, ['-c', 'import zeroconf'], { encoding: 'utf8' });
  return probe.status === 0 ? false : 'python3-zeroconf is not installed (apt-get install python3-zeroconf)';
}

/** Registers one instance of the test service; resolves once it has announced itself. */
export async function registerService(ns: Netns, name: string, address: string, seconds = 60): Promise<void> {
  const family = address.includes(':') ? ['--ipv6'] : [];
  const child = ns.spawn(PYTHON, [MDNS_PEER, 'register', ...family, '--name', name, '--address', address, '--seconds', String(seconds)], { timeoutMs: (seconds + 10) * 1000 });
  child.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`mdns-peer register not ready: ${seen}`)), 15_000);
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('mdns-peer: ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Browses for the test service (over IPv6 when address is IPv6); the instances found,
 * each with its resolved addresses of that family. */
export async function browse(ns: Netns, address: string, seconds: number, want = 0): Promise<Record<string, string[] | null>> {
  const family = address.includes(':') ? ['--ipv6'] : [];
  const result = await ns.run(PYTHON, [MDNS_PEER, 'browse', ...family, '--address', address, '--seconds', String(seconds), '--want', String(want)], { timeoutMs: (seconds + 15) * 1000 });
  if (result.exitCode !== 0) throw new Error(`mdns-peer browse exited ${result.exitCode}: ${result.stderr}`);
  return (JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { found: Record<string, string[] | null> }).found;
}

/** Starts mcrd in ns with [daemon] settings and the given rules-file lines. */
export async function startReflector(t: TeardownHost, ns: Netns, lines: string[], daemon: string[] = []): Promise<Mcrd> {
  const dir = await tempDir(t);
  await writeConfig(join(dir, 'mcr.toml'), [...daemonSection(dir, daemon), ...lines]);
  return startMcrd(ns, dir);
}

/** The stats file's flows of one reflector, by input interface. */
export function flowsOf(stats: StatsFile, reflector: string): Record<string, RuleStats> {
  return Object.fromEntries(stats.rules.filter((rule) => rule.name.startsWith(`${reflector}: `)).map((rule) => [rule.input.interface, rule]));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
