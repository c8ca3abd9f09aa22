// Process exit codes, from sysexits.h, so scripts and systemd can tell failures apart.
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** The command line was wrong. */
export const EXIT_USAGE = 64;
/** The rules file could not be read. */
export const EXIT_NOINPUT = 66;
/** A needed service (the native data plane) is not available. */
export const EXIT_UNAVAILABLE = 69;
/** The rules file is invalid. */
export const EXIT_CONFIG = 78;
