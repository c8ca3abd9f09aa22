// System ids on the command line (pure): mcr's are `mcr-<egress>[-<backend>]-<N>w`, so
// that mcr runs once per egress kind (`mcr-frame-1w`, `mcr-socket-1w`) and, when asked,
// with a forced backend or more workers (`mcr-socket-syscalls-1w`, `mcr-frame-2w`).
// Ids an earlier bench used are refused with their new name, not silently mapped.
// A one-stream system that relays IPv6 too has an IPv6 variant, its id with `-v6`
// (`mcr-frame-1w-v6`, `nft-v6`): the same chain and stream over IPv6.
// A suffix `-ts` or `-tsplain` sends RTP-MPEG-TS traffic (mcr gen --payload rtp-mpegts)
// with and without payload = "rtp-mpegts" on the rule: the cost of stream analysis.
import type { Egress } from './mcr-rules.js';

export type Backend = 'auto' | 'io_uring' | 'syscalls';

/** The kernel's own fast path: what every ratio is taken against. */
export const KERNEL_FAST = 'nft';
/** mcr with frame egress, the system the issue's targets are about. */
export const MCR_FRAME = 'mcr-frame-1w';
/** mcr as it is today: socket egress. */
export const MCR_SOCKET = 'mcr-socket-1w';

/** The traffic and rule setting of a stream-health variant: RTP-MPEG-TS datagrams
 * (1,328 B), relayed with payload = "rtp-mpegts" ("ts") or without it ("tsplain"). */
export type McrMedia = 'ts' | 'tsplain';

export interface McrSystem {
  egress: Egress;
  backend: Backend;
  workers: number;
  media?: McrMedia;
}

const BACKEND_WORDS: Record<string, Backend> = { uring: 'io_uring', syscalls: 'syscalls' };

export function parseMcrId(id: string): McrSystem | null {
  const match = /^mcr-(frame|socket)(?:-(uring|syscalls))?-(\d{1,3})w(?:-(ts|tsplain))?$/.exec(id);
  if (!match) return null;
  const workers = Number(match[3]);
  if (workers < 1 || workers > 256) return null;
  const media = match[4] as McrMedia | undefined;
  return { egress: match[1] as Egress, backend: match[2] ? (BACKEND_WORDS[match[2]] as Backend) : 'auto', workers, ...(media ? { media } : {}) };
}

export function mcrId(s: McrSystem): string {
  const backend = s.backend === 'auto' ? '' : `-${s.backend === 'io_uring' ? 'uring' : 'syscalls'}`;
  return `mcr-${s.egress}${backend}-${s.workers}w${s.media ? `-${s.media}` : ''}`;
}

/** Ids of earlier benches and what measures the same thing now. */
export const RENAMED: Record<string, string> = {
  kernel: 'smcroute (kernel multicast routing) or nft (the kernel fast path)',
  'mcr-uring-1w': 'mcr-socket-uring-1w (or mcr-frame-1w)',
  'mcr-uring-2w': 'mcr-socket-uring-2w',
  'mcr-syscalls-1w': 'mcr-socket-syscalls-1w',
};

/** mcr, and the kernel fast path: the systems with an IPv6 variant. */
export const IPV6_SUFFIX = '-v6';

/** The id an IPv6 variant's id is the variant of, or null if it is not one. */
export function ipv6VariantOf(id: string): string | null {
  if (!id.endsWith(IPV6_SUFFIX)) return null;
  const base = id.slice(0, -IPV6_SUFFIX.length);
  return base === KERNEL_FAST || parseMcrId(base) ? base : null;
}

/** The kernel fast path a system's ratios are taken against: nft for IPv4, nft-v6 for
 * an IPv6 variant (the same family, so that the ratio is about the relay). */
export function kernelReferenceOf(id: string): string {
  return id.endsWith(IPV6_SUFFIX) ? `${KERNEL_FAST}${IPV6_SUFFIX}` : KERNEL_FAST;
}

/** Ids valid without being mcr ids (registry.ts makes them). */
export const FIXED_IDS = ['none', 'baseline', KERNEL_FAST, 'smcroute', 'socat'];

export const DEFAULT_SYSTEMS = [
  'none',
  KERNEL_FAST,
  'smcroute',
  'socat',
  'baseline',
  MCR_FRAME,
  MCR_SOCKET,
  `${KERNEL_FAST}${IPV6_SUFFIX}`,
  `${MCR_FRAME}${IPV6_SUFFIX}`,
  `${MCR_SOCKET}${IPV6_SUFFIX}`,
];

/** Problems with a --systems list, one line each (empty: all known). */
export function checkSystemIds(ids: readonly string[]): string[] {
  return ids
    .filter((id) => !FIXED_IDS.includes(id) && !parseMcrId(id) && !ipv6VariantOf(id))
    .map((id) => (RENAMED[id] ? `${id} was renamed: use ${RENAMED[id]}` : `unknown system ${id}`));
}
