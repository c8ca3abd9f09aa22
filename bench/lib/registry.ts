// Every system the bench knows, by id: the relay kinds installed on topologies (the
// kernel fast path, kernel multicast routing, socat, mcr per egress kind), the systems
// that only run on the one-hop chain (the baseline, no relay), and the defaults. The
// ids the results compare against are named here once.
import { mcrRelay } from './mcr-relay.js';
import { nftRelay } from './nft-relay.js';
import { smcrouteRelay } from './smcroute.js';
import { KERNEL_FAST, MCR_FRAME, MCR_SOCKET, parseMcrId, unknownSystems } from './system-ids.js';
import { baseline, noRelay, onChain, socatRelay, type RelayKind, type System } from './systems.js';

export { KERNEL_FAST, MCR_FRAME, MCR_SOCKET };

const FIXED_KINDS: Record<string, () => RelayKind> = {
  nft: nftRelay,
  smcroute: smcrouteRelay,
  socat: socatRelay,
};

/** Ids valid without being mcr ids. */
export const FIXED_IDS = ['none', 'baseline', ...Object.keys(FIXED_KINDS)];

export const DEFAULT_SYSTEMS = ['none', KERNEL_FAST, 'smcroute', 'socat', 'baseline', MCR_FRAME, MCR_SOCKET];

/** A relay kind installable on any topology, or null (unknown, or chain-only like the baseline). */
export function relayKind(id: string): RelayKind | null {
  const fixed = FIXED_KINDS[id];
  if (fixed) return fixed();
  const mcr = parseMcrId(id);
  return mcr ? mcrRelay(mcr) : null;
}

/** A system on the one-hop chain, or null if the id is unknown. */
export function chainSystem(id: string): System | null {
  if (id === 'none') return noRelay();
  if (id === 'baseline') return baseline();
  const kind = relayKind(id);
  return kind ? onChain(kind) : null;
}

/** Problems with a --systems list, one line each (empty: all known). */
export function checkSystemIds(ids: readonly string[]): string[] {
  return unknownSystems(ids, FIXED_IDS);
}
