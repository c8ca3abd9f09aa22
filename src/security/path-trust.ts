// Whether a path can be changed by anyone mcrd does not trust, as sshd's StrictModes
// asks of authorized_keys: the file (or directory) and every directory on the way to
// it, symbolic links followed one hop at a time as the kernel does, must be owned by a
// trusted user (root, or the user mcrd runs as) and writable by no one else. A
// directory writable by others but sticky (/tmp) is accepted: there, no one can rename
// or delete an entry they do not own, and the entry itself is checked next. Reads
// metadata only (lstat, readlink); never opens, follows or writes anything.
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export type TrustProblemKind = 'owner' | 'writable' | 'not-a-file' | 'not-a-directory' | 'missing' | 'symlink-loop';

export interface TrustProblem {
  readonly kind: TrustProblemKind;
  /** The path as met on the way (after any symbolic link before it). */
  readonly path: string;
  readonly what: 'file' | 'directory' | 'symbolic link' | 'special file';
  readonly uid?: number;
  readonly mode?: number;
}

export interface TrustReport {
  /** The path with every symbolic link resolved. */
  readonly resolved: string;
  readonly problems: readonly TrustProblem[];
  /** lstat of the resolved target, when it exists. */
  readonly target?: Stats;
}

/** The primary group of the user this process runs as. */
export function ownGid(): number {
  return process.getegid?.() ?? 0;
}

/** Root and the user this process runs as. */
export function trustedUids(): number[] {
  const euid = process.geteuid?.() ?? 0;
  return euid === 0 ? [0] : [0, euid];
}

/** Linux's own bound on symbolic links followed in one path lookup. */
const MAX_SYMLINKS = 40;
const STICKY = 0o1000;
const GROUP_OR_OTHER_WRITE = 0o022;

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

function parent(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

function describeKind(stat: Stats): TrustProblem['what'] {
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symbolic link';
  return stat.isFile() ? 'file' : 'special file';
}

export interface TrustPolicy {
  /** Owners allowed: root and mcrd's user. */
  readonly uids: readonly number[];
  /** Groups whose write permission is allowed too (the stats directory may be mcrd's group's). */
  readonly writerGids?: readonly number[];
}

function inspect(path: string, stat: Stats, policy: TrustPolicy, problems: TrustProblem[]): void {
  const what = describeKind(stat);
  if (!policy.uids.includes(stat.uid)) problems.push({ kind: 'owner', path, what, uid: stat.uid });
  // A symbolic link's own mode is always 0777 and means nothing.
  if (stat.isSymbolicLink()) return;
  const sticky = stat.isDirectory() && (stat.mode & STICKY) !== 0;
  const groupAllowed = policy.writerGids?.includes(stat.gid) === true;
  const writable = stat.mode & (groupAllowed ? 0o002 : GROUP_OR_OTHER_WRITE);
  if (writable !== 0 && !sticky) problems.push({ kind: 'writable', path, what, mode: stat.mode & 0o7777 });
}

/**
 * Walks path from / as the kernel would resolve it, checking each directory entered,
 * each symbolic link met and the final target (which must be of the kind expected).
 * A relative path starts at the working directory.
 */
export function checkPathTrust(
  path: string,
  expect: 'file' | 'directory',
  uids: readonly number[] = trustedUids(),
  writerGids: readonly number[] = [],
): TrustReport {
  const trusted: TrustPolicy = { uids, writerGids };
  const problems: TrustProblem[] = [];
  const start = path.startsWith('/') ? path : join(process.cwd(), path);
  let pending = components(start);
  let current = '/';
  inspect('/', lstatSync('/'), trusted, problems);
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '..') {
      current = parent(current);
      continue;
    }
    const next = current === '/' ? `/${name}` : `${current}/${name}`;
    let stat: Stats;
    try {
      stat = lstatSync(next);
    } catch {
      problems.push({ kind: 'missing', path: next, what: pending.length > 0 ? 'directory' : expect });
      return { resolved: next, problems };
    }
    if (stat.isSymbolicLink()) {
      inspect(next, stat, trusted, problems);
      hops += 1;
      if (hops > MAX_SYMLINKS) {
        problems.push({ kind: 'symlink-loop', path: next, what: 'symbolic link' });
        return { resolved: next, problems };
      }
      const target = readlinkSync(next);
      if (target.startsWith('/')) current = '/';
      pending = [...components(target), ...pending];
      continue;
    }
    const last = pending.length === 0;
    if (!last && !stat.isDirectory()) {
      problems.push({ kind: 'not-a-directory', path: next, what: 'file' });
      return { resolved: next, problems };
    }
    current = next;
    inspect(next, stat, trusted, problems);
    if (!last) continue;
    if (expect === 'file' && !stat.isFile()) problems.push({ kind: 'not-a-file', path: next, what: describeKind(stat) });
    if (expect === 'directory' && !stat.isDirectory()) problems.push({ kind: 'not-a-directory', path: next, what: 'file' });
    return { resolved: next, problems, target: stat };
  }
  // The path named / itself, or resolved to it.
  const root = lstatSync('/');
  if (expect === 'file') problems.push({ kind: 'not-a-file', path: '/', what: 'directory' });
  return { resolved: current, problems, target: root };
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function writers(mode: number): string {
  const group = (mode & 0o020) !== 0;
  const other = (mode & 0o002) !== 0;
  return group && other ? 'its group and by others' : group ? 'its group' : 'others';
}

/** Who may own things: "root" or "root or uid 998 (the user mcrd runs as)". */
export function describeTrusted(uids: readonly number[] = trustedUids()): string {
  const others = uids.filter((uid) => uid !== 0);
  return others.length === 0 ? 'root' : `root or uid ${others.join(', ')} (the user mcrd runs as)`;
}

/** One plain sentence per problem, ending with the command that fixes it. */
export function describeTrustProblem(problem: TrustProblem, uids: readonly number[] = trustedUids()): string {
  const { path, what } = problem;
  switch (problem.kind) {
    case 'owner': {
      const chown = what === 'symbolic link' ? `chown -h root ${path}` : `chown root ${path}`;
      return `${what} ${path} is owned by uid ${problem.uid}, not by ${describeTrusted(uids)}; fix: ${chown}`;
    }
    case 'writable': {
      const mode = problem.mode ?? 0;
      const bits = `${(mode & 0o020) !== 0 ? 'g' : ''}${(mode & 0o002) !== 0 ? 'o' : ''}`;
      return `${what} ${path} is writable by ${writers(mode)} (mode ${octal(mode)}); fix: chmod ${bits}-w ${path}`;
    }
    case 'not-a-file':
      return `${path} is a ${what}, not a regular file`;
    case 'not-a-directory':
      return `${path} is not a directory`;
    case 'missing':
      return `${path}: no such ${what}`;
    case 'symlink-loop':
      return `${path}: more than ${MAX_SYMLINKS} symbolic links on the way (a loop?)`;
  }
}
