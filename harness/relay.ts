// A relay under test: the real data plane running in a namespace (relay-runner.mjs),
// driven by JSON-line commands. Started through Netns.spawn, so the Lab kills it at
// teardown whatever happens.
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Netns } from '../src/netns/namespace.js';

const RUNNER = fileURLToPath(new URL('./relay-runner.mjs', import.meta.url));

export type Counters = Record<string, number>;
export interface RuleCountersReply extends Counters {
  packets: number;
  bytes: number;
}
export interface CountersReply {
  worker: Counters;
  perWorker: Counters[];
  rules: Record<string, Counters & { packets: number; bytes: number; outputs: Record<string, Counters>; paths: Counters[] }>;
}
export interface RuleStatusReply {
  key: string;
  state: string;
  error: string;
  ifindex: number;
  outputs: { key: string; state: string; error: string; egress: string }[];
}
interface Reply {
  ok?: boolean;
  ready?: boolean;
  event?: string;
  error?: string;
  errors?: { key: string; message: string }[];
  configErrors?: unknown[];
  status?: RuleStatusReply[];
  counters?: CountersReply;
  info?: { backend: string; fallbackReason: string; workers: number };
  [key: string]: unknown;
}

export interface Relay {
  /** The relay process (ip netns exec replaces itself with node: same pid). */
  readonly pid: number;
  readonly info: { backend: string; fallbackReason: string; workers: number };
  /** Applies a rules file (as TOML lines); rejects on config errors or rule errors. */
  apply(...lines: string[]): Promise<RuleStatusReply[]>;
  counters(): Promise<CountersReply>;
  status(): Promise<RuleStatusReply[]>;
  /** Polls the status until test holds; rejects with the last status after timeoutMs. */
  waitForStatus(test: (status: RuleStatusReply[]) => boolean, timeoutMs?: number): Promise<RuleStatusReply[]>;
  /** Resolves with the status reported after the next link event that satisfies test. */
  nextLinkEvent(test: (status: RuleStatusReply[]) => boolean, timeoutMs?: number): Promise<RuleStatusReply[]>;
  /** Closes the data plane and lets the process exit; resolves with how it ended. */
  close(): Promise<{ exitCode?: number | undefined; signal?: string | undefined }>;
  stderr(): string;
}

export interface RelayOptions {
  backend?: string;
  workers?: number;
  /** Extra environment for the relay process (e.g. a sanitized addon and its runtimes). */
  env?: Record<string, string>;
}

export async function startRelay(ns: Netns, options: RelayOptions = {}): Promise<Relay> {
  const { env = {}, ...settings } = options;
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  const child = ns.spawn('env', [...assignments, 'node', RUNNER, JSON.stringify(settings)], { timeoutMs: 600_000 });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const waiting: ((reply: Reply) => void)[] = [];
  const linkWatchers = new Set<(reply: Reply) => void>();
  let ready: (reply: Reply) => void = () => {};
  const started = new Promise<Reply>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const reply = JSON.parse(line) as Reply;
    if (reply.ready) ready(reply);
    else if (reply.event === 'link') for (const watcher of linkWatchers) watcher(reply);
    else waiting.shift()?.(reply);
  });
  const exited = child.then((result) => {
    const failure = { ok: false, error: `relay exited (${result.exitCode ?? result.signal}): ${stderr}` };
    ready(failure);
    for (const pending of waiting.splice(0)) pending(failure);
    return { exitCode: result.exitCode, signal: result.signal };
  });
  const hello = await started;
  if (!hello.ready) throw new Error(String(hello.error));
  const send = (command: object): Promise<Reply> =>
    new Promise((resolve, reject) => {
      waiting.push((reply) => (reply.ok ? resolve(reply) : reject(new Error(JSON.stringify(reply)))));
      child.stdin!.write(`${JSON.stringify(command)}\n`);
    });
  return {
    pid: child.pid ?? 0,
    info: hello.info!,
    async apply(...lines) {
      const reply = await send({ cmd: 'apply', toml: lines.join('\n') + '\n' });
      if (reply.errors && reply.errors.length > 0) throw new Error(`rules refused: ${JSON.stringify(reply.errors)}`);
      return reply.status ?? [];
    },
    async counters() {
      return (await send({ cmd: 'counters' })).counters!;
    },
    async status() {
      return (await send({ cmd: 'status' })).status ?? [];
    },
    async waitForStatus(test, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = (await send({ cmd: 'status' })).status ?? [];
        if (test(status)) return status;
        if (Date.now() > deadline) throw new Error(`status never satisfied the test in ${timeoutMs} ms: ${JSON.stringify(status)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    nextLinkEvent(test, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          linkWatchers.delete(watch);
          reject(new Error(`no link event satisfied the test within ${timeoutMs} ms`));
        }, timeoutMs);
        const watch = (reply: Reply) => {
          if (!test(reply.status ?? [])) return;
          clearTimeout(timer);
          linkWatchers.delete(watch);
          resolve(reply.status ?? []);
        };
        linkWatchers.add(watch);
      });
    },
    async close() {
      await send({ cmd: 'close' }).catch(() => undefined);
      return exited;
    },
    stderr: () => stderr,
  };
}
