// Whether a system can run here, judged from what was found (pure; probes.ts and
// egress-probe.ts do the looking): kernel multicast routing needs CONFIG_IP_MROUTE (and
// smcrouted), the kernel fast path needs nft and the netdev family's fwd/dup, and an mcr
// egress kind needs a build that uses it: a rules file that accepts `egress = "<kind>"`
// and a data plane that then sends that way. A system that cannot run is listed with
// why, never skipped in silence.
import type { Egress } from './mcr-rules.js';

/** `reason` is what a results table shows; `detail` says what was found. */
export type Availability = { ok: true; detail?: string } | { ok: false; reason: string; detail: string };

export const NOT_IN_KERNEL = 'not built into this kernel';
export const NOT_IN_BUILD = 'not available in this build';
export const NOT_INSTALLED = 'not installed';

/** The value of a kernel option in a config text: 'y', 'm', 'not set', or null if absent. */
export function configValue(config: string, option: string): 'y' | 'm' | 'not set' | null {
  for (const line of config.split('\n')) {
    if (line === `# ${option} is not set`) return 'not set';
    const match = new RegExp(`^${option}=(.*)$`).exec(line);
    if (match) return match[1] === 'y' || match[1] === 'm' ? match[1] : 'not set';
  }
  return null;
}

/** Kernel multicast routing: /proc/net/ip_mr_vif exists exactly when CONFIG_IP_MROUTE is built. */
export function judgeMroute(procVifExists: boolean, config: string | null, smcroutedFound: boolean): Availability {
  const option = config === null ? null : configValue(config, 'CONFIG_IP_MROUTE');
  if (!procVifExists) {
    const said = option === null ? 'no kernel config to read' : `CONFIG_IP_MROUTE ${option === 'not set' ? 'is not set' : `=${option}`}`;
    return { ok: false, reason: NOT_IN_KERNEL, detail: `no /proc/net/ip_mr_vif; ${said}` };
  }
  if (!smcroutedFound) return { ok: false, reason: NOT_INSTALLED, detail: 'smcrouted not found (apt-get install smcroute)' };
  return { ok: true, detail: '/proc/net/ip_mr_vif present' };
}

/** The nft relay: the nft command, and the kernel's netdev family with fwd and dup where the config says. */
export function judgeNft(nftFound: boolean, config: string | null): Availability {
  if (!nftFound) return { ok: false, reason: NOT_INSTALLED, detail: 'nft not found (apt-get install nftables)' };
  if (config !== null) {
    const missing = ['CONFIG_NF_TABLES_NETDEV', 'CONFIG_NF_DUP_NETDEV', 'CONFIG_NFT_FWD_NETDEV'].filter((o) => {
      const v = configValue(config, o);
      return v !== 'y' && v !== 'm';
    });
    if (missing.length > 0) return { ok: false, reason: NOT_IN_KERNEL, detail: `${missing.join(', ')} not set` };
  }
  return { ok: true };
}

export interface CheckOutcome {
  exitCode: number | null;
  output: string;
}

/** The egress kind the data plane actually used for a rule's outputs (egress-probe.ts). */
export type EgressInUse = 'frame' | 'socket' | 'mixed';

export type EgressAvailability = Availability & { withKey?: boolean };

const refusal = (o: CheckOutcome) => (o.output.split('\n').find((l) => /egress/.test(l)) ?? o.output.split('\n')[0] ?? '').replace(/^\S+:\d+:\d+: /, '').trim();

/**
 * An egress kind, from whether `mcr check` accepts `egress = "<kind>"` and which kind the
 * data plane then used on a veth (null: not probed, e.g. without root). A build whose
 * rules file has no egress setting yet still runs the kind its default picks on
 * Ethernet, with the file written without the key (`withKey` false); the other kind is
 * not available in it.
 */
export function judgeEgress(kind: Egress, named: CheckOutcome, inUse: EgressInUse | null): EgressAvailability {
  const accepted = named.exitCode === 0;
  if (accepted && (inUse === null || inUse === kind)) {
    return { ok: true, withKey: true, detail: `mcr check accepts egress = "${kind}"${inUse ? `, and the data plane used ${kind} egress` : ''}` };
  }
  if (accepted) return { ok: false, reason: NOT_IN_BUILD, detail: `mcr check accepts egress = "${kind}", but the data plane used ${inUse} egress` };
  if (inUse === kind) {
    return { ok: true, withKey: false, detail: `this build's rules file has no egress setting (${refusal(named)}); its outputs on veth use ${kind} egress` };
  }
  const used = inUse ? `; without the setting its outputs on veth use ${inUse} egress` : '';
  return { ok: false, reason: NOT_IN_BUILD, detail: `mcr check refuses egress = "${kind}": ${refusal(named)}${used}` };
}

/** A system that turned out not to be runnable here while being set up: recorded as such, not as a failure. */
export class UnavailableError extends Error {
  constructor(reason: string, detail: string) {
    super(`${reason}: ${detail}`);
    this.name = 'UnavailableError';
  }
}

/** Whether an error text says a system cannot run here (see UnavailableError). */
export function isUnavailable(text: string): boolean {
  return [NOT_IN_BUILD, NOT_IN_KERNEL, NOT_INSTALLED].some((r) => text.startsWith(`${r}:`));
}

/**
 * The egress kind in use, from `ss -H -u -a -n` in the relay's namespace: a socket output
 * is a UDP socket connected to its group and port, a frame output has none. 'socket'
 * when every destination has one, 'frame' when none has, 'mixed' otherwise.
 */
export function classifyEgress(ssOutput: string, destinations: readonly string[]): EgressInUse {
  const peers = new Map<string, number>();
  for (const line of ssOutput.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // State Recv-Q Send-Q Local:Port Peer:Port
    const peer = fields[4];
    if (fields[0] === 'ESTAB' && peer) peers.set(peer, (peers.get(peer) ?? 0) + 1);
  }
  const connected = destinations.filter((d) => (peers.get(d) ?? 0) > 0).length;
  if (connected === 0) return 'frame';
  return connected === destinations.length ? 'socket' : 'mixed';
}
