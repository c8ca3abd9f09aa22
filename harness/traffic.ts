// Typed wrappers for the native traffic tools inside a test's namespaces: start a sink
// and wait until it listens, run a generator, inject raw frames. Each resolves to the
// tool's parsed JSON report; the option names follow the tools' own (see --help).
import type { Netns } from '../src/netns/namespace.js';
import { locateTool } from '../src/tools/locate.js';

export interface SinkOptions {
  group: string | string[];
  port: number;
  streams?: number;
  interface?: string;
  source?: string;
  expect?: number;
  expectPerStream?: number;
  firstStream?: number;
  idleTimeout?: number;
  durationLimit?: number;
  rcvbuf?: number;
  maxStreams?: number;
  maxSeq?: number;
  /** Also check the stream as RTP, MPEG-TS in RTP, or MPEG-TS: the report gains rtp, ts. */
  payload?: 'rtp' | 'rtp-mpegts' | 'mpegts';
}

/** mcr-sink --payload: the RTP stream's sequence accounting (final: every gap counts). */
export interface RtpReport {
  datagrams: number;
  lost: number;
  duplicates: number;
  reordered: number;
  restarts: number;
  not_rtp: number;
}

/** mcr-sink --payload with MPEG-TS: continuity as ISO 13818-1 defines it. */
export interface TsReport {
  packets: number;
  cc_errors: number;
  tei: number;
  sync_loss: number;
  pids: number;
}

export interface StreamReport {
  stream: number;
  received: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  bytes: number;
  first_seq: number | null;
  last_seq: number | null;
  max_seq: number | null;
}

export interface SinkReport {
  datagrams: number;
  bytes: number;
  received: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  short: number;
  foreign: number;
  bad_header: number;
  out_of_range: number;
  other_destination: number;
  socket_drops: number | null;
  seconds: number;
  rate: number;
  stopped: 'expect' | 'idle' | 'duration' | 'signal';
  groups: { group: string; port: number; datagrams: number; bytes: number; short: number }[];
  streams: StreamReport[];
  rtp?: RtpReport;
  ts?: TsReport;
}

export interface GenOptions {
  group: string;
  port: number;
  count: number;
  rate: number;
  interface?: string;
  size?: number;
  streams?: number;
  firstStream?: number;
  ttl?: number;
  durationLimit?: number;
  /** RTP, MPEG-TS in RTP, or MPEG-TS instead of the test payload (one stream). */
  payload?: 'test' | 'rtp' | 'rtp-mpegts' | 'mpegts';
  /** Each datagram also goes out of this interface: two paths of one stream. */
  secondInterface?: string;
  /** The RTP sequence number of the first datagram (default 0). */
  firstSequence?: number;
}

export interface GenReport {
  sent: number;
  seconds: number;
  rate: number;
  retries: number;
  errors: number;
  stopped: 'count' | 'duration' | 'signal' | 'errors';
  /** With secondInterface: what the second path sent. */
  second?: { sent: number; retries: number; errors: number; refused: number } | null;
  /** Media payloads: datagrams the kernel refused and that were not retried. */
  refused?: number;
  exitCode: number;
  stderr: string;
}

export interface RunningSink {
  /** Resolves when the sink exits by itself (expect, idle, duration). */
  report: Promise<SinkReport>;
  /** SIGTERM: the sink stops and reports. */
  stop(): Promise<SinkReport>;
}

type Flags = Record<string, string | number | string[] | undefined>;

/** {groupName: 'x', port: 1} -> ['--group-name', 'x', '--port', '1'], arrays repeated. */
function toArgs(flags: Flags): string[] {
  return Object.entries(flags).flatMap(([key, value]) => {
    if (value === undefined) return [];
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return (Array.isArray(value) ? value : [value]).flatMap((v) => [flag, String(v)]);
  });
}

function parseReport<T>(tool: string, stdout: string, stderr: string, exitCode: number | undefined): T {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${tool} exited ${exitCode} without a JSON report\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
}

export async function startSink(ns: Netns, options: SinkOptions): Promise<RunningSink> {
  const { group, ...rest } = options;
  const child = ns.spawn(locateTool('mcr-sink'), toArgs({ group, ...rest }), {
    timeoutMs: ((options.durationLimit ?? 60) + 30) * 1000,
  });
  const report = child.then((result) => parseReport<SinkReport>('mcr-sink', result.stdout, result.stderr, result.exitCode));
  // Unobserved, a rejection would end the test process before a test could read it.
  report.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`mcr-sink not ready after 10 s: ${seen}`)), 10_000);
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('mcr-sink: ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`mcr-sink exited ${result.exitCode} before it was ready: ${result.stderr}`));
    });
  });
  return {
    report,
    stop: () => {
      child.kill('SIGTERM');
      return report;
    },
  };
}

export async function runGen(ns: Netns, options: GenOptions): Promise<GenReport> {
  const result = await ns.run(locateTool('mcr-gen'), toArgs({ ...options }), {
    timeoutMs: ((options.durationLimit ?? 60) + 30) * 1000,
  });
  const report = parseReport<Omit<GenReport, 'exitCode' | 'stderr'>>('mcr-gen', result.stdout, result.stderr, result.exitCode);
  return { ...report, exitCode: result.exitCode ?? -1, stderr: result.stderr };
}

/** Sends each frame, exactly as given, out of iface (mcr-inject). */
export async function inject(
  ns: Netns,
  iface: string,
  frames: Buffer[],
  options: { repeat?: number; gapUs?: number } = {},
): Promise<{ sent: number; errors: number }> {
  const input = frames.map((frame) => frame.toString('hex')).join('\n') + '\n';
  const result = await ns.run(locateTool('mcr-inject'), toArgs({ interface: iface, ...options }), { input });
  const report = parseReport<{ sent: number; errors: number }>('mcr-inject', result.stdout, result.stderr, result.exitCode);
  if (result.exitCode !== 0) throw new Error(`mcr-inject exited ${result.exitCode}: ${result.stderr}`);
  return report;
}

export interface RunningGen {
  /** SIGTERM: the generator stops and reports what it sent. */
  stop(): Promise<GenReport>;
}

/** A generator for a test whose length is not known ahead: it sends until stopped. */
export function startGen(ns: Netns, options: Omit<GenOptions, 'count'>): RunningGen {
  const limit = options.durationLimit ?? 600;
  const child = ns.spawn(locateTool('mcr-gen'), toArgs({ ...options, count: 0, durationLimit: limit }), { timeoutMs: (limit + 30) * 1000 });
  const report = child.then((result) => {
    const parsed = parseReport<Omit<GenReport, 'exitCode' | 'stderr'>>('mcr-gen', result.stdout, result.stderr, result.exitCode);
    return { ...parsed, exitCode: result.exitCode ?? -1, stderr: result.stderr };
  });
  report.catch(() => undefined);
  return {
    stop: () => {
      child.kill('SIGTERM');
      return report;
    },
  };
}
