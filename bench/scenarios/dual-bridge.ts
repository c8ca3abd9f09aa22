// Scenario 6: the dual-bridge topology, delivery counted at the receiver. Two layouts:
// (a) separate namespaces (src on bridge A, the relay with a leg on each bridge, rx on
// bridge B: src/netns/topologies.ts dualBridge); (b) every endpoint in one namespace, the
// reference relay's layout, with and without net.ipv4.conf.all.accept_local. Beside what
// the receiver's socket got, the interface counters say where datagrams stopped: sent out
// of the relay's leg on bridge B, arrived at the receiver's interface, delivered.
import { Lab } from '../../src/netns/lab.js';
import type { Netns } from '../../src/netns/namespace.js';
import { dualBridge } from '../../src/netns/topologies.js';
import { runGen, startSink } from '../../harness/traffic.js';
import { oneNamespaceDualBridge } from '../lib/one-namespace.js';
import { linkPackets, startRelayOn, type Legs, type RelayKind } from '../lib/relay-on.js';
import { markdownTable } from '../lib/report.js';
import type { HeadlineRow, Scenario } from '../lib/scenario.js';
import type { ScriptHost } from '../lib/host.js';
import { probes } from '../lib/probes.js';

const IN_GROUP = '239.1.1.1';
const OUT_GROUP = '239.2.2.2';
const PORT = 5000;
const SIZE = 256;

type Layout = 'separate' | 'one-namespace' | 'one-namespace-accept-local';
const LAYOUTS: Layout[] = ['separate', 'one-namespace', 'one-namespace-accept-local'];
const LAYOUT_TEXT: Record<Layout, string> = {
  separate: 'separate namespaces',
  'one-namespace': 'one namespace',
  'one-namespace-accept-local': 'one namespace, accept_local = 1',
};

/**
 * The relays this scenario runs, by the id its results use: mcr (one worker, the build's
 * default egress; run when any mcr system is asked for), socat, kernel multicast
 * routing, and no relay.
 */
const SYSTEMS: Record<string, RelayKind | 'none'> = { mcr: 'mcr', socat: 'socat', smcroute: 'kernel', none: 'none' };

export interface DeliveryTrial {
  sent: number;
  /** Packets the relay sent out of its leg on bridge B (IGMP reports included: a few). */
  relayOut: number;
  /** Packets that arrived at the receiver's interface. */
  arrived: number;
  /** Distinct datagrams the receiver's socket got (duplicates not counted). */
  delivered: number;
  duplicated: number;
  socketDrops: number | null;
}

export interface DeliveryCase {
  layout: Layout;
  system: string;
  /** The group the receiver joined. */
  rxGroup: string;
  error?: string;
  trials: DeliveryTrial[];
}

export interface DualBridgeResult {
  settings: { rate: number; seconds: number; size: number; reps: number };
  /** rp_filter in the one-namespace layout (all, default), recorded because it matters. */
  rpFilter: string;
  cases: DeliveryCase[];
}

interface Topology {
  lab: Lab;
  srcNs: Netns;
  srcIface: string;
  rxNs: Netns;
  rxIface: string;
  legs: Omit<Legs, 'inGroup' | 'outGroup' | 'port'>;
}

async function build(host: ScriptHost, layout: Layout): Promise<Topology> {
  const lab = Lab.create(host);
  if (layout === 'separate') {
    const d = await dualBridge(lab);
    return {
      lab,
      srcNs: d.src.ns,
      srcIface: d.src.iface,
      rxNs: d.rx.ns,
      rxIface: d.rx.iface,
      legs: { ns: d.relay, inIface: d.in0.iface, inAddress: d.in0.address, outIface: d.out0.iface, outAddress: d.out0.address, source: d.src.address },
    };
  }
  const o = await oneNamespaceDualBridge(lab);
  if (layout === 'one-namespace-accept-local') await o.ns.sysctl({ 'net.ipv4.conf.all.accept_local': 1 });
  return {
    lab,
    srcNs: o.ns,
    srcIface: o.src.iface,
    rxNs: o.ns,
    rxIface: o.rx.iface,
    legs: { ns: o.ns, inIface: o.in0.iface, inAddress: o.in0.address, outIface: o.out0.iface, outAddress: o.out0.address, source: o.src.address },
  };
}

