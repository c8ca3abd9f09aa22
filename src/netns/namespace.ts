// One named network namespace (/run/netns/NAME) of a Lab: `ip` commands and batches in
// it, commands and long-running processes inside it, its sysctls, and what its links
// look like. It owns no lifecycle: the Lab (lab.ts) creates and deletes namespaces and
// kills what a Netns spawned. Plain methods and fields (no #private), so that a caller
// can wrap one with Object.create and override run/spawn (the bench's CPU pinning).
import { runCommand, spawnCommand, type CommandOptions, type CommandResult, type RunningCommand } from './command.js';

/** What `ip -j addr` says about one interface. */
export interface LinkState {
  name: string;
  adminUp: boolean;
  operstate: string;
  mtu: number;
  mac: string;
  master?: string;
  /** IPv4 addresses as CIDR, e.g. "10.1.0.2/24". */
  addresses: string[];
  /** IPv6 addresses other than link-local ones (fe80::/10), as CIDR. */
  addresses6: string[];
}

/** `ip [-n NS] -batch -`: many changes in one process; throws with ip's message. */
export async function ipBatch(lines: readonly string[], ns?: string): Promise<void> {
  if (lines.length === 0) return;
  const args = [...(ns ? ['-n', ns] : []), '-batch', '-'];
  const result = await runCommand('ip', args, { input: lines.join('\n') + '\n', timeoutMs: 60_000 });
  if (result.exitCode !== 0) {
    throw new Error(`ip ${args.join(' ')} failed (${result.exitCode}): ${result.stderr}\n${lines.join('\n')}`);
  }
}

export class Netns {
  /**
   * @param name the namespace's name under /run/netns
   * @param label the short name it was asked for (src, relay, rx0, ...)
   * @param track called with every process spawn() starts, so its Lab can kill it
   */
  constructor(
    readonly name: string,
    readonly label: string,
    private readonly track: (child: RunningCommand) => void,
  ) {}

  /** `ip -n NS ARGS...`; throws with ip's message on failure, else returns stdout. */
  async ip(...args: string[]): Promise<string> {
    const result = await runCommand('ip', ['-n', this.name, ...args], { timeoutMs: 30_000 });
    if (result.exitCode !== 0) throw new Error(`ip -n ${this.name} ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  }

  batch(lines: readonly string[]): Promise<void> {
    return ipBatch(lines, this.name);
  }

  /** Runs a command inside the namespace to completion (never rejects; check exitCode). */
  run(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    return runCommand('ip', ['netns', 'exec', this.name, command, ...args], { ...options, timeoutMs: options.timeoutMs ?? 30_000 });
  }

  /** Starts a process inside the namespace; the Lab kills it at teardown if still running. */
  spawn(command: string, args: readonly string[], options: CommandOptions = {}): RunningCommand {
    // `ip netns exec` execs the command: the child's pid is the command's own.
    const child = spawnCommand('ip', ['netns', 'exec', this.name, command, ...args], { ...options, timeoutMs: options.timeoutMs ?? 120_000 });
    this.track(child);
    return child;
  }

  async sysctl(settings: Record<string, string | number>): Promise<void> {
    const pairs = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
    const result = await this.run('sysctl', ['-q', '-w', ...pairs]);
    if (result.exitCode !== 0) throw new Error(`sysctl in ${this.name}: ${result.stderr}`);
  }

  async links(): Promise<LinkState[]> {
    type Raw = {
      ifname: string;
      flags: string[];
      mtu: number;
      operstate: string;
      address?: string;
      master?: string;
      addr_info?: { family: string; local: string; prefixlen: number; scope?: string }[];
    };
    const raw = JSON.parse(await this.ip('-j', 'addr', 'show')) as Raw[];
    const cidrs = (link: Raw, keep: (a: NonNullable<Raw['addr_info']>[number]) => boolean) =>
      (link.addr_info ?? []).filter(keep).map((a) => `${a.local}/${a.prefixlen}`);
    return raw.map((link) => ({
      name: link.ifname,
      adminUp: link.flags.includes('UP'),
      operstate: link.operstate,
      mtu: link.mtu,
      mac: link.address ?? '',
      ...(link.master === undefined ? {} : { master: link.master }),
      addresses: cidrs(link, (a) => a.family === 'inet'),
      addresses6: cidrs(link, (a) => a.family === 'inet6' && a.scope !== 'link'),
    }));
  }

  /**
   * Waits until each named link has carrier and, if it is a bridge port, forwards.
   * Carrier changes reach the bridge through the kernel's linkwatch, up to a second
   * late, and a port drops frames until then: traffic sent earlier would vanish.
   */
  async waitForwarding(names: readonly string[], timeoutMs = 10_000): Promise<void> {
    type Raw = { ifname: string; operstate: string; linkinfo?: { info_slave_kind?: string; info_slave_data?: { state?: string } } };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const links = JSON.parse(await this.ip('-j', '-d', 'link', 'show')) as Raw[];
      const pending = names.filter((name) => {
        const link = links.find((l) => l.ifname === name);
        if (link?.operstate !== 'UP') return true;
        return link.linkinfo?.info_slave_kind === 'bridge' && link.linkinfo.info_slave_data?.state !== 'forwarding';
      });
      if (pending.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${this.name}: ${pending.join(', ')} not up and forwarding after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async mac(iface: string): Promise<string> {
    const link = (await this.links()).find((l) => l.name === iface);
    if (!link) throw new Error(`no interface ${iface} in ${this.name}`);
    return link.mac;
  }
}
