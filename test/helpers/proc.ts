// What /proc says about a process or a namespace, as an operator would read it: CPU
// seconds used, resident memory, open descriptors, the kernel's UDP counters, group
// memberships and packet sockets.
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import type { Netns } from './netns.js';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User plus system CPU seconds the process (all its threads) has used. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function rssKib(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** The `Udp:` counters of /proc/net/snmp inside ns (InDatagrams, RcvbufErrors, ...). */
export async function udpCounters(ns: Netns): Promise<Record<string, number>> {
  const result = await ns.run('cat', ['/proc/net/snmp']);
  const lines = result.stdout.split('\n').filter((line) => line.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/).slice(1) ?? [];
  const values = lines[1]?.split(/\s+/).slice(1).map(Number) ?? [];
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? NaN]));
}

/** The processes inside ns (`ip netns pids`). */
export async function pidsIn(ns: Netns): Promise<number[]> {
  const result = await execa('ip', ['netns', 'pids', ns.name], { reject: false, timeout: 10_000 });
  return result.stdout.split(/\s+/).filter(Boolean).map(Number);
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process is gone
  }
}

/** Groups joined on iface in pid's network namespace (the count /proc/PID/net/igmp gives). */
export function groupsJoined(pid: number, iface: string): number {
  const device = new RegExp(`^\\d+\\s+${iface}\\s*:\\s*(\\d+)`, 'm').exec(readOrEmpty(`/proc/${pid}/net/igmp`));
  return Number(device?.[1] ?? 0);
}

/** Packet sockets open in pid's network namespace (/proc/PID/net/packet, less its header). */
export function packetSockets(pid: number): number {
  return readOrEmpty(`/proc/${pid}/net/packet`).trim().split('\n').length - 1;
}

/** Packet sockets of the namespace pid lives in that receive (protocol ETH_P_ALL: the
 * ingress rings), as opposed to frame outputs' send-only sockets (protocol 0). */
export function receivingPacketSockets(pid: number): number {
  const rows = readOrEmpty(`/proc/${pid}/net/packet`).trim().split('\n').slice(1);
  return rows.filter((row) => row.trim().split(/\s+/)[3] === '0003').length;
}