async function measure(t: Topology, rxGroup: string, rate: number, seconds: number): Promise<DeliveryTrial> {
  const count = Math.round(rate * seconds);
  // No `expect`: duplicates would count toward it and stop the sink early. It stops 1 s
  // after the last datagram, or at the limit if a relay keeps sending (socat looping).
  const sink = await startSink(t.rxNs, { group: rxGroup, port: PORT, interface: t.rxIface, idleTimeout: 1, durationLimit: Math.ceil(seconds + 3) });
  const outBefore = await linkPackets(t.legs.ns, t.legs.outIface);
  const rxBefore = await linkPackets(t.rxNs, t.rxIface);
  const gen = await runGen(t.srcNs, { group: IN_GROUP, port: PORT, interface: t.srcIface, count, rate, size: SIZE, ttl: 8, durationLimit: Math.ceil(seconds * 2 + 2) });
  const report = await sink.report;
  const outAfter = await linkPackets(t.legs.ns, t.legs.outIface);
  const rxAfter = await linkPackets(t.rxNs, t.rxIface);
  return {
    sent: gen.sent,
    relayOut: outAfter.tx - outBefore.tx,
    arrived: rxAfter.rx - rxBefore.rx,
    delivered: report.received - report.duplicated,
    duplicated: report.duplicated,
    socketDrops: report.socket_drops,
  };
}

async function runCase(host: ScriptHost, layout: Layout, system: string, o: DualBridgeResult['settings'], log: (l: string) => void): Promise<DeliveryCase> {
  const kind = SYSTEMS[system] as RelayKind | 'none';
  const result: DeliveryCase = { layout, system, rxGroup: kind === 'none' || kind === 'kernel' ? IN_GROUP : OUT_GROUP, trials: [] };
  // Kernel routing where the kernel has none is reported as such, not set up to fail.
  const mroute = kind === 'kernel' ? probes.mroute() : null;
  if (mroute && !mroute.ok) {
    result.error = `${mroute.reason}: ${mroute.detail}`;
    return result;
  }
  const t = await build(host, layout);
  try {
    const relay = kind === 'none' ? null : await startRelayOn(kind, { ...t.legs, inGroup: IN_GROUP, outGroup: OUT_GROUP, port: PORT }, host);
    for (let rep = 0; rep < o.reps; rep += 1) {
      const trial = await measure(t, result.rxGroup, o.rate, o.seconds);
      log(`[dual-bridge ${layout} ${system}] sent ${trial.sent} relay-out ${trial.relayOut} arrived ${trial.arrived} delivered ${trial.delivered}`);
      result.trials.push(trial);
    }
    await relay?.close();
  } catch (error) {
    if (host.stopped) throw error;
    result.error = error instanceof Error ? error.message : String(error);
    log(`[dual-bridge ${layout} ${system}] ${result.error}`);
  } finally {
    await t.lab.destroy();
  }
  return result;
}

export function deliveredShare(c: DeliveryCase): number | null {
  const sent = c.trials.reduce((n, t) => n + t.sent, 0);
  return sent > 0 ? c.trials.reduce((n, t) => n + t.delivered, 0) / sent : null;
}

const percent = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(share > 0 && share < 0.999 ? 1 : 0)} %`);

const NAMES: Record<string, string> = { mcr: 'mcr (1 worker, default egress)', socat: 'socat', smcroute: 'kernel routing (smcroute)', none: 'no relay (control)' };

/** Why a case delivered what it did, from the counters and the layout. */
function explain(c: DeliveryCase): string {
  if (c.error) return c.error;
  const share = deliveredShare(c);
  const total = (key: keyof DeliveryTrial) => c.trials.reduce((n, t) => n + Number(t[key] ?? 0), 0);
  const sent = total('sent');
  if (c.system === 'none') return share === 0 ? 'nothing crosses between the bridges without a relay (as it should)' : 'datagrams crossed without a relay';
  const dups = total('duplicated');
  if (dups > 0 && c.system === 'socat' && c.layout !== 'separate') {
    return `${percent(share)} delivered and ${dups} duplicates: socat's socket (IP_MULTICAST_ALL on, the default) also gets 239.2.2.2, which the receiver joined in the same namespace, so socat reads its own output back and sends it again, over and over (TTL is reset at each send)`;
  }
  if (share !== null && share >= 0.999) return dups > 0 ? `delivered, plus ${dups} duplicates` : 'delivered';
  if (total('relayOut') < sent * 0.5) {
    return c.layout === 'one-namespace'
      ? "the relay never forwarded: the sender's datagrams reach its input leg with a local source address, which IP input drops (an AF_PACKET reader would still see them)"
      : 'the relay forwarded little';
  }
  if (total('arrived') >= sent * 0.5 && (share ?? 0) < 0.5) {
    return 'forwarded and arrived at the receiver\'s interface, then dropped by IP input: the source address is local to the receiver\'s namespace';
  }
  const delivered = total('delivered');
  if (total('relayOut') < sent) return `${sent - delivered} datagrams never left the relay: lost on the way in or inside it (its receive buffer, a busy CPU), not on bridge B`;
  return 'partial delivery: see the counters';
}

