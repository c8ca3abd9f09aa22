// The mcr test payload in TypeScript, byte for byte the same as native/tools/payload.h
// (which documents the layout): tests build datagrams with it to inject, and a test
// proves mcr-sink accepts what it builds. Pure functions, no I/O.
export const MAGIC = 0x4d435231; // "MCR1"
export const HEADER_SIZE = 24;
export const MAX_PAYLOAD = 65507;

export interface PayloadHeader {
  stream: number;
  seq: number;
  size: number;
}

function fnv1a(bytes: Uint8Array): number {
  let hash = 2166136261;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 16777619) >>> 0;
  return hash;
}

/** 0..255: where in the fill table the datagram's fill starts. */
export function seed(stream: number, seq: number): number {
  const lo = seq >>> 0;
  const hi = Math.floor(seq / 2 ** 32) >>> 0;
  const mixed = (Math.imul(stream, 0x9e3779b1) + Math.imul(lo, 0x85ebca77) + Math.imul(hi, 0xc2b2ae3d)) >>> 0;
  return mixed >>> 24;
}

/** Byte i (i >= 24) of a payload whose seed is s. */
export function fillByte(s: number, i: number): number {
  const k = s + i;
  return (k + 131 * (k >>> 8)) & 0xff;
}

/** The whole UDP payload, h.size bytes; below 24 bytes, the header cut short. */
export function encodePayload(h: PayloadHeader): Buffer {
  if (!Number.isInteger(h.size) || h.size < 0 || h.size > MAX_PAYLOAD) throw new RangeError(`payload size ${h.size} out of 0..${MAX_PAYLOAD}`);
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt32BE(MAGIC, 0);
  header.writeUInt32BE(h.stream >>> 0, 4);
  header.writeBigUInt64BE(BigInt(h.seq), 8);
  header.writeUInt32BE(h.size, 16);
  header.writeUInt32BE(fnv1a(header.subarray(0, 20)), 20);
  const payload = Buffer.alloc(h.size);
  header.copy(payload, 0, 0, Math.min(h.size, HEADER_SIZE));
  const s = seed(h.stream, h.seq);
  for (let i = HEADER_SIZE; i < h.size; i++) payload[i] = fillByte(s, i);
  return payload;
}
