// Writes the stats file (and the Prometheus text file) atomically: to a temporary file
// in the same directory, then renamed over the old one, so a reader never sees half a
// file. Creates the directory if needed. Never writes through another user's hands:
// the directory and every one on the way to it must be owned by root or mcrd's user
// and writable by no one else but mcrd's own group (else UnsafeStatsPath), the temporary file is created
// new (O_EXCL) without following a link (O_NOFOLLOW), and rename() replaces a
// symbolic link planted at the final path instead of writing where it points.
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { checkPathTrust, describeTrustProblem, ownGid, trustedUids } from '../security/path-trust.js';

let written = 0;

/** The directory is one that someone mcrd does not trust could redirect. */
export class UnsafeStatsPath extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(`refusing to write ${path}: ${problems.join('; ')}`);
    this.name = 'UnsafeStatsPath';
  }
}

/** `.NAME.PID.N.tmp`: the writer's pid in the name lets a later mcrd clear a dead one's. */
export function temporaryName(path: string, pid: number, serial: number): string {
  return join(dirname(path), `.${basename(path)}.${pid}.${serial}.tmp`);
}

/** Matches the temporary names of writes of `path`; group 1 is the writer's pid. */
export function temporaryNamePattern(path: string): RegExp {
  const escaped = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${escaped}\\.(\\d+)\\.\\d+\\.tmp$`);
}

export async function writeAtomically(path: string, text: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  // Group write is allowed for mcrd's own group (root:mcr 0775 for a shared textfile directory).
  const { problems } = checkPathTrust(directory, 'directory', trustedUids(), [ownGid()]);
  if (problems.length > 0) throw new UnsafeStatsPath(path, problems.map((problem) => describeTrustProblem(problem)));
  // Unique per write: two writes in flight must never rename each other's file.
  written += 1;
  const temporary = temporaryName(path, process.pid, written);
  let created = false;
  try {
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    created = true;
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    if (created) await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
