// The systems a bench compares, each set up on its own fresh topology: mcr (either
// backend, any worker count), socat, kernel multicast routing driven by smcroute, the
// plain recvmmsg/sendmmsg baseline, and no relay at all (the tools' own ceiling). A
// Rig says where to send from, where to receive and which group, and whose CPU to count.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Endpoint } from '../../src/netns/endpoints.js';
import { Lab } from '../../src/netns/lab.js';
import type { Netns } from '../../src/netns/namespace.js';
import { chain, direct, type Chain } from '../../src/netns/topologies.js';
import { startRelay } from '../../test/helpers/relay.js';
import { rule } from '../../test/helpers/ruleset.js';
import type { ScriptHost } from './host.js';

export const IN_GROUP = '239.1.1.1';
export const OUT_GROUP = '239.2.2.2';
export const PORT = 5000;

export interface Rig {
  src: Endpoint;
  rx: Endpoint;
  /** The group the sink joins: OUT_GROUP, or IN_GROUP where the relay cannot rewrite it. */
  rxGroup: string;
  /**
   * Whose CPU is the relay's: every process in this namespace; or, for the kernel, which
   * forwards in softirq context inside other tasks, the machine's above no relay.
   */
  cpu: { kind: 'process'; ns: Netns } | { kind: 'softirq' } | { kind: 'none' };
  /** The relay's namespace and input interface, whose receive work goes to the relay's CPU. */
  ingress?: { ns: Netns; iface: string };
  /** Relay-side counters, for explaining losses (mcr only). */
  counters?(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface System {
  id: string;
  label: string;
  note?: string;
  setup(host: ScriptHost): Promise<Rig>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pids of the processes running in a namespace (the relay, in a relay namespace). */
export function namespacePids(ns: Netns): number[] {
  const out = execFileSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' });
  return out.split(/\s+/).filter(Boolean).map(Number);
}

/** Fails fast when a spawned relay dies at start instead of leaving a silent rig. */
async function expectAlive(what: string, child: Promise<{ exitCode?: number | undefined; stderr?: unknown }>): Promise<void> {
  const early = await Promise.race([child, sleep(300).then(() => null)]);
  if (early) throw new Error(`${what} exited at start (${early.exitCode}): ${String(early.stderr)}`);
}

/** A relay that is one process (socat, the baseline) in the chain's relay namespace. */
async function processRig(
  lab: Lab,
  c: Chain,
  what: string,
  child: ReturnType<Netns['spawn']>,
): Promise<Rig> {
  await expectAlive(what, child);
  return {
    src: c.src,
    rx: c.rx,
    rxGroup: OUT_GROUP,
    cpu: { kind: 'process', ns: c.relay },
    ingress: { ns: c.relay, iface: 'in0' },
    async close() {
      child.kill('SIGTERM');
      await child;
      await lab.destroy();
    },
  };
}

/** mcr on the chain: the multi-relay installer with the chain's one path. */
export function mcr(backend: 'io_uring' | 'syscalls', workers = 1): System {
  return onChain(mcrRelay(backend, workers));
}

/** The receive buffer given to socat and the baseline: the size of mcr's ingress ring. */
const RCVBUF = 16 << 20;

function littleEndianHex(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32LE(value);
  return bytes.toString('hex');
}

export function socat(): System {
  return onChain(socatRelay());
}

export function kernel(): System {
  return onChain(kernelRelay());
}

const BASELINE_DIR = fileURLToPath(new URL('../baseline/', import.meta.url));

/** Builds the baseline relay if its binary is missing or older than its source. */
function baselineBinary(): string {
  const binary = join(BASELINE_DIR, 'mmsg-relay');
  const stale = (() => {
    try {
      return statSync(binary).mtimeMs < statSync(join(BASELINE_DIR, 'mmsg-relay.cc')).mtimeMs;
    } catch {
      return true;
    }
  })();
  if (stale) execFileSync('sh', [join(BASELINE_DIR, 'build.sh')], { stdio: 'inherit' });
  return binary;
}

export function baseline(): System {
  return {
    id: 'baseline',
    label: 'plain recvmmsg/sendmmsg relay',
    note: 'bench/baseline/mmsg-relay.cc: batches of 64, blocking sendmmsg, SO_RCVBUFFORCE 16 MiB',
    async setup(host) {
      const binary = baselineBinary();
      const lab = Lab.create(host);
      const c = await chain(lab);
      const args = ['in0', IN_GROUP, String(PORT), 'out0', OUT_GROUP, String(PORT), String(RCVBUF)];
      return processRig(lab, c, 'mmsg-relay', c.relay.spawn(binary, args, { timeoutMs: 3_600_000 }));
    },
  };
}

export function noRelay(): System {
  return {
    id: 'none',
    label: 'no relay (gen -> sink over one veth pair)',
    note: 'the ceiling of the traffic tools themselves',
    async setup(host) {
      const lab = Lab.create(host);
      const d = await direct(lab);
      return { src: d.src, rx: d.rx, rxGroup: IN_GROUP, cpu: { kind: 'none' }, close: () => lab.destroy() };
    },
  };
}

// ---- Relays installed on a given namespace (the multi-relay scenarios) ---------------
// The scenarios of several hops, streams or outputs build their own topology and
// install a system on each relay namespace in it. A Path is one input stream and where
// the relay sends it; every system gets the same paths (the kernel keeps the input group).

/** The group k places after base: groupAt('239.2.2.2', 3) is '239.2.2.5'. */
export function groupAt(base: string, k: number): string {
  const value = base.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) + k;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export interface PathOutput {
  /** The relay's interface to send on (its address is the multicast source). */
  via: Endpoint;
  group: string;
}

export interface Path {
  /** The relay's interface the stream arrives on. */
  input: Endpoint;
  /** The sender's address: the kernel's routes are (S,G). */
  source: string;
  group: string;
  outputs: PathOutput[];
}

export interface Installed {
  /** The relay's processes now (the kernel's: smcrouted, which only installs routes). */
  pids(): number[];
  counters?(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface RelayKind {
  id: string;
  label: string;
  note?: string;
  /** False: the system forwards the input group unchanged, and receivers join that. */
  rewrites: boolean;
  /** Where the forwarding runs: in the relay's processes, or in softirq (the kernel). */
  forwardsIn: 'processes' | 'softirq';
  install(host: ScriptHost, ns: Netns, paths: readonly Path[]): Promise<Installed>;
}

/** What a receiver of a path's output must join: the output group, or the input's. */
export function joinedGroup(kind: RelayKind, path: Path, output: PathOutput): string {
  return kind.rewrites ? output.group : path.group;
}

/**
 * A RelayKind set up on a fresh chain with its one path (in0 IN_GROUP -> out0
 * OUT_GROUP), as the one-stream scenario measures it.
 */
function onChain(kind: RelayKind): System {
  return {
    id: kind.id,
    label: kind.label,
    ...(kind.note ? { note: kind.note } : {}),
    async setup(host) {
      const lab = Lab.create(host);
      const c = await chain(lab);
      const path: Path = { input: c.in0, source: c.src.address, group: IN_GROUP, outputs: [{ via: c.out0, group: OUT_GROUP }] };
      let installed: Installed;
      try {
        installed = await kind.install(host, c.relay, [path]);
      } catch (error) {
        await lab.destroy();
        throw error;
      }
      return {
        src: c.src,
        rx: c.rx,
        rxGroup: joinedGroup(kind, path, path.outputs[0] as PathOutput),
        cpu: kind.forwardsIn === 'softirq' ? { kind: 'softirq' } : { kind: 'process', ns: c.relay },
        ingress: { ns: c.relay, iface: c.in0.iface },
        ...(installed.counters ? { counters: installed.counters } : {}),
        async close() {
          await installed.close();
          await lab.destroy();
        },
      };
    },
  };
}

function flatCounters(snapshot: Awaited<ReturnType<Awaited<ReturnType<typeof startRelay>>['counters']>>): Record<string, number> {
  const out: Record<string, number> = { ...snapshot.worker };
  for (const r of Object.values(snapshot.rules)) {
    for (const o of Object.values(r.outputs)) for (const [k, v] of Object.entries(o)) out[`out_${k}`] = (out[`out_${k}`] ?? 0) + v;
  }
  return out;
}

/** mcr: one process, one rule per path, all of a path's outputs in that rule. */
export function mcrRelay(backend: 'io_uring' | 'syscalls', workers = 1): RelayKind {
  return {
    id: `mcr-${backend === 'io_uring' ? 'uring' : 'syscalls'}-${workers}w`,
    label: `mcr, ${workers} worker${workers > 1 ? 's' : ''}, ${backend}`,
    note: 'one process; one rule per stream, every output of a stream in its rule',
    rewrites: true,
    forwardsIn: 'processes',
    async install(_host, ns, paths) {
      const relay = await startRelay(ns, { backend, workers });
      try {
        if (relay.info.backend !== backend) throw new Error(`asked for ${backend}, got ${relay.info.backend}: ${relay.info.fallbackReason}`);
        const rules = paths.map((p, i) =>
          rule(`s${i}`, `${p.input.iface} ${p.group}:${PORT}`, ...p.outputs.map((o) => `${o.via.iface} ${o.group}:${PORT}`)),
        );
        const status = await relay.apply(...rules);
        const idle = status.filter((r) => r.state !== 'active' || r.outputs.some((o) => o.state !== 'active'));
        if (idle.length > 0 || status.length !== paths.length) throw new Error(`mcr rules not all active: ${JSON.stringify(idle).slice(0, 500)}`);
      } catch (error) {
        await relay.close();
        throw error;
      }
      return {
        pids: () => namespacePids(ns),
        counters: async () => flatCounters(await relay.counters()),
        close: async () => void (await relay.close()),
      };
    },
  };
}

/** Stops spawned relays and waits for them, whatever state they are in. */
async function stopAll(children: ReturnType<Netns['spawn']>[]): Promise<void> {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children);
}

/**
 * socat: one process per stream and output, as people use it (socat has no 1:N). Each
 * joins its input group; IP_MULTICAST_ALL off, or every socket on the port would also
 * get the groups the others joined.
 */
export function socatRelay(): RelayKind {
  return {
    id: 'socat',
    label: 'socat (UDP4-RECV -> UDP4-SENDTO)',
    note: 'one process per stream and per output; SO_RCVBUFFORCE 16 MiB each, IP_MULTICAST_ALL off, multicast loop off',
    rewrites: true,
    forwardsIn: 'processes',
    async install(_host, ns, paths) {
      const children = paths.flatMap((p) =>
        p.outputs.map((o) => {
          const recv = [
            `UDP4-RECV:${PORT}`,
            `ip-add-membership=${p.group}:${p.input.address}`,
            'reuseaddr',
            `setsockopt-listen=1:33:x${littleEndianHex(RCVBUF)}`,
            // IPPROTO_IP(0) IP_MULTICAST_ALL(49) = 0
            'setsockopt-listen=0:49:x00000000',
          ].join(',');
          const send = [`UDP4-SENDTO:${o.group}:${PORT}`, `ip-multicast-if=${o.via.address}`, 'ip-multicast-ttl=8', 'ip-multicast-loop=0'].join(',');
          return ns.spawn('socat', ['-u', recv, send], { timeoutMs: 3_600_000 });
        }),
      );
      try {
        await Promise.all(children.map((child, i) => expectAlive(`socat #${i + 1}`, child)));
      } catch (error) {
        await stopAll(children);
        throw error;
      }
      return { pids: () => namespacePids(ns), close: () => stopAll(children) };
    },
  };
}

/** The kernel's limit on multicast VIFs per namespace (MAXVIFS in linux/mroute.h). */
export const MAX_VIFS = 32;

/** (S,G) → output interfaces, as `ip mroute show` lists them. */
async function kernelRoutes(ns: Netns): Promise<Map<string, string[]>> {
  const routes = new Map<string, string[]>();
  for (const line of (await ns.ip('mroute', 'show')).split('\n')) {
    const match = /^\(([\d.]+),\s*([\d.]+)\)\s+Iif: \S+\s+Oifs:\s*(.*?)\s+State/.exec(line.trim());
    if (match) routes.set(`${match[1]},${match[2]}`, (match[3] ?? '').split(/\s+/).filter(Boolean));
  }
  return routes;
}

/**
 * Kernel multicast routing through smcroute: one smcrouted, one static (S,G) route per
 * path. Needs one VIF per interface, and the kernel has 32: a setup needing more fails
 * with what the kernel and smcroute did (recorded by the scenario, not fatal).
 */
export function kernelRelay(): RelayKind {
  return {
    id: 'kernel',
    label: 'kernel multicast routing (smcroute)',
    note: 'one smcrouted, one static (S,G) route per stream; cannot rewrite groups: receivers join the input group',
    rewrites: false,
    forwardsIn: 'softirq',
    async install(host, ns, paths) {
      await ns.sysctl({ 'net.ipv4.ip_forward': 1 });
      const ifaces = [...new Set(paths.flatMap((p) => [p.input.iface, ...p.outputs.map((o) => o.via.iface)]))];
      const dir = mkdtempSync(join(tmpdir(), 'mcr-bench-smcroute-'));
      host.teardown(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(
        join(dir, 'smcroute.conf'),
        [
          ...ifaces.map((iface) => `phyint ${iface} enable`),
          ...paths.map((p) => `mroute from ${p.input.iface} source ${p.source} group ${p.group} to ${p.outputs.map((o) => o.via.iface).join(' ')}`),
          '',
        ].join('\n'),
      );
      const ident = `mcr-bench-${process.pid}-${Date.now()}`;
      const child = ns.spawn(
        'smcrouted',
        ['-n', '-N', '-f', join(dir, 'smcroute.conf'), '-i', ident, '-u', join(dir, 'sock'), '-P', join(dir, 'pid'), '-l', 'notice'],
        { timeoutMs: 3_600_000 },
      );
      let exited: Awaited<typeof child> | null = null;
      void child.then((result) => (exited = result));
      const complete = (routes: Map<string, string[]>) =>
        paths.every((p) => (routes.get(`${p.source},${p.group}`)?.length ?? 0) === p.outputs.length);
      let routes = new Map<string, string[]>();
      for (let i = 0; i < 50 && !exited; i += 1) {
        routes = await kernelRoutes(ns);
        if (complete(routes)) break;
        await sleep(100);
      }
      if (exited || !complete(routes)) {
        // Read before stopping smcrouted: its exit closes the kernel's table.
        const vifs = (await ns.run('cat', ['/proc/net/ip_mr_vif'])).stdout.split('\n').length - 1;
        child.kill('SIGTERM');
        const end = await child;
        const widest = Math.max(0, ...[...routes.values()].map((oifs) => oifs.length));
        const wanted = Math.max(...paths.map((p) => p.outputs.length));
        const state = exited ? `smcrouted exited (${end.signal ?? end.exitCode})` : 'smcrouted ran on';
        const said = String(end.stderr ?? '').split('\n').filter((l) => /error|fail|vif|limit|abort|fault/i.test(l))
          // Without smcrouted's "ident[pid]: " prefix; the first complaint says it.
          .map((l) => l.replace(/^\S+\[\d+\]: /, ''))
          .slice(0, 1)
          .join('');
        throw new Error(
          `${ifaces.length} interfaces need ${ifaces.length} VIFs, the kernel allows ${MAX_VIFS}: ` +
            // Once smcrouted has exited, its VIFs are gone with it: the count means nothing.
            `${exited ? '' : `${vifs} VIFs made, `}the route has ${widest} of ${wanted} outputs; ${state}${said ? `: ${said}` : ''}`,
        );
      }
      return {
        pids: () => namespacePids(ns),
        async close() {
          child.kill('SIGTERM');
          await child;
          await ns.sysctl({ 'net.ipv4.ip_forward': 0 });
        },
      };
    },
  };
}

/** The relay kinds by id, for the scenarios' --systems. */
export const RELAY_KINDS: Record<string, () => RelayKind> = {
  kernel: kernelRelay,
  socat: socatRelay,
  'mcr-uring-1w': () => mcrRelay('io_uring', 1),
  'mcr-uring-2w': () => mcrRelay('io_uring', 2),
  'mcr-syscalls-1w': () => mcrRelay('syscalls', 1),
};
