// Every system the bench knows, by id: the relay kinds installed on topologies (the
// kernel fast path, kernel multicast routing, socat, mcr per egress kind), the systems
// that only run on the one-hop chain (the baseline, no relay), and the defaults. The
// ids the results compare against are named here once.
import { mcrRelay } from './mcr-relay.js';
import { nftRelay } from './nft-relay.js';
import { smcrouteRelay } from './smcroute.js';
import { checkSystemIds, DEFAULT_SYSTEMS, FIXED_IDS, ipv6VariantOf, KERNEL_FAST, MCR_FRAME, MCR_SOCKET, parseMcrId } from './system-ids.js';
import { baseline, noRelay, onChain, socatRelay, type RelayKind, type System } from './systems.js';

export { checkSystemIds, DEFAULT_SYSTEMS, KERNEL_FAST, MCR_FRAME, MCR_SOCKET };

const FIXED_KINDS: Record<string, () => RelayKind> = {
  nft: nftRelay,
  smcroute: smcrouteRelay,
  socat: socatRelay,
};

// system-ids.ts lists the same ids, for the command line's checks without loading these.
for (const id of Object.keys(FIXED_KINDS)) if (!FIXED_IDS.includes(id)) throw new Error(`${id} missing from FIXED_IDS`);

/** A relay kind installable on any topology, or null (unknown, or chain-only like the baseline). */
export function relayKind(id: string): RelayKind | null {
  const fixed = FIXED_KINDS[id];
  if (fixed) return fixed();
  const mcr = parseMcrId(id);
  return mcr ? mcrRelay(mcr) : null;
}

/** A system on the one-hop chain, or null if the id is unknown. An IPv6 variant
 * (`mcr-frame-1w-v6`) is its relay kind on the chain with an IPv6 stream. */
export function chainSystem(id: string): System | null {
  if (id === 'none') return noRelay();
  if (id === 'baseline') return baseline();
  const base = ipv6VariantOf(id);
  const kind = relayKind(base ?? id);
  return kind ? onChain(kind, { ipv6: base !== null }) : null;
}
