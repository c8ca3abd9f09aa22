// The RTP test tool (rtp-tool.py, run by Debian's /usr/bin/python3) from TypeScript: a
// misbehaving RTP sender, and a receiver that reports what never came, duplicates, the
// longest silence and the jitter it computed itself from the kernel's receive times.
import { fileURLToPath } from 'node:url';
import type { Netns } from './netns.js';

const SCRIPT = fileURLToPath(new URL('./rtp-tool.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

export interface RtpSendOptions {
  group: string;
  port: number;
  interface: string;
  count: number;
  rate: number;
  size?: number;
  firstSeq?: number;
  /** Indexes (0-based, in send order) left out, sent twice, sent after their successor. */
  drop?: number[];
  duplicate?: number[];
  swap?: number[];
  /** Each datagram is late by a random 0 to this many microseconds. */
  jitterUs?: number;
}

export interface RtpReceiveReport {
  received: number;
  unique: number;
  duplicates: number;
  reordered: number;
  /** Sequence numbers, counted from the first received, that never came. */
  missing: number[];
  jitter_us: number;
  overflow: number;
  longest_gap_ms: number;
  gap_between: [number | null, number | null];
  first: number | null;
  last: number | null;
  arrivals?: [number, number][];
}

function flags(options: object): string[] {
  return Object.entries(options).flatMap(([key, value]) => {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (value === undefined || value === false) return [];
    if (value === true) return [flag];
    return (Array.isArray(value) ? value : [value]).flatMap((one) => [flag, String(one)]);
  });
}

function lastJson<T>(what: string, result: { stdout: string; stderr: string; exitCode?: number | null }): T {
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`rtp-tool ${what} exited ${result.exitCode} without a report: ${result.stderr}`);
  }
}

export async function sendRtp(ns: Netns, options: RtpSendOptions): Promise<{ sent: number }> {
  const result = await ns.run(PYTHON, [SCRIPT, 'send', ...flags(options)], { timeoutMs: 120_000 });
  if (result.exitCode !== 0) throw new Error(`rtp-tool send exited ${result.exitCode}: ${result.stderr}`);
  return lastJson('send', result);
}

/** A receiver, ready (joined) when this resolves; its report when it has been idle
 * `idle` seconds, got `expect` datagrams, or ran `duration` seconds. */
export async function receiveRtp(
  ns: Netns,
  options: {
    group: string;
    port: number;
    interface: string;
    idle?: number;
    expect?: number;
    duration?: number;
    arrivals?: boolean;
    /** Count sequence numbers from this one (the sender's numbering) to `until`, instead
     * of from the first received to the newest. */
    since?: number;
    until?: number;
  },
): Promise<{ report: Promise<RtpReceiveReport> }> {
  const child = ns.spawn(PYTHON, [SCRIPT, 'receive', ...flags(options)], { timeoutMs: ((options.duration ?? 60) + 30) * 1000 });
  const report = child.then((result) => lastJson<RtpReceiveReport>('receive', result));
  report.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`rtp-tool receive not ready after 10 s: ${seen}`)), 10_000);
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('receive: ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`rtp-tool receive exited ${result.exitCode} before it was ready: ${result.stderr}`));
    });
  });
  return { report };
}
