// Small IPv6 facts tests read from a namespace: an interface's link-local address once
// it is usable, and the receiver's count of UDP checksum failures.
import type { Netns } from './netns.js';

/** The link-local address of iface, once duplicate address detection let it be used
 * (a tentative address is not a source the kernel picks). */
export async function linkLocal(ns: Netns, iface: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const shown = await ns.ip('-6', '-o', 'addr', 'show', 'dev', iface, 'scope', 'link');
    const match = /inet6 (fe80::[\da-f:]+)\/64/.exec(shown);
    if (match && !shown.includes('tentative')) return match[1] ?? '';
    if (Date.now() > deadline) throw new Error(`no usable link-local address on ${iface}: ${shown}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The namespace's count of UDP datagrams dropped for a bad checksum, both families. */
export async function udpCsumErrors(ns: Netns): Promise<number> {
  const snmp6 = (await ns.run('cat', ['/proc/net/snmp6'])).stdout;
  const v6 = Number(/^Udp6InCsumErrors\s+(\d+)/m.exec(snmp6)?.[1] ?? NaN);
  const snmp = (await ns.run('cat', ['/proc/net/snmp'])).stdout;
  const [names, values] = snmp.split('\n').filter((line) => line.startsWith('Udp:'));
  const index = (names ?? '').split(/\s+/).indexOf('InCsumErrors');
  return v6 + Number((values ?? '').split(/\s+/)[index]);
}
