// A booted systemd for the packaging tests: systemd as PID 1 of a container made of
// this machine's own root file system (an overlay whose writes land in a tmpfs; see
// boot-systemd.sh for what it holds and what it keeps from the host). Commands run in
// it through nsenter, as an operator's shell would run them: systemctl, journalctl,
// apt-get, ip. It owns the container's life: boot, wait until the system is up, and
// tear down (kill its PID 1, which ends every process in it, then remove its cgroup),
// when the test ends, when the process exits, and, through a parent-death signal, when
// the process is killed. A sweep removes what a killed run could not (its cgroup and
// mount-point directory). It must not reach the host: no mount, process or cgroup of
// its own may outlive it.
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processRuns } from '../../../src/daemon/leftovers.js';

const SCRIPT = fileURLToPath(new URL('./boot-systemd.sh', import.meta.url));
const NAME = /^mcrt-(\d+)-systemd-\d+$/;
const BASE = /^mcr-systemd-(\d+)-/;
const PATH = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';

interface TeardownHost {
  teardown(fn: () => unknown): void;
}

/** Where this machine mounts its cgroup2 hierarchy (unified or hybrid layout), if anywhere. */
export function cgroup2Mount(): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [mount, fs] = line.split(' - ');
    if (fs?.startsWith('cgroup2 ')) return mount?.split(' ')[4];
  }
  return undefined;
}

/** Why a booted systemd cannot run here, naming what to install, or false when it can. */
export function bootSkipReason(): string | false {
  if (process.platform !== 'linux') return 'a booted systemd needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (mounts, namespaces, cgroups)';
  const tools: Record<string, string> = {
    '/lib/systemd/systemd': 'systemd',
    '/usr/bin/unshare': 'util-linux',
    '/usr/bin/nsenter': 'util-linux',
    '/usr/bin/setpriv': 'util-linux',
    '/usr/bin/apt': 'apt',
    // The package depends on it (/bin/kill): apt, offline, must find it installed.
    '/usr/bin/pgrep': 'procps',
  };
  const missing = Object.entries(tools).filter(([path]) => !existsSync(path));
  if (missing.length > 0) return `needs ${missing.map(([path]) => path).join(', ')}: apt-get install ${missing.map(([, pkg]) => pkg).join(' ')}`;
  if (!/\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'))) return 'needs overlayfs in the kernel';
  if (!cgroup2Mount()) return 'needs a cgroup2 hierarchy mounted (at /sys/fs/cgroup or /sys/fs/cgroup/unified)';
  return false;
}

/** Removes a cgroup and its children once their processes are gone; true when gone. */
function removeCgroup(dir: string): boolean {
  if (!existsSync(dir)) return true;
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    // older kernels have no cgroup.kill; the PID namespace's end killed them anyway
  }
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) walk(join(path, entry.name));
    rmdirSync(path);
  };
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      walk(dir);
      return true;
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // EBUSY until the last process is reaped
    }
  }
  return false;
}

/** Removes the cgroups and mount-point directories of runs whose process is gone. */
export function sweepStaleSystems(): string[] {
  const swept: string[] = [];
  const cgroups = cgroup2Mount();
  for (const [dir, pattern] of [[cgroups, NAME], [tmpdir(), BASE]] as const) {
    if (!dir || !existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const pid = Number(pattern.exec(name)?.[1]);
      if (!Number.isInteger(pid) || pid === process.pid || processRuns(pid)) continue;
      const path = join(dir, name);
      if (pattern === NAME ? removeCgroup(path) : (rmdirQuietly(path), !existsSync(path))) swept.push(path);
    }
  }
  return swept;
}

function rmdirQuietly(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // not empty or already gone: left for a person to look at
  }
}

const live = new Set<BootedSystem>();
process.on('exit', () => {
  for (const system of live) system.destroySync();
});

export interface RunResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

export class BootedSystem {
  private static count = 0;
  private output = '';

  private constructor(
    private readonly holder: ChildProcess,
    private readonly base: string,
    readonly cgroup: string,
    /** systemd's PID, as this machine sees it. */
    public pid = 0,
  ) {}

