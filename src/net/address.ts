// IP addresses of both families as one type: parsing every textual form, the canonical
// text that keys and messages use, and classification by role (multicast and its scope,
// unicast, link-local, loopback...). Pure: no sockets, no name resolution. What a rules
// file may hold is decided elsewhere (the schema, config/semantic.ts); this module only
// says what an address is.

export type Family = 'ipv4' | 'ipv6';

export interface Address {
  readonly family: Family;
  /** Network byte order: 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: readonly number[];
  /** The IPv6 zone after "%" (an interface name or index), as written; null without one. */
  readonly zone: string | null;
  /** The canonical text: IPv4 as a dotted quad, IPv6 as RFC 5952 has it, then "%zone".
   * Two spellings of one address have the same text, so it is what identities use. */
  readonly text: string;
}

export type ParseResult = { readonly ok: true; readonly address: Address } | { readonly ok: false; readonly reason: string };

/** How far a multicast group reaches (the IPv6 scope field; the IPv4 ranges that mean the same). */
export type MulticastScope =
  | 'interface-local'
  | 'link-local'
  | 'realm-local'
  | 'admin'
  | 'site'
  | 'organization'
  | 'global'
  | 'unassigned'
  | 'reserved';

export type AddressKind =
  | 'multicast'
  | 'unicast'
  /** fe80::/10 and 169.254.0.0/16: unicast that only means something on one link. */
  | 'link-local'
  | 'loopback'
  | 'unspecified'
  /** ::ffff:0:0/96: an IPv4 address written as IPv6, never on an IPv6 wire. */
  | 'ipv4-mapped'
  | 'reserved'
  /** 255.255.255.255 (IPv4 only). */
  | 'broadcast';

export type Classification =
  | { readonly kind: 'multicast'; readonly scope: MulticastScope }
  | { readonly kind: Exclude<AddressKind, 'multicast'> };

const fail = (reason: string): ParseResult => ({ ok: false, reason });

function make(family: Family, bytes: number[], zone: string | null, text?: string): Address {
  const canonical = text ?? (family === 'ipv4' ? bytes.join('.') : formatIpv6(bytes) + (zone === null ? '' : `%${zone}`));
  return Object.freeze({ family, bytes: Object.freeze(bytes), zone, text: canonical });
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** A dotted quad as ipv4Bytes accepts it: the common case, matched in one step. */
const DOTTED_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Why a dotted quad is not one, or its four bytes. Leading zeros are refused: some
 * parsers read "010" as octal 8, so the file would mean different things to different tools. */
function ipv4Bytes(text: string): number[] | string {
  const parts = text.split('.');
  if (parts.length !== 4) return `an IPv4 address has 4 numbers separated by dots (got ${parts.length})`;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d+$/.test(part)) return part === '' ? 'an IPv4 address has an empty number' : `"${part}" is not a decimal number`;
    if (part.length > 1 && part.startsWith('0')) return `"${part}" has a leading zero, which some tools read as octal`;
    const value = Number(part);
    if (value > 255) return `${part} is over 255`;
    bytes.push(value);
  }
  return bytes;
}

/** The groups on one side of "::" (or of the whole address), with an IPv4 tail as two groups. */
function ipv6Groups(side: string, last: boolean): number[] | string {
  if (side === '') return [];
  const pieces = side.split(':');
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (piece.includes('.')) {
      if (!last || index !== pieces.length - 1) return `the IPv4 part "${piece}" may only end the address`;
      const bytes = ipv4Bytes(piece);
      if (typeof bytes === 'string') return `in the IPv4 part: ${bytes}`;
      groups.push(((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0), ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0));
    } else if (piece === '') {
      return 'an IPv6 address has an empty group (one ":" too many, or too few)';
    } else if (!/^[0-9a-f]+$/i.test(piece)) {
      return `"${piece}" is not a hexadecimal group`;
    } else if (piece.length > 4) {
      return `the group "${piece}" has more than 4 hexadecimal digits`;
    } else {
      groups.push(parseInt(piece, 16));
    }
  }
  return groups;
}

function parseIpv6(text: string): ParseResult {
  const percent = text.indexOf('%');
  const body = percent < 0 ? text : text.slice(0, percent);
  const zone = percent < 0 ? null : text.slice(percent + 1);
  if (zone !== null) {
    if (zone === '') return fail('the zone after "%" is empty');
    // An interface name (at most 15 characters on Linux) or index.
    if (zone.length > 15 || /[\s%/]/.test(zone)) return fail(`the zone "${zone}" is not an interface name or index`);
  }
  if (body.includes(':::')) return fail('an IPv6 address has ":::" in it');
  const gap = body.indexOf('::');
  if (gap >= 0 && body.indexOf('::', gap + 1) >= 0) return fail('"::" may appear only once in an IPv6 address');
  const head = gap < 0 ? body : body.slice(0, gap);
  const tail = gap < 0 ? '' : body.slice(gap + 2);
  const before = ipv6Groups(head, gap < 0);
  if (typeof before === 'string') return fail(before);
  const after = ipv6Groups(tail, true);
  if (typeof after === 'string') return fail(after);
  const written = before.length + after.length;
  if (gap < 0 && written !== 8) return fail(`an IPv6 address has 8 groups, or "::" for a run of zeros (got ${written})`);
  if (gap >= 0 && written > 7) return fail(`"::" stands for at least one group of zeros, and ${written} groups are written besides`);
  const groups = [...before, ...Array<number>(8 - written).fill(0), ...after];
  return { ok: true, address: make('ipv6', groups.flatMap((group) => [group >> 8, group & 0xff]), zone) };
}

