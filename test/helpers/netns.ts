// Network namespaces for integration tests: a Lab creates uniquely named namespaces
// (mcrt-<pid>-<lab>-<label>), wires them with veth pairs, bridges and routes in a few
// `ip -batch` calls, runs commands and processes inside them, and removes all of it when
// the test ends, when it fails, and when the process exits. Every interface lives in a
// namespace the Lab created; nothing here touches the host's own interfaces, so test
// traffic cannot leave. Ready-made topologies are in the second half of this file.
import { execa, type ResultPromise } from 'execa';
import { processRuns } from '../../src/daemon/leftovers.js';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

export const NS_PREFIX = 'mcrt-';
const NETNS_DIR = '/run/netns';

/** Why namespace tests cannot run here, or false when they can. */
export function rootSkipReason(): string | false {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces (run the tests as root)';
  return false;
}

/** Namespaces whose names start with prefix (default: every one a test made). */
export function listNamespaces(prefix = NS_PREFIX): string[] {
  try {
    return readdirSync(NETNS_DIR).filter((name) => name.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}

type Spawned = ResultPromise<{ reject: false }>;
interface TeardownHost {
  teardown(fn: () => unknown): void;
}

/** Kills what still runs inside the namespaces, then deletes them. Synchronous, for exit. */
function removeNamespacesSync(names: readonly string[]): void {
  for (const name of names) {
    const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (names.length > 0) {
    spawnSync('ip', ['-force', '-batch', '-'], { input: names.map((name) => `netns del ${name}\n`).join('') });
  }
}

/**
 * Deletes namespaces that runs of the tests left behind: those named after a process
 * that no longer exists (a test killed before its teardown). Live processes' namespaces,
 * such as a test file running in parallel, are left alone.
 */
export function sweepStaleNamespaces(): string[] {
  const stale = listNamespaces().filter((name) => {
    const pid = Number(/^mcrt-(\d+)-/.exec(name)?.[1]);
    return Number.isInteger(pid) && pid !== process.pid && !processRuns(pid);
  });
  removeNamespacesSync(stale);
  return stale;
}

const liveLabs = new Set<Lab>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill and delete with spawnSync.
  process.on('exit', () => {
    for (const lab of liveLabs) lab.destroySync();
  });
}

export interface VethEnd {
  ns: Netns;
  name: string;
  /** CIDR, e.g. "10.1.0.1/24". */
  address?: string;
  mtu?: number;
  /** A bridge in the same namespace to enslave this end to. */
  master?: string;
}

export interface BridgeSpec {
  ns: Netns;
  name: string;
  address?: string;
  /** IGMP snooping; the kernel's default (on) unless false. */
  snooping?: boolean;
}

export interface RouteSpec {
  ns: Netns;
  to: string;
  dev?: string;
  via?: string;
}

export interface WireSpec {
  bridges?: BridgeSpec[];
  veths?: [VethEnd, VethEnd][];
  routes?: RouteSpec[];
}

/** What `ip -j addr` says about one interface. */
export interface LinkState {
  name: string;
  adminUp: boolean;
  operstate: string;
  mtu: number;
  mac: string;
  master?: string;
  addresses: string[];
}

function checkIfname(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new Error(`bad interface name "${name}" (1 to 15 characters)`);
}

/** Runs commands in parallel, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  });
  await Promise.all(workers);
}

async function ipBatch(lines: readonly string[], ns?: string): Promise<void> {
  if (lines.length === 0) return;
  const args = [...(ns ? ['-n', ns] : []), '-batch', '-'];
  const result = await execa('ip', args, { input: lines.join('\n') + '\n', reject: false, timeout: 60_000 });
  if (result.exitCode !== 0) {
    throw new Error(`ip ${args.join(' ')} failed (${result.exitCode}): ${result.stderr}\n${lines.join('\n')}`);
  }
}

export class Netns {
  constructor(
    readonly name: string,
    readonly label: string,
    private readonly lab: Lab,
  ) {}

  /** `ip -n NS ARGS...`; throws with ip's message on failure, else returns stdout. */
  async ip(...args: string[]): Promise<string> {
    const result = await execa('ip', ['-n', this.name, ...args], { reject: false, timeout: 30_000 });
    if (result.exitCode !== 0) throw new Error(`ip -n ${this.name} ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  }

  batch(lines: readonly string[]): Promise<void> {
    return ipBatch(lines, this.name);
  }

  /** Runs a command inside the namespace to completion (never rejects; check exitCode). */
  run(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}) {
    return execa('ip', ['netns', 'exec', this.name, command, ...args], {
      reject: false,
      timeout: options.timeoutMs ?? 30_000,
      ...(options.input === undefined ? {} : { input: options.input }),
    });
  }

  /** Starts a process inside the namespace; the Lab kills it at teardown if still running. */
  spawn(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Spawned {
    const child = execa('ip', ['netns', 'exec', this.name, command, ...args], {
      reject: false,
      timeout: options.timeoutMs ?? 120_000,
      ...(options.input === undefined ? {} : { input: options.input }),
    });
    this.lab.track(child);
    return child;
  }

  async sysctl(settings: Record<string, string | number>): Promise<void> {
    const pairs = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
    const result = await this.run('sysctl', ['-q', '-w', ...pairs]);
    if (result.exitCode !== 0) throw new Error(`sysctl in ${this.name}: ${result.stderr}`);
  }

  async links(): Promise<LinkState[]> {
    type Raw = {
      ifname: string;
      flags: string[];
      mtu: number;
      operstate: string;
      address?: string;
      master?: string;
      addr_info?: { family: string; local: string; prefixlen: number }[];
    };
    const raw = JSON.parse(await this.ip('-j', 'addr', 'show')) as Raw[];
    return raw.map((link) => ({
      name: link.ifname,
      adminUp: link.flags.includes('UP'),
      operstate: link.operstate,
      mtu: link.mtu,
      mac: link.address ?? '',
      ...(link.master === undefined ? {} : { master: link.master }),
      addresses: (link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
    }));
  }

  /**
   * Waits until each named link has carrier and, if it is a bridge port, forwards.
   * Carrier changes reach the bridge through the kernel's linkwatch, up to a second
   * late, and a port drops frames until then: traffic sent earlier would vanish.
   */
  async waitForwarding(names: readonly string[], timeoutMs = 10_000): Promise<void> {
    type Raw = { ifname: string; operstate: string; linkinfo?: { info_slave_kind?: string; info_slave_data?: { state?: string } } };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const links = JSON.parse(await this.ip('-j', '-d', 'link', 'show')) as Raw[];
      const pending = names.filter((name) => {
        const link = links.find((l) => l.ifname === name);
        if (link?.operstate !== 'UP') return true;
        return link.linkinfo?.info_slave_kind === 'bridge' && link.linkinfo.info_slave_data?.state !== 'forwarding';
      });
      if (pending.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${this.name}: ${pending.join(', ')} not up and forwarding after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async mac(iface: string): Promise<string> {
    const link = (await this.links()).find((l) => l.name === iface);
    if (!link) throw new Error(`no interface ${iface} in ${this.name}`);
    return link.mac;
  }
}

export class Lab {
  private static count = 0;
  readonly id: string;
  private readonly names: string[] = [];
  private readonly children = new Set<Spawned>();

  private constructor() {
    Lab.count += 1;
    this.id = `${NS_PREFIX}${process.pid}-${Lab.count}`;
  }

  /** A Lab torn down by `host.teardown` (tap's t.teardown) and, failing that, at exit. */
  static create(host: TeardownHost): Lab {
    sweepStaleNamespaces();
    installExitHook();
    const lab = new Lab();
    liveLabs.add(lab);
    host.teardown(() => lab.destroy());
    return lab;
  }

  /** Creates one namespace per label, loopback up, in two `ip` runs whatever the count. */
  async namespaces(...labels: string[]): Promise<Netns[]> {
    const spaces = labels.map((label) => {
      if (!/^[a-z0-9-]{1,24}$/.test(label)) throw new Error(`bad namespace label "${label}"`);
      const name = `${this.id}-${label}`;
      if (this.names.includes(name)) throw new Error(`namespace label "${label}" used twice`);
      return new Netns(name, label, this);
    });
    this.names.push(...spaces.map((ns) => ns.name));
    await ipBatch(spaces.map((ns) => `netns add ${ns.name}`));
    // `ip -all netns exec` would reach other tests' namespaces too: one call each.
    await inParallel(spaces, 8, (ns) => ns.ip('link', 'set', 'lo', 'up'));
    return spaces;
  }

  /** Creates bridges and veth pairs, then addresses them, brings them up, adds routes. */
  async wire(spec: WireSpec): Promise<void> {
    const create = new Map<Netns, string[]>();
    const configure = new Map<Netns, string[]>();
    const add = (map: Map<Netns, string[]>, ns: Netns, line: string) => map.set(ns, [...(map.get(ns) ?? []), line]);
    for (const bridge of spec.bridges ?? []) {
      checkIfname(bridge.name);
      const snooping = bridge.snooping === false ? ' mcast_snooping 0' : '';
      add(create, bridge.ns, `link add ${bridge.name} type bridge${snooping}`);
      if (bridge.address) add(configure, bridge.ns, `addr add ${bridge.address} dev ${bridge.name}`);
      add(configure, bridge.ns, `link set ${bridge.name} up`);
    }
    for (const [a, b] of spec.veths ?? []) {
      checkIfname(a.name);
      checkIfname(b.name);
      const mtu = (end: VethEnd) => (end.mtu ? ` mtu ${end.mtu}` : '');
      // Created directly in both namespaces: the pair never exists in the host's.
      add(create, a.ns, `link add ${a.name}${mtu(a)} type veth peer name ${b.name}${mtu(b)} netns ${b.ns.name}`);
      for (const end of [a, b]) {
        if (end.master) add(configure, end.ns, `link set ${end.name} master ${end.master}`);
        if (end.address) add(configure, end.ns, `addr add ${end.address} dev ${end.name}`);
        add(configure, end.ns, `link set ${end.name} up`);
      }
    }
    for (const route of spec.routes ?? []) {
      const via = route.via ? ` via ${route.via}` : '';
      const dev = route.dev ? ` dev ${route.dev}` : '';
      add(configure, route.ns, `route add ${route.to}${via}${dev}`);
    }
    await inParallel([...create], 8, ([ns, lines]) => ns.batch(lines));
    await inParallel([...configure], 8, ([ns, lines]) => ns.batch(lines));
    const expected = new Map<Netns, string[]>();
    for (const end of (spec.veths ?? []).flat()) expected.set(end.ns, [...(expected.get(end.ns) ?? []), end.name]);
    await inParallel([...expected], 8, ([ns, names]) => ns.waitForwarding(names));
  }

  /** @internal Netns.spawn registers its processes here. */
  track(child: Spawned): void {
    this.children.add(child);
    void child.finally(() => this.children.delete(child));
  }

  /** Kills this Lab's processes and deletes its namespaces (their veths go with them). */
  async destroy(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all([...this.children]);
    this.destroySync();
  }

  /** @internal The synchronous teardown, also used by the exit hook. */
  destroySync(): void {
    for (const child of this.children) child.kill('SIGKILL');
    const existing = new Set(listNamespaces(`${this.id}-`));
    removeNamespacesSync(this.names.filter((name) => existing.has(name)));
    liveLabs.delete(this);
  }
}

// ---- Ready-made topologies -------------------------------------------------------
// Addresses: the relay is .1 on every subnet, the far end .2. Endpoints get a default
// route through the relay and a 224.0.0.0/4 route on their one interface, so a sink's
// IGMP join and a sender without --interface both find the link. The relay gets no
// routes: it must say which interface it sends on (IP_MULTICAST_IF).

/** One interface of a topology: where it is, its name, its address (no prefix). */
export interface Endpoint {
  ns: Netns;
  iface: string;
  address: string;
}

export interface Chain {
  src: Endpoint;
  relay: Netns;
  /** The relay's leg toward src (10.1.0.1/24) and toward rx (10.2.0.1/24). */
  in0: Endpoint;
  out0: Endpoint;
  rx: Endpoint;
}

export interface Fanout {
  src: Endpoint;
  relay: Netns;
  in0: Endpoint;
  /** outs[i] is the relay's leg outI; rxs[i] the receiver behind it. */
  outs: Endpoint[];
  rxs: Endpoint[];
}

export interface DualBridge {
  src: Endpoint;
  relay: Netns;
  /** The relay's leg on bridge A (10.3.0.1/24) and on bridge B (10.4.0.1/24). */
  in0: Endpoint;
  out0: Endpoint;
  rx: Endpoint;
  /** The namespace holding both bridges, br-a and br-b, and nothing else. */
  switch: Netns;
}

interface Leg {
  a: Endpoint & { master?: string };
  b: Endpoint & { master?: string };
  prefix: number;
  mtu?: number;
}

function legVeth(leg: Leg): [VethEnd, VethEnd] {
  const end = (e: Endpoint & { master?: string }): VethEnd => ({
    ns: e.ns,
    name: e.iface,
    ...(e.address ? { address: `${e.address}/${leg.prefix}` } : {}),
    ...(leg.mtu ? { mtu: leg.mtu } : {}),
    ...(e.master ? { master: e.master } : {}),
  });
  return [end(leg.a), end(leg.b)];
}

function endpointRoutes(end: Endpoint, gateway: string): RouteSpec[] {
  return [
    { ns: end.ns, to: '224.0.0.0/4', dev: end.iface },
    { ns: end.ns, to: 'default', via: gateway },
  ];
}

export interface TopologyOptions {
  /** MTU of every veth (default the kernel's, 1500). */
  mtu?: number;
}

/** src —veth— relay —veth— rx. */
export async function chain(lab: Lab, options: TopologyOptions = {}): Promise<Chain> {
  const [srcNs, relay, rxNs] = (await lab.namespaces('src', 'relay', 'rx')) as [Netns, Netns, Netns];
  const src = { ns: srcNs, iface: 'eth0', address: '10.1.0.2' };
  const in0 = { ns: relay, iface: 'in0', address: '10.1.0.1' };
  const out0 = { ns: relay, iface: 'out0', address: '10.2.0.1' };
  const rx = { ns: rxNs, iface: 'eth0', address: '10.2.0.2' };
  const mtu = options.mtu ? { mtu: options.mtu } : {};
  await lab.wire({
    veths: [legVeth({ a: in0, b: src, prefix: 24, ...mtu }), legVeth({ a: out0, b: rx, prefix: 24, ...mtu })],
    routes: [...endpointRoutes(src, in0.address), ...endpointRoutes(rx, out0.address)],
  });
  return { src, relay, in0, out0, rx };
}

/** The subnet of fan-out leg i: 10.128.0.0/24, 10.128.1.0/24, ... 10.129.0.0/24 ... */
function fanoutSubnet(i: number): string {
  return `10.${128 + Math.floor(i / 256)}.${i % 256}`;
}

/** src —veth— relay, and one veth from the relay (outI) to each of n receivers (rxI). */
export async function fanout(lab: Lab, n: number, options: TopologyOptions = {}): Promise<Fanout> {
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new Error(`fanout needs 1 to 4096 receivers, got ${n}`);
  const receivers = Array.from({ length: n }, (_, i) => `rx${i}`);
  const [srcNs, relay, ...rxNs] = await lab.namespaces('src', 'relay', ...receivers);
  if (!srcNs || !relay) throw new Error('namespaces missing');
  const src = { ns: srcNs, iface: 'eth0', address: '10.1.0.2' };
  const in0 = { ns: relay, iface: 'in0', address: '10.1.0.1' };
  const outs = rxNs.map((_, i) => ({ ns: relay, iface: `out${i}`, address: `${fanoutSubnet(i)}.1` }));
  const rxs = rxNs.map((ns, i) => ({ ns, iface: 'eth0', address: `${fanoutSubnet(i)}.2` }));
  const mtu = options.mtu ? { mtu: options.mtu } : {};
  await lab.wire({
    veths: [
      legVeth({ a: in0, b: src, prefix: 24, ...mtu }),
      ...outs.map((out, i) => legVeth({ a: out, b: rxs[i] as Endpoint, prefix: 24, ...mtu })),
    ],
    routes: [...endpointRoutes(src, in0.address), ...rxs.flatMap((rx, i) => endpointRoutes(rx, (outs[i] as Endpoint).address))],
  });
  return { src, relay, in0, outs, rxs };
}

/**
 * Two bridges that share no path (br-a, br-b, in their own namespace, no addresses),
 * the relay with one leg on each, src behind bridge A and rx behind bridge B.
 */
export async function dualBridge(lab: Lab, options: TopologyOptions & { snooping?: boolean } = {}): Promise<DualBridge> {
  const [srcNs, relay, rxNs, sw] = (await lab.namespaces('src', 'relay', 'rx', 'switch')) as [Netns, Netns, Netns, Netns];
  const src = { ns: srcNs, iface: 'eth0', address: '10.3.0.2' };
  const in0 = { ns: relay, iface: 'in0', address: '10.3.0.1' };
  const out0 = { ns: relay, iface: 'out0', address: '10.4.0.1' };
  const rx = { ns: rxNs, iface: 'eth0', address: '10.4.0.2' };
  const port = (iface: string, master: string) => ({ ns: sw, iface, address: '', master });
  const mtu = options.mtu ? { mtu: options.mtu } : {};
  const snooping = options.snooping === undefined ? {} : { snooping: options.snooping };
  await lab.wire({
    bridges: [
      { ns: sw, name: 'br-a', ...snooping },
      { ns: sw, name: 'br-b', ...snooping },
    ],
    veths: [
      legVeth({ a: src, b: port('a-src', 'br-a'), prefix: 24, ...mtu }),
      legVeth({ a: in0, b: port('a-relay', 'br-a'), prefix: 24, ...mtu }),
      legVeth({ a: out0, b: port('b-relay', 'br-b'), prefix: 24, ...mtu }),
      legVeth({ a: rx, b: port('b-rx', 'br-b'), prefix: 24, ...mtu }),
    ],
    routes: [...endpointRoutes(src, in0.address), ...endpointRoutes(rx, out0.address)],
  });
  return { src, relay, in0, out0, rx, switch: sw };
}
