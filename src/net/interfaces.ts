// This host's network interfaces as `mcr check` needs them: MTU and link type from sysfs
// (/sys/class/net/NAME/mtu and type; type 1 is ARPHRD_ETHER), addresses from
// os.networkInterfaces(). Read once per name; an interface that does not exist is
// null. The only I/O of the host checks (config/host-checks.ts holds the logic).
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { HostInterfaces, InterfaceFacts } from '../config/host-checks.js';
import { parseAddress, type Address } from './address.js';

/** ARPHRD_ETHER in <linux/if_arp.h>: frames carry a 14-byte Ethernet header. */
const ARPHRD_ETHER = 1;

function readNumber(path: string): number | null {
  try {
    const value = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(value) ? value : null;
  } catch {
    return null;
  }
}

/** Addresses by interface name; os.networkInterfaces() lists only interfaces that have one. */
function addressesByName(): Map<string, Address[]> {
  const byName = new Map<string, Address[]>();
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    const addresses = (entries ?? []).flatMap((entry) => {
      const parsed = parseAddress(entry.address);
      return parsed.ok ? [parsed.address] : [];
    });
    byName.set(name, addresses);
  }
  return byName;
}

export function readHostInterfaces(sysfs = '/sys/class/net'): HostInterfaces {
  const addresses = addressesByName();
  const seen = new Map<string, InterfaceFacts | null>();
  return (name) => {
    if (!seen.has(name)) {
      const mtu = readNumber(`${sysfs}/${name}/mtu`);
      const type = readNumber(`${sysfs}/${name}/type`);
      seen.set(name, mtu === null ? null : { mtu, ethernet: type === ARPHRD_ETHER, addresses: addresses.get(name) ?? [] });
    }
    return seen.get(name) ?? null;
  };
}
