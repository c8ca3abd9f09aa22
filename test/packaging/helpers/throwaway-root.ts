// A throwaway root file system to install packages into: an overlay whose lower layer
// is this machine's own root file system, read-only, and whose upper layer is a tmpfs,
// all mounted in a private mount namespace that one holder process keeps alive. dpkg,
// the maintainer scripts and mcrd see a whole Debian system and write what they like;
// every write lands in the tmpfs, so the host's files, users and mounts never change.
// Killing the holder (teardown, exit hook, or the kernel when this process dies: the
// holder has a parent-death signal) drops the namespace and everything in it.
// /run and /tmp are fresh tmpfs, as after a boot; no systemd runs in there, as in a
// chroot or container, which the maintainer scripts must handle.
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, lstatSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netns, RunningCommand } from '../../helpers/netns.js';

interface TeardownHost {
  teardown(fn: () => unknown): void;
}

const live = new Set<ThrowawayRoot>();
process.on('exit', () => {
  for (const root of live) root.destroySync();
});

export class ThrowawayRoot {
  private constructor(
    private readonly holder: ChildProcess,
    private readonly base: string,
  ) {}

  /**
   * Mounts a new root; torn down when the test ends, whatever its outcome. Each bind
   * shows a host directory read-only at a path inside (such as this repository, which
   * may sit where the root's fresh /tmp hides it, or behind a parent the root's users
   * cannot enter).
   */
  static async create(host: TeardownHost, binds: { from: string; to: string }[] = []): Promise<ThrowawayRoot> {
    const base = mkdtempSync(join(tmpdir(), 'mcr-root-'));
    const merged = `${base}/merged`;
    const script = [
      'set -e',
      `mount -t tmpfs -o mode=0755 mcr-root ${base}`,
      `mkdir ${base}/upper ${base}/work ${merged}`,
      `mount -t overlay overlay -o lowerdir=/,upperdir=${base}/upper,workdir=${base}/work ${merged}`,
      `mount -t proc proc ${merged}/proc`,
      `mount --rbind /dev ${merged}/dev`,
      `mount --rbind /sys ${merged}/sys`,
      `mount -t tmpfs -o mode=0755 run ${merged}/run`,
      `mount -t tmpfs -o mode=1777 tmp ${merged}/tmp`,
      ...binds.flatMap(({ from, to }) => [
        `mkdir -p ${merged}${to}`,
        `mount --bind ${from} ${merged}${to}`,
        `mount -o remount,bind,ro ${merged}${to}`,
      ]),
      'echo ready',
      'exec setpriv --pdeathsig KILL sleep infinity',
    ].join('\n');
    const holder = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const root = new ThrowawayRoot(holder, base);
    live.add(root);
    host.teardown(() => root.destroySync());
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      holder.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      holder.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      holder.once('exit', (code) => reject(new Error(`could not mount the throwaway root (exit ${code}): ${stderr}`)));
    });
    return root;
  }

  /** The root's own directory, as mounted in the holder's namespace. */
  private get merged(): string {
    return `${this.base}/merged`;
  }

  /** This path inside the root, reachable from the host through the holder's namespace. */
  path(inside: string): string {
    return `/proc/${this.holder.pid}/root${this.merged}${inside}`;
  }

  /**
   * The command line that runs command inside the root, as root, with the small
   * environment a service manager gives (not this test's: its NODE_OPTIONS would load
   * the test runner's hooks into mcrd).
   */
  command(command: string, args: readonly string[]): [string, string[]] {
    const env = ['-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL=C.UTF-8'];
    return ['env', [...env, 'nsenter', '-t', String(this.holder.pid), '-m', '--', 'chroot', this.merged, command, ...args]];
  }

  /** Runs a command inside the root to completion (never rejects; check exitCode). */
  run(command: string, args: readonly string[], options: { timeoutMs?: number } = {}) {
    const [file, argv] = this.command(command, args);
    return execa(file, argv, { reject: false, timeout: options.timeoutMs ?? 60_000 });
  }

  /** Starts a command inside the root and inside a test network namespace. */
  spawnIn(ns: Netns, command: string, args: readonly string[]): RunningCommand {
    const [file, argv] = this.command(command, args);
    return ns.spawn(file, argv, { timeoutMs: 120_000 });
  }

  /**
   * Every path written in the root since it was mounted (the overlay's upper layer),
   * as "/etc/passwd"; deleted host files show as whiteouts, listed too.
   */
  changedPaths(): string[] {
    const upper = `/proc/${this.holder.pid}/root${this.base}/upper`;
    const found: string[] = [];
    const walk = (dir: string, prefix: string) => {
      for (const name of readdirSync(dir)) {
        const path = `${prefix}/${name}`;
        found.push(path);
        const stat = lstatSync(join(dir, name));
        if (stat.isDirectory()) walk(join(dir, name), path);
      }
    };
    walk(upper, '');
    return found.sort();
  }

  /** Kills the holder: the kernel unmounts everything once no process is left inside. */
  destroySync(): void {
    if (!live.delete(this)) return;
    this.holder.kill('SIGKILL');
    try {
      rmdirSync(this.base);
    } catch {
      // still a mount point for a moment in the holder's namespace; never on the host
    }
  }
}
