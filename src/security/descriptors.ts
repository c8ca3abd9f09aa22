// How many file descriptors a rule set needs in the data plane, and whether they fit
// RLIMIT_NOFILE, so that a file too big for the process is refused whole with a clear
// message instead of half applied with EMFILE on the rules that came last. The count
// is the worst case (every interface present), as the data plane opens sockets when
// interfaces appear: one connected UDP socket per output, one AF_PACKET ring per
// worker per input interface, one membership socket per joined (interface, group,
// source), one catcher per unicast (address, port); plus an eventfd and an io_uring
// per worker and a netlink socket. estimateDescriptors is pure.
import { readdirSync, readFileSync } from 'node:fs';
import type { RuleSet } from '../config/ruleset.js';
import { isMulticast } from '../net/address.js';

export interface DescriptorNeeds {
  readonly outputs: number;
  readonly rings: number;
  readonly memberships: number;
  readonly plane: number;
  readonly total: number;
}

/** Room for what mcrd opens besides the data plane while it runs: stats writes in
 * flight, the file watcher, the rules file being read, Node's own. */
export const DESCRIPTOR_MARGIN = 32;

export function estimateDescriptors(ruleSet: RuleSet, workers: number): DescriptorNeeds {
  const flows = ruleSet.rules.filter((rule) => rule.enabled);
  const outputs = flows.reduce((sum, rule) => sum + rule.outputs.length, 0);
  const inputs = flows.flatMap((rule) => rule.inputs);
  const interfaces = new Set(inputs.map((input) => input.interface));
  const joins = new Set(
    inputs.map((input) =>
      isMulticast(input.group) ? `${input.interface}|${input.group.text}|${input.source?.text ?? '*'}` : `${input.group.text}|${input.port}`,
    ),
  );
  const rings = interfaces.size * workers;
  const plane = workers * 2 + 1;
  return { outputs, rings, memberships: joins.size, plane, total: outputs + rings + joins.size + plane };
}

/** The soft RLIMIT_NOFILE (Node raises it to the hard limit as it starts). */
export function descriptorLimit(limits = readFileSync('/proc/self/limits', 'utf8')): number {
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

export function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * Null when `next` fits beside everything mcrd has open that is not `running`'s data
 * plane, else the message saying what it needs and how to fix it.
 */
export function descriptorShortfall(
  next: DescriptorNeeds,
  running: DescriptorNeeds | null,
  open = openDescriptors(),
  limit = descriptorLimit(),
): string | null {
  // What mcrd has open besides the running data plane. The running estimate is a worst
  // case (a pending interface has no socket yet), so this can come out low; the margin
  // covers Node's own descriptors, which is what it would then miss.
  const others = Math.max(0, open - (running?.total ?? 0));
  const needed = others + next.total + DESCRIPTOR_MARGIN;
  if (needed <= limit) return null;
  return (
    `the rules need ${needed} file descriptors (${next.outputs} output sockets, ${next.rings} input rings, ` +
    `${next.memberships} group memberships, ${next.plane} for the workers, ${others + DESCRIPTOR_MARGIN} for mcrd itself) ` +
    `but mcrd may open ${limit} (RLIMIT_NOFILE); raise LimitNOFILE= in mcrd.service (or ulimit -n), or relay to fewer outputs`
  );
}
