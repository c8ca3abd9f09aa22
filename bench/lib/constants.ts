// The addresses every bench topology shares: the sender's group, the group a rewriting
// relay sends to, and the UDP port of both.
export const IN_GROUP = '239.1.1.1';
export const OUT_GROUP = '239.2.2.2';
/** The same two for the IPv6 variants (global scope, so a hop limit of 8 is honest). */
export const IN_GROUP6 = 'ff0e::1:1';
export const OUT_GROUP6 = 'ff0e::2:2';
export const PORT = 5000;

/** Busier than this share, a machine (or the relay core) is not quiet enough to measure on. */
export const QUIET_BUSY = 0.12;