  /** Boots a container and waits until systemd reports the system up; torn down with the test. */
  static async boot(host: TeardownHost, timeoutMs = 60_000): Promise<BootedSystem> {
    sweepStaleSystems();
    BootedSystem.count += 1;
    const base = mkdtempSync(join(tmpdir(), `mcr-systemd-${process.pid}-`));
    const cgroup = join(cgroup2Mount() ?? '', `mcrt-${process.pid}-systemd-${BootedSystem.count}`);
    const holder = spawn('setpriv', ['--pdeathsig', 'KILL', 'unshare', '--mount', '--propagation', 'private', '--', 'bash', SCRIPT, base, cgroup], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const system = new BootedSystem(holder, base, cgroup);
    live.add(system);
    host.teardown(() => system.destroy());
    for (const stream of [holder.stdout, holder.stderr]) stream?.on('data', (chunk: Buffer) => (system.output = (system.output + chunk.toString()).slice(-8000)));
    const deadline = Date.now() + timeoutMs;
    while (!system.pid || !existsSync(system.path('/run/systemd/system'))) {
      if (holder.exitCode !== null || holder.signalCode !== null) throw new Error(`the container ended while booting:\n${system.output}`);
      if (Date.now() > deadline) throw new Error(`systemd did not come up in ${timeoutMs} ms:\n${system.output}`);
      system.pid = system.findSystemd();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // /run/systemd/system comes a moment before systemctl's socket listens: retry until it answers.
    for (;;) {
      const state = await system.run('systemctl', ['is-system-running', '--wait'], { timeoutMs: Math.max(1000, deadline - Date.now()) });
      if (/^(running|degraded)$/.test(state.stdout)) return system;
      if (state.stdout !== '' || Date.now() > deadline) {
        throw new Error(`the system did not finish booting: ${state.stdout} ${state.stderr}\n${system.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The child of the holder once it has become systemd (before, it is sh, chroot, setpriv, env). */
  private findSystemd(): number {
    try {
      const [child] = readFileSync(`/proc/${this.holder.pid}/task/${this.holder.pid}/children`, 'utf8').trim().split(/\s+/);
      if (child && readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'systemd') return Number(child);
    } catch {
      // not forked yet
    }
    return 0;
  }

  /** This path inside the container, reachable from the host (as root). */
  path(inside: string): string {
    return `/proc/${this.pid}/root${inside}`;
  }

  /** Runs a command in the container, as root, in a service manager's small environment. */
  async run(command: string, args: readonly string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
    const env = ['-i', PATH, 'LC_ALL=C.UTF-8', 'SYSTEMD_COLORS=0', 'DEBIAN_FRONTEND=noninteractive'];
    const result = await execa('env', [...env, 'nsenter', '-t', String(this.pid), '-a', '-r', '-w', '--', command, ...args], {
      reject: false,
      timeout: options.timeoutMs ?? 60_000,
      ...(options.input === undefined ? {} : { input: options.input }),
    });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  systemctl(...args: string[]): Promise<RunResult> {
    return this.run('systemctl', ['--no-pager', ...args]);
  }

  /** `systemctl show UNIT -p ...` as a record. */
  async show(unit: string, ...properties: string[]): Promise<Record<string, string>> {
    const result = await this.systemctl('show', unit, ...properties.flatMap((p) => ['-p', p]));
    return Object.fromEntries(result.stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  /** The journal's current end, to read what comes after it. */
  async cursor(): Promise<string> {
    const result = await this.run('journalctl', ['-q', '-n', '0', '--show-cursor']);
    const cursor = /^-- cursor: (.+)$/m.exec(result.stdout)?.[1];
    if (!cursor) throw new Error(`journalctl gave no cursor: ${result.stdout} ${result.stderr}`);
    return cursor;
  }

  /** Journal entries after cursor (journalctl's own filters in args), as JSON objects. */
  async journal(after: string, ...args: string[]): Promise<Record<string, string>[]> {
    const result = await this.run('journalctl', ['--no-pager', '-o', 'json', `--after-cursor=${after}`, ...args]);
    return result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, string>);
  }

  /** Every path written in the container since boot (its overlay's upper layer). */
  changedPaths(): string[] {
    const upper = `/proc/${this.holder.pid}/root${this.base}/upper`;
    const found: string[] = [];
    const walk = (dir: string, prefix: string): void => {
      for (const name of readdirSync(dir)) {
        found.push(`${prefix}/${name}`);
        if (lstatSync(join(dir, name)).isDirectory()) walk(join(dir, name), `${prefix}/${name}`);
      }
    };
    walk(upper, '');
    return found.sort();
  }

  /** Mounts of this container still in this machine's own mount table (none, ever). */
  hostMounts(): string[] {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.includes(this.base));
  }

  /** Kills PID 1 (the kernel ends the rest of the PID namespace), then removes the cgroup. */
  async destroy(): Promise<void> {
    if (!live.has(this)) return;
    const exited = new Promise<void>((resolve) => {
      if (this.holder.exitCode !== null || this.holder.signalCode !== null) resolve();
      else this.holder.once('exit', () => resolve());
    });
    // Only PID 1: unshare then reaps it and exits, leaving nothing for the host's init.
    signal(this.pid || this.holder.pid);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    this.destroySync();
  }

  /** The synchronous teardown, also run at exit. */
  destroySync(): void {
    if (!live.delete(this)) return;
    signal(this.pid);
    signal(this.holder.pid);
    removeCgroup(this.cgroup);
    rmdirQuietly(this.base);
  }

  /** Whether systemd or its holder still run. */
  running(): boolean {
    return (this.pid > 0 && processRuns(this.pid)) || (this.holder.exitCode === null && this.holder.signalCode === null);
  }
}

/** SIGKILL: from outside its namespace, the one signal a PID 1 cannot ignore. */
function signal(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
