// What `mcr check` warns about a valid rules file on the host it runs on: things that
// are not wrong in the file, but will lose datagrams or fail an output with the
// interfaces as they are now. Warnings, not errors: interfaces change (an MTU is raised,
// an address is added) and the file stays good. An interface that does not exist says
// nothing: it may appear later, and the rule waits for it. Pure: the host's interfaces
// are handed in (net/interfaces.ts reads them), so the logic is tested with tables.
import { isLinkScope, type Address, type Family } from '../net/address.js';
import type { JsonPath } from './problems.js';
import type { Output, RuleSet } from './ruleset.js';

/** One interface as `mcr check` needs to know it. */
export interface InterfaceFacts {
  readonly mtu: number;
  /** Frames on it start with an Ethernet header (ARPHRD_ETHER): frame egress works. */
  readonly ethernet: boolean;
  readonly addresses: readonly Address[];
}

/** The facts of an interface of this host, or null when it does not exist. */
export type HostInterfaces = (name: string) => InterfaceFacts | null;

export const WARNING_CODES = ['mtu-mismatch', 'no-source-address', 'not-ethernet'] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface Warning {
  readonly code: WarningCode;
  readonly path: JsonPath;
  readonly message: string;
}

const IP_HEADER: Record<Family, number> = { ipv4: 20, ipv6: 40 };
const UDP_HEADER = 8;
const FAMILY_NAMES: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

/** The largest UDP payload a datagram of this family fits in one packet of this MTU. */
function largestPayload(mtu: number, family: Family): number {
  return mtu - IP_HEADER[family] - UDP_HEADER;
}

/** What the data plane will open: "auto" is a frame output on an Ethernet interface. */
function sendsFrames(output: Output, facts: InterfaceFacts): boolean {
  return output.egress === 'frame' || (output.egress === 'auto' && facts.ethernet);
}

/** Whether the interface has an address a frame output would send from: any of the
 * family for IPv4; for IPv6, a link-scope one toward a link-scope destination and a
 * wider one otherwise (as the data plane picks). */
function hasSourceFor(group: Address, facts: InterfaceFacts): boolean {
  return facts.addresses.some(
    (address) => address.family === group.family && (address.family === 'ipv4' || isLinkScope(address) === isLinkScope(group)),
  );
}

function mtuWarning(path: JsonPath, input: { name: string; family: Family; facts: InterfaceFacts }, output: Output, facts: InterfaceFacts): Warning | undefined {
  const incoming = largestPayload(input.facts.mtu, input.family);
  const fits = largestPayload(facts.mtu, output.group.family);
  if (incoming <= fits) return undefined;
  const what = sendsFrames(output, facts)
    ? `are not sent on this output (counted as too_big: mcr never fragments)`
    : `are fragmented by the kernel on this output`;
  return {
    code: 'mtu-mismatch',
    path: [...path, 'interface'],
    message: `input interface ${input.name} has MTU ${input.facts.mtu}, output interface ${output.interface} has MTU ${facts.mtu}: datagrams with more than ${fits} bytes of payload ${what}`,
  };
}

function frameWarnings(path: JsonPath, output: Output, facts: InterfaceFacts): Warning[] {
  const preserve = output.sourceAddress === 'preserve';
  if (!facts.ethernet && (output.egress === 'frame' || preserve)) {
    const why = preserve ? 'source_address = "preserve" needs frames' : 'use egress = "socket" (or "auto")';
    return [
      {
        code: 'not-ethernet',
        path: [...path, 'interface'],
        message: `interface ${output.interface} has no Ethernet header, so this output cannot send frames and will fail; ${why}`,
      },
    ];
  }
  if (!sendsFrames(output, facts) || output.sourceAddress !== null || hasSourceFor(output.group, facts)) return [];
  const family = FAMILY_NAMES[output.group.family];
  return [
    {
      code: 'no-source-address',
      path,
      message:
        `interface ${output.interface} has no ${family} address for this frame output to send from, so it will fail; ` +
        `set source_address to an ${family} address, or to "preserve" (the sender's)`,
    },
  ];
}

/** Every warning for the rules as this host's interfaces are now, in file order. */
export function hostWarnings(ruleSet: RuleSet, host: HostInterfaces): Warning[] {
  const warnings: Warning[] = [];
  ruleSet.rules.forEach((rule, r) => {
    // Each input of a rule with several may be the one relayed.
    const inputs = [rule.input, ...rule.inputs.slice(1)].flatMap((one) => {
      const facts = host(one.interface);
      return facts ? [{ name: one.interface, family: one.group.family, facts }] : [];
    });
    rule.outputs.forEach((output, o) => {
      const facts = host(output.interface);
      if (!facts) return;
      const path: JsonPath = ['rule', r, 'outputs', o];
      for (const input of inputs) {
        const warning = mtuWarning(path, input, output, facts);
        if (warning) warnings.push(warning);
      }
      warnings.push(...frameWarnings(path, output, facts));
    });
  });
  return warnings;
}
