// Starts one relay of a given kind on legs given by the caller, for topologies other
// than the chain (systems.ts builds its own chain per system): mcr's data plane with one
// worker, socat, or kernel routing through smcroute. The caller's Lab kills what is
// left at teardown; close() stops the relay itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netns } from '../../src/netns/namespace.js';
import { startRelay } from '../../harness/relay.js';
import { rule } from '../../harness/ruleset.js';
import type { ScriptHost } from './host.js';

export type RelayKind = 'mcr' | 'socat' | 'kernel';

export interface Legs {
  ns: Netns;
  inIface: string;
  /** The relay's address on its input leg (socat joins there). */
  inAddress: string;
  outIface: string;
  outAddress: string;
  /** The sender's address: kernel routing installs an (S,G) route for it. */
  source: string;
  inGroup: string;
  outGroup: string;
  port: number;
}

export interface RunningRelay {
  /** The group a receiver joins: the output group, or the input group where it cannot be rewritten. */
  rxGroup: string;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function aliveAfterStart(what: string, child: ReturnType<Netns['spawn']>): Promise<void> {
  const early = await Promise.race([child, sleep(300).then(() => null)]);
  if (early) throw new Error(`${what} exited at start (${early.exitCode}): ${String(early.stderr)}`);
}

export async function startRelayOn(kind: RelayKind, legs: Legs, host: ScriptHost): Promise<RunningRelay> {
  const { ns } = legs;
  if (kind === 'mcr') {
    const relay = await startRelay(ns, { backend: 'io_uring', workers: 1 });
    const status = await relay.apply(rule('bench', `${legs.inIface} ${legs.inGroup}:${legs.port}`, `${legs.outIface} ${legs.outGroup}:${legs.port}`));
    if (status.some((r) => r.state !== 'active')) throw new Error(`mcr rule not active: ${JSON.stringify(status)}`);
    return { rxGroup: legs.outGroup, close: async () => void (await relay.close()) };
  }
  if (kind === 'socat') {
    // As in systems.ts: a 16 MiB receive buffer (SO_RCVBUFFORCE, little-endian hex).
    const recv = `UDP4-RECV:${legs.port},ip-add-membership=${legs.inGroup}:${legs.inAddress},reuseaddr,setsockopt-listen=1:33:x00000001`;
    const send = `UDP4-SENDTO:${legs.outGroup}:${legs.port},ip-multicast-if=${legs.outAddress},ip-multicast-ttl=1,ip-multicast-loop=0`;
    const child = ns.spawn('socat', ['-u', recv, send], { timeoutMs: 3_600_000 });
    await aliveAfterStart('socat', child);
    return {
      rxGroup: legs.outGroup,
      async close() {
        child.kill('SIGTERM');
        await child;
      },
    };
  }
  await ns.sysctl({ 'net.ipv4.ip_forward': 1 });
  const dir = mkdtempSync(join(tmpdir(), 'mcr-bench-smcroute-'));
  host.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A static (S,G) route, as in systems.ts: no upcalls, no flushes mid-trial.
  writeFileSync(
    join(dir, 'smcroute.conf'),
    [`phyint ${legs.inIface} enable`, `phyint ${legs.outIface} enable`, `mroute from ${legs.inIface} source ${legs.source} group ${legs.inGroup} to ${legs.outIface}`, ''].join('\n'),
  );
  const ident = `mcr-bench-${process.pid}-${Date.now()}`;
  const child = ns.spawn(
    'smcrouted',
    ['-n', '-N', '-f', join(dir, 'smcroute.conf'), '-i', ident, '-u', join(dir, 'sock'), '-P', join(dir, 'pid'), '-l', 'notice'],
    { timeoutMs: 3_600_000 },
  );
  await aliveAfterStart('smcrouted', child);
  for (let i = 0; !(await ns.ip('mroute', 'show')).includes(legs.inGroup); i += 1) {
    if (i >= 50) throw new Error(`smcrouted installed no route for ${legs.inGroup}`);
    await sleep(100);
  }
  return {
    rxGroup: legs.inGroup,
    async close() {
      child.kill('SIGTERM');
      await child;
    },
  };
}

/** An interface's packet counters (rx: arrived at it, tx: sent out of it). */
export async function linkPackets(ns: Netns, iface: string): Promise<{ rx: number; tx: number }> {
  type Raw = { stats64?: { rx: { packets: number }; tx: { packets: number } } };
  const [link] = JSON.parse(await ns.ip('-j', '-s', 'link', 'show', 'dev', iface)) as Raw[];
  return { rx: link?.stats64?.rx.packets ?? 0, tx: link?.stats64?.tx.packets ?? 0 };
}
