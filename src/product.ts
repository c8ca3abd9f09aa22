// Facts about mcr that its two programs share: the version, the default paths, and the
// process exit codes. Both `mcr` and `mcrd` import them from here, so neither reaches
// into the other's command files. Nothing here does I/O except reading the version.
import { readFileSync } from 'node:fs';

/** The rules file both programs read unless told otherwise. */
export const DEFAULT_CONFIG = '/etc/mcr.toml';

/** Where mcrd writes its stats unless its stats_file setting says otherwise. */
export const DEFAULT_STATS_FILE = '/run/mcr/stats.json';

/** The version in package.json (the packages are built from the same number). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

// Exit codes, from sysexits.h, so scripts and systemd can tell failures apart.
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** The command line was wrong. */
export const EXIT_USAGE = 64;
/** The rules file could not be read. */
export const EXIT_NOINPUT = 66;
/** A needed service (the native data plane) is not available. */
export const EXIT_UNAVAILABLE = 69;
/** A privilege is missing (CAP_NET_RAW, or root for the demo). */
export const EXIT_NOPERM = 77;
/** The rules file is refused: invalid, unsafe, or over its limits. */
export const EXIT_CONFIG = 78;