function render(r: DualBridgeResult): string {
  const systems = [...new Set(r.cases.map((c) => c.system))];
  const find = (layout: Layout, system: string) => r.cases.find((c) => c.layout === layout && c.system === system);
  const summary = LAYOUTS.map((layout) => [LAYOUT_TEXT[layout], ...systems.map((s) => { const c = find(layout, s); return c ? percent(deliveredShare(c)) : 'n/a'; })]);
  const ratio = (a: number | null, b: number | null) => (a !== null && b ? `${(a / b).toFixed(2)}×` : 'n/a');
  const ratios = LAYOUTS.map((layout) => {
    const m = deliveredShare(find(layout, 'mcr') ?? ({ trials: [] } as unknown as DeliveryCase));
    const share = (s: string) => { const c = find(layout, s); return c ? deliveredShare(c) : null; };
    return [LAYOUT_TEXT[layout], ratio(m, share('smcroute')), ratio(m, share('socat'))];
  });
  const detail = r.cases.map((c) => {
    const total = (key: keyof DeliveryTrial) => String(c.trials.reduce((n, t) => n + Number(t[key] ?? 0), 0));
    return [LAYOUT_TEXT[c.layout], NAMES[c.system] ?? c.system, c.rxGroup, total('sent'), total('relayOut'), total('arrived'), total('delivered'), total('duplicated'), percent(deliveredShare(c)), explain(c)];
  });
  return [
    `${r.settings.reps} × ${r.settings.seconds} s at ${r.settings.rate} pps, ${r.settings.size} B, per system and layout; counted at the receiver's socket.`,
    '',
    markdownTable(['layout', ...systems.map((s) => NAMES[s] ?? s)], summary),
    '',
    markdownTable(['layout', 'mcr / kernel routing (delivered)', 'mcr / socat (delivered)'], ratios),
    '',
    '### Where datagrams stopped',
    '',
    markdownTable(['layout', 'system', 'receiver joined', 'sent', 'relay out (tx on its leg to bridge B)', 'arrived at receiver interface', 'delivered (distinct)', 'duplicates', 'share', 'why'], detail),
    '',
    '### Method',
    '',
    `- Separate namespaces: \`dualBridge()\` in src/netns/topologies.ts: br-a and br-b in a switch namespace, src (10.3.0.2) on br-a, the relay's in0 (10.3.0.1) on br-a and out0 (10.4.0.1) on br-b, rx (10.4.0.2) on br-b.`,
    `- One namespace: the same addresses and bridges, every interface in one namespace (bench/lib/one-namespace.ts), as the reference relay's own test. rp_filter there: ${r.rpFilter}. With accept_local, \`net.ipv4.conf.all.accept_local = 1\` (the kernel ORs "all" with each interface's value).`,
    '- mcr-gen sends 239.1.1.1:5000 (TTL 8, multicast loop off, bound to its interface); the relay sends 239.2.2.2:5000 (kernel routing cannot rewrite, so its receiver joins 239.1.1.1). mcr-sink, bound to the receiver\'s interface with IP_MULTICAST_ALL off, counts what its socket gets. "relay out" counts every packet sent on the relay\'s leg to bridge B (what a relay counting its own sends would report), "arrived" every packet received on the receiver\'s interface.',
    '- No relay is a control: the receiver joins the sender\'s group; nothing may arrive.',
  ].join('\n');
}

function headline(r: DualBridgeResult): HeadlineRow[] {
  return LAYOUTS.map((layout) => ({
    measure: `dual bridge, ${LAYOUT_TEXT[layout]}: delivered at the receiver`,
    values: Object.fromEntries(
      r.cases.filter((c) => c.layout === layout).map((c) => {
        const dups = c.trials.reduce((n, t) => n + t.duplicated, 0);
        if (c.error && c.trials.length === 0) return [c.system, c.error.split(':')[0] as string];
        return [c.system, `${percent(deliveredShare(c))}${dups > 0 ? ` (+ ${dups} duplicates)` : ''}`];
      }),
    ),
  }));
}

export const scenario: Scenario<DualBridgeResult> = {
  id: 'dual-bridge',
  title: '6. Dual-bridge topology: delivery at the receiver, both layouts',
  async run(host, ctx) {
    const settings = ctx.quick ? { rate: 10_000, seconds: 1, size: SIZE, reps: 1 } : { rate: 20_000, seconds: 2, size: SIZE, reps: 2 };
    const wanted = (id: string) => (id === 'mcr' ? ctx.systems.some((s) => s.startsWith('mcr-')) : ctx.systems.includes(id));
    const systems = Object.keys(SYSTEMS).filter(wanted);
    const cases: DeliveryCase[] = [];
    for (const layout of LAYOUTS) for (const system of systems) cases.push(await runCase(host, layout, system, settings, ctx.log));
    const probe = Lab.create(host);
    const [ns] = (await probe.namespaces('probe')) as [Netns];
    const rp = await ns.run('sysctl', ['-n', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter']);
    await probe.destroy();
    return { settings, rpFilter: `all ${rp.stdout.split('\n')[0]}, default ${rp.stdout.split('\n')[1]}`, cases };
  },
  render,
  headline,
};
