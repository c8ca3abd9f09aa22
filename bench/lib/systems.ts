// The systems a bench compares and how each is set up: a RelayKind installs one system
// on a relay namespace for given paths (streams and their outputs); onChain gives it a
// fresh one-hop chain (a Rig: where to send from, where to receive, whose CPU to
// count). Here: the shared types, socat, the plain recvmmsg/sendmmsg baseline and no
// relay at all; mcr, the kernel fast path (nft) and kernel multicast routing (smcroute)
// have their own files, and registry.ts names them all.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Endpoint } from '../../src/netns/endpoints.js';
import { Lab } from '../../src/netns/lab.js';
import type { Netns } from '../../src/netns/namespace.js';
import { chain, direct, type Chain } from '../../src/netns/topologies.js';
import { NOT_INSTALLED, type Availability } from './availability.js';
import { commandFound } from './probes.js';
import { IN_GROUP, IN_GROUP6, OUT_GROUP, OUT_GROUP6, PORT } from './constants.js';
import { IPV6_SUFFIX } from './system-ids.js';
import type { ScriptHost } from './host.js';

export { IN_GROUP, OUT_GROUP, PORT };

export interface Rig {
  src: Endpoint;
  rx: Endpoint;
  /** The group the generator sends to: IN_GROUP (IN_GROUP6 for an IPv6 variant). */
  srcGroup: string;
  /** The group the sink joins: OUT_GROUP, or IN_GROUP where the relay cannot rewrite it. */
  rxGroup: string;
  /**
   * Where the relay runs: in this namespace's processes; in softirq (the kernel's ways,
   * which have no process); or nowhere (no relay).
   */
  cpu: { kind: 'process'; ns: Netns } | { kind: 'softirq' } | { kind: 'none' };
  /** The relay's namespace and input interface, whose receive work goes to the relay's CPU. */
  ingress?: { ns: Netns; iface: string };
  /** Relay-side counters, for explaining losses (mcr only). */
  counters?(): Promise<Record<string, number>>;
  /** RTP-MPEG-TS traffic (mcr gen --payload rtp-mpegts, 1,328 B whatever the size). */
  media?: 'rtp-mpegts';
  close(): Promise<void>;
}

export interface System {
  id: string;
  label: string;
  note?: string;
  /** Whether it can run on this machine and build; absent: always. */
  availability?(): Availability;
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

/** A relay that is one process (the baseline) in the chain's relay namespace. */
async function processRig(lab: Lab, c: Chain, what: string, child: ReturnType<Netns['spawn']>): Promise<Rig> {
  await expectAlive(what, child);
  return {
    src: c.src,
    rx: c.rx,
    srcGroup: IN_GROUP,
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

/** The receive buffer given to socat and the baseline: the size of mcr's ingress ring. */
const RCVBUF = 16 << 20;

function littleEndianHex(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32LE(value);
  return bytes.toString('hex');
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
      return { src: d.src, rx: d.rx, srcGroup: IN_GROUP, rxGroup: IN_GROUP, cpu: { kind: 'none' }, close: () => lab.destroy() };
    },
  };
}

// ---- Relays installed on a given namespace ---------------------------------------
// A Path is one input stream and where the relay sends it; every system gets the same
// paths (one that cannot rewrite keeps the input group).

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
  /** The relay's processes now (smcroute's: smcrouted, which only installs routes; nft: none). */
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
  /** Where the forwarding runs: in the relay's processes, or in softirq (the kernel's ways). */
  forwardsIn: 'processes' | 'softirq';
  /** Whether it can run on this machine and build; absent: always. */
  availability?(): Availability;
  /** One process per output (socat): the widest fan-outs are not run with it. */
  processPerOutput?: boolean;
  /** The traffic it is measured with: RTP-MPEG-TS (1,328 B) instead of the test payload. */
  media?: 'rtp-mpegts';
  install(host: ScriptHost, ns: Netns, paths: readonly Path[]): Promise<Installed>;
}

/** What a receiver of a path's output must join: the output group, or the input's. */
export function joinedGroup(kind: RelayKind, path: Path, output: PathOutput): string {
  return kind.rewrites ? output.group : path.group;
}

/**
 * A RelayKind set up on a fresh chain with its one path (in0 IN_GROUP -> out0
 * OUT_GROUP), as the one-stream scenarios measure it; with `ipv6`, the chain has IPv6
 * and the stream is IN_GROUP6 -> OUT_GROUP6 from the sender's IPv6 address.
 */
export function onChain(kind: RelayKind, options: { ipv6?: boolean } = {}): System {
  const ipv6 = options.ipv6 === true;
  return {
    id: ipv6 ? `${kind.id}${IPV6_SUFFIX}` : kind.id,
    label: ipv6 ? `${kind.label}, IPv6` : kind.label,
    ...(kind.note ? { note: kind.note } : {}),
    ...(kind.availability ? { availability: kind.availability } : {}),
    async setup(host) {
      const lab = Lab.create(host);
      const c = await chain(lab, { ipv6 });
      const path: Path = ipv6
        ? { input: c.in0, source: c.src.address6 ?? '', group: IN_GROUP6, outputs: [{ via: c.out0, group: OUT_GROUP6 }] }
        : { input: c.in0, source: c.src.address, group: IN_GROUP, outputs: [{ via: c.out0, group: OUT_GROUP }] };
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
        srcGroup: path.group,
        rxGroup: joinedGroup(kind, path, path.outputs[0] as PathOutput),
        cpu: kind.forwardsIn === 'softirq' ? { kind: 'softirq' } : { kind: 'process', ns: c.relay },
        ingress: { ns: c.relay, iface: c.in0.iface },
        ...(installed.counters ? { counters: installed.counters } : {}),
        ...(kind.media ? { media: kind.media } : {}),
        async close() {
          await installed.close();
          await lab.destroy();
        },
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
    processPerOutput: true,
    availability: () => (commandFound('socat') ? { ok: true } : { ok: false, reason: NOT_INSTALLED, detail: 'socat not found (apt-get install socat)' }),
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
