// The kernel's own fast path as a bench system: an nftables netdev table on the relay's
// input (nft-script.ts writes it) that rewrites each datagram as mcr would and sends it
// with fwd/dup, all in the input's receive softirq. No process: its CPU is the relay
// core's softirq time. Each install gets its own table, deleted at close.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Netns } from '../../src/netns/namespace.js';
import { probes } from './probes.js';
import { scratchDir, type ScriptHost } from './host.js';
import { nftRelayScript, type NftPath } from './nft-script.js';
import { PORT } from './constants.js';
import type { Path, RelayKind } from './systems.js';

let tables = 0;

/** Every interface's MAC in a namespace, by name, in one `ip` call. */
async function macs(ns: Netns): Promise<Map<string, string>> {
  return new Map((await ns.links()).map((l) => [l.name, l.mac]));
}

export function nftPaths(paths: readonly Path[], mac: Map<string, string>): NftPath[] {
  return paths.map((p) => ({
    inputIface: p.input.iface,
    group: p.group,
    port: PORT,
    outputs: p.outputs.map((o) => {
      const address = mac.get(o.via.iface);
      if (!address) throw new Error(`no MAC for ${o.via.iface}`);
      return { iface: o.via.iface, mac: address, group: o.group, port: PORT };
    }),
  }));
}

export function nftRelay(): RelayKind {
  return {
    id: 'nft',
    label: 'kernel fast path (nftables netdev fwd/dup)',
    note:
      'an nftables netdev ingress chain on the input: ip daddr/udp dport match, then per output ether saddr/daddr, ' +
      'ip daddr and udp dport set (nft fixes the checksums) and dup to it, the last one fwd; in the receive softirq, before IP routing',
    rewrites: true,
    forwardsIn: 'softirq',
    availability: probes.nft,
    async install(host: ScriptHost, ns: Netns, paths: readonly Path[]) {
      const support = probes.nft();
      if (!support.ok) throw new Error(`${support.reason}: ${support.detail}`);
      tables += 1;
      const table = `mcrbench${tables}`;
      const script = nftRelayScript(table, nftPaths(paths, await macs(ns)));
      const file = join(await scratchDir(host, 'nft'), `${table}.nft`);
      writeFileSync(file, script);
      const loaded = await ns.run('nft', ['-f', file], { timeoutMs: 120_000 });
      if (loaded.exitCode !== 0) throw new Error(`nft -f refused the relay table: ${loaded.stderr.split('\n').slice(0, 3).join(' ')}`);
      return {
        pids: () => [],
        async close() {
          const removed = await ns.run('nft', ['delete', 'table', 'netdev', table]);
          if (removed.exitCode !== 0) throw new Error(`nft delete table ${table}: ${removed.stderr}`);
        },
      };
    },
  };
}
