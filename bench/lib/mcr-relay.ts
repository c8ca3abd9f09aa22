// mcr as a bench system: the real data plane in a relay namespace (harness/relay.ts
// runs it from dist/), one rule per stream with every output of the stream in its rule,
// each output of the egress kind under test. mcr runs once per egress kind: a kind this
// build does not have is reported as such, and after each install the kind the data
// plane really uses is checked (egress-probe.ts), so one is never measured as the other.
import { startRelay } from '../../harness/relay.js';
import { NOT_IN_BUILD, UnavailableError } from './availability.js';
import { probes } from './probes.js';
import { PORT } from './constants.js';
import { egressInUse } from './egress-probe.js';
import { mcrRulesToml } from './mcr-rules.js';
import { mcrId, type McrSystem } from './system-ids.js';
import { namespacePids, type RelayKind } from './systems.js';

type Snapshot = Awaited<ReturnType<Awaited<ReturnType<typeof startRelay>>['counters']>>;

function flatCounters(snapshot: Snapshot): Record<string, number> {
  const out: Record<string, number> = { ...snapshot.worker };
  for (const r of Object.values(snapshot.rules)) {
    for (const o of Object.values(r.outputs)) for (const [k, v] of Object.entries(o)) out[`out_${k}`] = (out[`out_${k}`] ?? 0) + v;
  }
  return out;
}

export function mcrRelay(spec: McrSystem): RelayKind {
  const { egress, backend, workers, media } = spec;
  const backendText = backend === 'auto' ? '' : `, ${backend}`;
  const mediaText = media === 'ts' ? ', RTP-MPEG-TS with payload = "rtp-mpegts"' : media === 'tsplain' ? ', RTP-MPEG-TS without payload' : '';
  return {
    id: mcrId(spec),
    label: `mcr, ${egress} egress, ${workers} worker${workers > 1 ? 's' : ''}${backendText}${mediaText}`,
    note: `one process; one rule per stream, every output of a stream in its rule, egress = "${egress}"; backend ${backend}${mediaText}`,
    ...(media ? { media: 'rtp-mpegts' as const } : {}),
    rewrites: true,
    forwardsIn: 'processes',
    availability: () => probes.egress(egress),
    async install(_host, ns, paths) {
      const support = probes.egress(egress);
      if (!support.ok) throw new UnavailableError(support.reason, support.detail);
      const relay = await startRelay(ns, { backend, workers });
      try {
        if (backend !== 'auto' && relay.info.backend !== backend) throw new Error(`asked for ${backend}, got ${relay.info.backend}: ${relay.info.fallbackReason}`);
        const rules = paths.map((p, i) => ({
          name: `s${i}`,
          input: { iface: p.input.iface, group: p.group },
          outputs: p.outputs.map((o) => ({ iface: o.via.iface, group: o.group })),
          ...(media === 'ts' ? { payload: 'rtp-mpegts' } : {}),
        }));
        // A build without the setting runs the kind its default picks and must not see the key.
        const status = await relay.apply(mcrRulesToml(rules, support.withKey === false ? null : egress));
        const idle = status.filter((r) => r.state !== 'active' || r.outputs.some((o) => o.state !== 'active'));
        if (idle.length > 0 || status.length !== paths.length) throw new Error(`mcr rules not all active: ${JSON.stringify(idle).slice(0, 500)}`);
        // ss brackets an IPv6 peer before its port.
        const peer = (group: string) => (group.includes(':') ? `[${group}]:${PORT}` : `${group}:${PORT}`);
        const used = await egressInUse(ns, paths.flatMap((p) => p.outputs.map((o) => peer(o.group))));
        if (used !== egress) throw new UnavailableError(NOT_IN_BUILD, `asked for ${egress} egress, the data plane used ${used} egress`);
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
