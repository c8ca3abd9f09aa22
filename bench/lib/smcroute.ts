// Kernel multicast routing driven by smcroute, as a bench system: one smcrouted per
// relay namespace, one static (S,G) route per path. It cannot rewrite groups (receivers
// join the input group), needs one VIF per interface (the kernel has 32), and needs
// CONFIG_IP_MROUTE, which a kernel may not have: availability() says so before any
// set-up, instead of a set-up failure that reads like a VIF problem.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netns } from '../../src/netns/namespace.js';
import { probes } from './probes.js';
import { namespacePids, type RelayKind } from './systems.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
export function smcrouteRelay(): RelayKind {
  return {
    id: 'smcroute',
    label: 'kernel multicast routing (smcroute)',
    note: 'one smcrouted, one static (S,G) route per stream; cannot rewrite groups: receivers join the input group',
    rewrites: false,
    forwardsIn: 'softirq',
    availability: probes.mroute,
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

