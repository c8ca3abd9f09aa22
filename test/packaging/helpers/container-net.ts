// Wires a booted container (helpers/booted-system.ts) to a test's network namespaces:
// a veth pair made in the test namespace with its peer moved straight into the
// container's network namespace, addressed on both sides. The container side is set
// up from inside, with ip, as its administrator would. Test traffic stays between the
// test's namespaces and the container's; nothing touches the host's interfaces.
import type { Netns } from '../../helpers/netns.js';
import type { BootedSystem } from './booted-system.js';

export interface Leg {
  /** The test namespace's end: name and CIDR. */
  outside: { name: string; address: string };
  /** The container's end: name and CIDR. */
  inside: { name: string; address: string };
}

/** Joins ns to the container by one veth pair; resolves once both ends have carrier. */
export async function plug(system: BootedSystem, ns: Netns, leg: Leg): Promise<void> {
  await ns.ip('link', 'add', leg.outside.name, 'type', 'veth', 'peer', 'name', leg.inside.name, 'netns', String(system.pid));
  await ns.batch([
    `addr add ${leg.outside.address} dev ${leg.outside.name}`,
    `link set ${leg.outside.name} up`,
    // A sink's group join and a sender without --interface find the link by this route.
    `route add 224.0.0.0/4 dev ${leg.outside.name}`,
  ]);
  const inside = await system.run('ip', ['-batch', '-'], {
    input: `addr add ${leg.inside.address} dev ${leg.inside.name}\nlink set ${leg.inside.name} up\n`,
  });
  if (inside.exitCode !== 0) throw new Error(`ip in the container: ${inside.stderr}`);
  await ns.waitForwarding([leg.outside.name]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const link = await system.run('ip', ['-j', 'link', 'show', leg.inside.name]);
    const [state] = JSON.parse(link.stdout || '[]') as { operstate?: string }[];
    if (state?.operstate === 'UP') return;
    if (Date.now() > deadline) throw new Error(`${leg.inside.name} in the container has no carrier: ${link.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
