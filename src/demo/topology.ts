// The demo's network, built in private network namespaces so that nothing touches the
// host's own interfaces: a source segment whose sender uses an address the relay has no
// route to (with strict reverse-path filtering the kernel drops its multicast), a relay,
// and two receiver segments. Everything here is removed by destroy(), which the demo
// calls on every exit path.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export interface DemoNetwork {
  readonly prefix: string;
  readonly src: string;
  readonly relay: string;
  readonly receivers: readonly string[];
  /** The sender's address: outside every subnet the relay knows. */
  readonly senderAddress: string;
  run(ns: string, command: string, args: string[]): string;
  spawn(ns: string, command: string, args: string[]): ChildProcess;
  destroy(): void;
}

function ip(args: string[], input?: string): void {
  execFileSync('ip', args, { stdio: ['pipe', 'ignore', 'pipe'], ...(input === undefined ? {} : { input }) });
}

export function buildDemoNetwork(): DemoNetwork {
  const prefix = `mcrdemo-${process.pid}`;
  const src = `${prefix}-src`;
  const relay = `${prefix}-relay`;
  const receivers = [`${prefix}-rx1`, `${prefix}-rx2`];
  const all = [src, relay, ...receivers];
  const children = new Set<ChildProcess>();
  const network: DemoNetwork = {
    prefix,
    src,
    relay,
    receivers,
    senderAddress: '198.51.100.7',
    run: (ns, command, args) => execFileSync('ip', ['netns', 'exec', ns, command, ...args], { encoding: 'utf8' }),
    spawn(ns, command, args) {
      const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    destroy() {
      for (const child of children) child.kill('SIGKILL');
      for (const ns of all) {
        try {
          ip(['netns', 'del', ns]);
        } catch {
          // already gone
        }
      }
    },
  };
  try {
    ip(['-batch', '-'], all.map((ns) => `netns add ${ns}`).join('\n') + '\n');
    // Veth pairs are created straight into the namespaces: they never exist on the host.
    ip(['-n', relay, '-batch', '-'], [
      `link add in0 type veth peer name eth0 netns ${src}`,
      `link add out1 type veth peer name eth0 netns ${receivers[0]}`,
      `link add out2 type veth peer name eth0 netns ${receivers[1]}`,
      'addr add 10.10.0.1/24 dev in0',
      'addr add 10.20.1.1/24 dev out1',
      'addr add 10.20.2.1/24 dev out2',
      'link set lo up', 'link set in0 up', 'link set out1 up', 'link set out2 up',
    ].join('\n') + '\n');
    ip(['-n', src, '-batch', '-'], `addr add ${network.senderAddress}/24 dev eth0\nlink set lo up\nlink set eth0 up\nroute add 224.0.0.0/4 dev eth0\n`);
    receivers.forEach((ns, i) => {
      ip(['-n', ns, '-batch', '-'], `addr add 10.20.${i + 1}.2/24 dev eth0\nlink set lo up\nlink set eth0 up\nroute add 224.0.0.0/4 dev eth0\n`);
    });
    // Strict reverse-path filtering: the kernel itself would drop the sender's traffic.
    network.run(relay, 'sysctl', ['-q', '-w', 'net.ipv4.conf.all.rp_filter=1', 'net.ipv4.conf.in0.rp_filter=1']);
    return network;
  } catch (error) {
    network.destroy();
    throw error;
  }
}
