// Checks, before anything is opened, that mcrd holds the one capability the data plane
// needs, so a missing privilege is a clear message naming the fix rather than an EPERM
// from deep inside a socket call.
import { readFileSync } from 'node:fs';

const CAP_NET_RAW = 13;

/** Whether the effective capability set in /proc/self/status includes CAP_NET_RAW. */
export function hasNetRaw(status: string): boolean {
  const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  if (!hex) return false;
  return ((BigInt(`0x${hex}`) >> BigInt(CAP_NET_RAW)) & 1n) === 1n;
}

/** Null when all is well, else the message to print. */
export function missingCapability(status = readFileSync('/proc/self/status', 'utf8')): string | null {
  if (hasNetRaw(status)) return null;
  return (
    'mcrd needs CAP_NET_RAW to read frames with AF_PACKET: run it as root, or grant the capability ' +
    '(systemd: AmbientCapabilities=CAP_NET_RAW; by hand: setpriv --inh-caps +net_raw --ambient-caps +net_raw)'
  );
}
