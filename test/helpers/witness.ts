// The frame egress witness (udp-witness.py) from TypeScript: a plain kernel UDP receiver
// that reports, per datagram, the source address and port, TTL and TOS it got, and the
// MACs of the frames; and a sender with a fixed source port. Debian's /usr/bin/python3
// runs it (the pyenv python3 on PATH may lack nothing, but the path is what the
// machines all have).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Netns } from './netns.js';

const SCRIPT = fileURLToPath(new URL('./udp-witness.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

/** Why the witness cannot run here, or false. */
export function witnessSkipReason(): string | false {
  return existsSync(PYTHON) ? false : `the UDP witness needs ${PYTHON}`;
}

export type Tally = Record<string, number>;

export interface PortReport {
  count: number;
  sources: Tally;
  ttl: Tally;
  tos: Tally;
  sizes: Tally;
  /** With `destinations: true` only. */
  destinations?: Tally;
}

export interface WitnessReport {
  received: number;
  ports: Record<string, PortReport>;
  /** Per port: SHA-256 over each payload received, length-prefixed, in order. */
  digests: Record<string, string>;
  frames: Record<string, { src_mac: Tally; dst_mac: Tally; segmented: number; zero_checksum: number; ffff_checksum: number }>;
}

export interface RunningWitness {
  report: Promise<WitnessReport>;
}

export async function startWitness(
  ns: Netns,
  /** ipv6: IPv6 sockets (and an IPv6 tap); groups are then IPv6. */
  options: { interface: string; ports: number[]; groups?: string[]; expect: number; idle?: number; ipv6?: boolean; destinations?: boolean },
): Promise<RunningWitness> {
  const args = [SCRIPT, 'receive', '--interface', options.interface, '--expect', String(options.expect), '--idle', String(options.idle ?? 2)];
  for (const port of options.ports) args.push('--port', String(port));
  for (const group of options.groups ?? []) args.push('--group', group);
  if (options.destinations) args.push('--destinations');
  if (options.ipv6) args.push('--ipv6');
  const child = ns.spawn(PYTHON, args, { timeoutMs: 120_000 });
  const report = child.then((result) => {
    const line = result.stdout.trim().split('\n').at(-1) ?? '';
    try {
      return JSON.parse(line) as WitnessReport;
    } catch {
      throw new Error(`udp-witness exited ${result.exitCode} without a report: ${result.stderr}`);
    }
  });
  report.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`udp-witness not ready after 10 s: ${seen}`)), 10_000);
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('udp-witness: ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`udp-witness exited ${result.exitCode} before it was ready: ${result.stderr}`));
    });
  });
  return { report };
}

export interface SendOptions {
  group: string;
  port: number;
  sourcePort: number;
  count: number;
  interface?: string;
  /** Sizes of the generated payloads, in turn. */
  sizes?: number[];
  /** Or the payloads themselves, in turn. */
  payloads?: Buffer[];
  ttl?: number;
  gapMs?: number;
}

/** Sends `count` datagrams from a fixed source port; sizes are taken in turn. */
export async function sendFrom(ns: Netns, options: SendOptions): Promise<number> {
  return (await sendDigested(ns, options)).sent;
}

/** As sendFrom, with the digest of what was sent (as the witness reports its own). */
export async function sendDigested(ns: Netns, options: SendOptions): Promise<{ sent: number; digest: string }> {
  const args = [SCRIPT, 'send', '--group', options.group, '--port', String(options.port), '--source-port', String(options.sourcePort), '--count', String(options.count)];
  if (options.interface) args.push('--interface', options.interface);
  for (const size of options.sizes ?? []) args.push('--size', String(size));
  for (const payload of options.payloads ?? []) args.push('--payload-hex', payload.toString('hex'));
  if (options.ttl !== undefined) args.push('--ttl', String(options.ttl));
  if (options.gapMs !== undefined) args.push('--gap-ms', String(options.gapMs));
  const result = await ns.run(PYTHON, args, { timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`udp-witness send exited ${result.exitCode}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { sent: number; digest: string };
}