/** Parses an IPv4 dotted quad or any IPv6 text form (RFC 4291 section 2.2, with an
 * optional "%zone"); the reason says what is wrong when it is neither. */
export function parseAddress(text: string): ParseResult {
  if (text === '') return fail('an address is empty');
  if (text.includes(':')) return parseIpv6(text);
  const quad = DOTTED_QUAD.exec(text);
  // Written as the canonical text already: no leading zeros, nothing else.
  if (quad) return { ok: true, address: make('ipv4', quad.slice(1).map(Number), null, text) };
  if (text.includes('%')) return fail('a zone ("%...") belongs to IPv6 addresses only');
  const bytes = ipv4Bytes(text);
  return typeof bytes === 'string' ? fail(bytes) : { ok: true, address: make('ipv4', bytes, null) };
}

/** The address of text that has been validated already: a failure here is a bug. */
export function addressOf(text: string): Address {
  const result = parseAddress(text);
  if (!result.ok) throw new Error(`internal error: "${text}" was taken for an address: ${result.reason}`);
  return result.address;
}

/** The canonical text of an address as written, or the text itself when it is none
 * (so checks that run on unvalidated input can still name it). */
export function canonicalText(text: string): string {
  const result = parseAddress(text);
  return result.ok ? result.address.text : text;
}

function isIpv4Mapped(bytes: readonly number[]): boolean {
  return bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups (the
 * first of equals) as "::"; an IPv4-mapped address ends in its dotted quad (section 5). */
function formatIpv6(bytes: readonly number[]): string {
  if (isIpv4Mapped(bytes)) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - start > best.length) best = { start, length: end - start };
    start = end === start ? start + 1 : end;
  }
  const hex = (list: number[]) => list.map((group) => group.toString(16)).join(':');
  if (best.length < 2) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

const IPV6_SCOPES: Record<number, MulticastScope> = {
  0x0: 'reserved',
  0x1: 'interface-local',
  0x2: 'link-local',
  0x3: 'realm-local',
  0x4: 'admin',
  0x5: 'site',
  0x8: 'organization',
  0xe: 'global',
  0xf: 'reserved',
};

function classifyIpv4(bytes: readonly number[]): Classification {
  const [a = 0, b = 0, c = 0] = bytes;
  if (bytes.every((byte) => byte === 255)) return { kind: 'broadcast' };
  if (a === 0) return { kind: 'unspecified' }; // 0.0.0.0/8: "this network"
  if (a === 127) return { kind: 'loopback' };
  if (a >= 224 && a <= 239) {
    // RFC 5771: 224.0.0.0/24 never leaves the link; RFC 2365: 239/8 is scoped by the site's own borders.
    const scope: MulticastScope = a === 224 && b === 0 && c === 0 ? 'link-local' : a === 239 ? 'admin' : 'global';
    return { kind: 'multicast', scope };
  }
  if (a >= 240) return { kind: 'reserved' };
  if (a === 169 && b === 254) return { kind: 'link-local' };
  return { kind: 'unicast' };
}

function classifyIpv6(bytes: readonly number[]): Classification {
  const [first = 0, second = 0] = bytes;
  if (first === 0xff) return { kind: 'multicast', scope: IPV6_SCOPES[second & 0x0f] ?? 'unassigned' };
  if (first === 0xfe && (second & 0xc0) === 0x80) return { kind: 'link-local' };
  if (first === 0xfe && (second & 0xc0) === 0xc0) return { kind: 'reserved' }; // fec0::/10, site-local, deprecated (RFC 3879)
  if (first === 0) {
    if (isIpv4Mapped(bytes)) return { kind: 'ipv4-mapped' };
    const leading = bytes.slice(0, 15).every((byte) => byte === 0);
    if (leading && bytes[15] === 0) return { kind: 'unspecified' };
    if (leading && bytes[15] === 1) return { kind: 'loopback' };
    return { kind: 'reserved' }; // the rest of ::/8, IPv4-compatible addresses included (deprecated)
  }
  return { kind: 'unicast' };
}

export function classify(address: Address): Classification {
  return address.family === 'ipv4' ? classifyIpv4(address.bytes) : classifyIpv6(address.bytes);
}

export function isMulticast(address: Address): boolean {
  return classify(address).kind === 'multicast';
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (::ffff:a.b.c.d), else null. */
export function mappedIpv4(address: Address): Address | null {
  if (address.family !== 'ipv6' || !isIpv4Mapped(address.bytes)) return null;
  return make('ipv4', address.bytes.slice(12), null);
}

/** The address without its zone: a link-scope address in a rule needs none, since the
 * rule's interface is its link, so "ff02::fb%eth0" on eth0 and "ff02::fb" are one. */
export function withoutZone(address: Address): Address {
  return address.zone === null ? address : make(address.family, [...address.bytes], null);
}

/** Only meaningful on one link: link-local unicast (fe80::/10, 169.254.0.0/16) and
 * multicast of link or interface scope (224.0.0.0/24, ff02::/16, ff01::/16). */
export function isLinkScope(address: Address): boolean {
  const classification = classify(address);
  if (classification.kind === 'link-local') return true;
  return classification.kind === 'multicast' && (classification.scope === 'link-local' || classification.scope === 'interface-local');
}
