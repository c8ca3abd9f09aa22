// What the systemd package test does over and over inside its booted container
// (helpers/booted-system.ts), written once: edit /etc/mcr.toml, read mcrd's stats file
// and /proc status, ask systemd about the unit, and push a counted stream from the
// sender namespace through the relay to the receiver namespace.
import type { Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Netns } from '../../helpers/netns.js';
import { runGen, startSink, type SinkReport } from '../../helpers/traffic.js';
import type { BootedSystem } from './booted-system.js';

export interface Stats {
  daemon: { pid: number; state: string };
  config: { generation: number; lastReload: { trigger: string; ok: boolean; errors: string[]; added: number; unchanged: number } };
  rules: { name: string; state: string; packets: number }[];
}

/** Writes /etc/mcr.toml in place, as an editor saving over it would. */
export function writeRules(system: BootedSystem, lines: readonly string[]): void {
  writeFileSync(system.path('/etc/mcr.toml'), lines.join('\n') + '\n');
}

export function readStats(system: BootedSystem): Stats {
  return JSON.parse(readFileSync(system.path('/run/mcr/stats.json'), 'utf8')) as Stats;
}

/** mcrd's main PID as the container sees it (0 when not running). */
export async function mainPid(system: BootedSystem): Promise<number> {
  return Number((await system.show('mcrd', 'MainPID')).MainPID);
}

/** Fields of /proc/PID/status of a process in the container. */
export async function procStatus(system: BootedSystem, pid: number): Promise<Record<string, string>> {
  const text = (await system.run('cat', [`/proc/${pid}/status`])).stdout;
  return Object.fromEntries(text.split('\n').map((line) => line.split(/:\s*/, 2) as [string, string]));
}

/** Polls systemctl show until test holds; the last properties read, or a throw with them. */
export async function waitForUnit(
  system: BootedSystem,
  test: (props: Record<string, string>) => boolean,
  timeoutMs: number,
  ...properties: string[]
): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const props = await system.show('mcrd', 'ActiveState', 'SubState', 'MainPID', 'NRestarts', ...properties);
    if (test(props)) return props;
    if (Date.now() > deadline) throw new Error(`mcrd.service never reached the awaited state: ${JSON.stringify(props)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface Ends {
  src: Netns;
  rx: Netns;
}

/** Sends count datagrams to 239.1.1.1:5000 and checks each came out at 239.2.2.1:5000. */
export async function relayChecked(t: Test, ends: Ends, count: number, rate: number, what: string): Promise<SinkReport> {
  const sink = await startSink(ends.rx, { group: '239.2.2.1', port: 5000, expect: count, idleTimeout: 3 });
  const gen = await runGen(ends.src, { group: '239.1.1.1', port: 5000, count, rate, size: 1316 });
  t.equal(gen.sent, count, `${what}: the sender sent ${count}`);
  const report = await sink.report;
  t.equal(report.received, count, `${what}: the receiver got all ${count} datagrams`);
  t.equal(report.lost + report.duplicated + report.reordered + report.corrupted, 0, `${what}: none lost, duplicated, reordered or corrupted`, {
    report,
  });
  return report;
}

/**
 * Polls the journal after cursor (journalctl filters in args) until test holds, and
 * returns the entries either way: journald stores a line a moment after it is written.
 */
export async function waitForJournal(
  system: BootedSystem,
  cursor: string,
  args: readonly string[],
  test: (entries: Record<string, string>[]) => boolean,
  timeoutMs = 5000,
): Promise<Record<string, string>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await system.journal(cursor, ...args);
    if (test(entries) || Date.now() > deadline) return entries;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** mcrd's own journal lines after cursor, once test holds for them (or the time is up). */
export async function waitForMessages(system: BootedSystem, cursor: string, test: (lines: string[]) => boolean): Promise<string[]> {
  return mcrdMessages(await waitForJournal(system, cursor, ['-u', 'mcrd'], (entries) => test(mcrdMessages(entries))));
}

/** The MESSAGE fields of all entries. */
export function messages(entries: readonly Record<string, string>[]): string[] {
  return entries.map((entry) => entry.MESSAGE ?? '');
}

/** The journal entries' MESSAGE fields that mcrd itself logged. */
export function mcrdMessages(entries: readonly Record<string, string>[]): string[] {
  return entries.filter((entry) => entry.SYSLOG_IDENTIFIER === 'mcrd').map((entry) => entry.MESSAGE ?? '');
}
