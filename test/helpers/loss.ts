// Loss injected where a real network loses datagrams: on the sender's side of a link,
// by an nftables netdev chain on the sending interface's egress hook (this kernel has no
// netem). The chain drops UDP datagrams to one port that an nftables expression picks
// (every Nth with `numgen inc mod N == K`, or at random with `numgen random mod N == 0`),
// and counts what it dropped; with `log`, the test can read which were dropped from its
// own capture instead. A drop at the relay's own ingress would come after mcr's tap and
// hide nothing from it, so the relay namespace never gets one.
import { existsSync } from 'node:fs';
import type { Netns } from './netns.js';

export interface Loss {
  /** Datagrams the chain dropped so far. */
  dropped(): Promise<number>;
  /** Takes the chain away: datagrams flow again. */
  remove(): Promise<void>;
}

/** Why the loss tests cannot run (no nft command), or false. */
export function nftSkipReason(): string | false {
  return ['/usr/sbin/nft', '/sbin/nft'].some((path) => existsSync(path)) ? false : 'needs nftables (Debian package nftables)';
}

/** Drops, on `iface`'s egress in `ns`, the UDP datagrams to `port` that `pick` selects
 * (an nftables expression such as "numgen inc mod 50 == 25"). */
export async function dropOnEgress(ns: Netns, iface: string, port: number, pick: string): Promise<Loss> {
  const table = `loss_${iface.replace(/\W/g, '_')}_${port}`;
  const script = [
    `table netdev ${table} {`,
    `  chain egress {`,
    `    type filter hook egress device "${iface}" priority 0; policy accept;`,
    `    udp dport ${port} ${pick} counter drop`.replace('  counter', ' counter'),
    `  }`,
    `}`,
  ].join('\n');
  const result = await ns.run('nft', ['-f', '-'], { input: script });
  if (result.exitCode !== 0) throw new Error(`nft could not load the loss chain: ${result.stderr}`);
  return {
    dropped: async () => {
      const listed = await ns.run('nft', ['-j', 'list', 'table', 'netdev', table]);
      const match = /"counter":\s*\{\s*"packets":\s*(\d+)/.exec(listed.stdout);
      if (!match) throw new Error(`no counter in the loss chain: ${listed.stdout} ${listed.stderr}`);
      return Number(match[1]);
    },
    remove: async () => {
      const removed = await ns.run('nft', ['delete', 'table', 'netdev', table]);
      if (removed.exitCode !== 0) throw new Error(`nft could not remove the loss chain: ${removed.stderr}`);
    },
  };
}
