// A Lab owns a set of network namespaces for the life of one test, bench scenario or
// `mcr demo` run: it names them uniquely (PREFIX-<pid>[-<n>]-<label>), creates them with
// loopback up, wires them (wiring.ts), and removes them with every process started in
// them when it is destroyed, when its owner's teardown runs, and (synchronously) when
// the process exits. Namespaces that a dead process left behind are swept when the next
// Lab of the same prefix opens. It touches no namespace outside its own names, and no
// host interface. Only node: modules (the demo ships it; Node 18).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { processRuns } from '../daemon/leftovers.js';
import type { RunningCommand } from './command.js';
import { ipBatch, Netns } from './namespace.js';
import { applyWiring, inParallel, type WireSpec } from './wiring.js';

/** Tests' and the bench's namespaces start with this; `listNamespaces()` lists them. */
export const NS_PREFIX = 'mcrt-';
const NETNS_DIR = '/run/netns';

/** Who ends a Lab: tap's `t`, the bench's ScriptHost, anything with a teardown list. */
export interface TeardownHost {
  teardown(fn: () => unknown): void;
}

export interface LabOptions {
  /** The first word of every namespace name, before the pid; default "mcrt". */
  prefix?: string;
  /** Number this process's Labs (mcrt-<pid>-1, -2, ...); false for one Lab per process. */
  numbered?: boolean;
}

/** Namespaces whose names start with prefix (default: every one a test made). */
export function listNamespaces(prefix = NS_PREFIX): string[] {
  try {
    return readdirSync(NETNS_DIR).filter((name) => name.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}

/** Kills what still runs inside the namespaces, then deletes them. Synchronous, for exit. */
function removeNamespacesSync(names: readonly string[]): void {
  for (const name of names) {
    const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (names.length > 0) {
    spawnSync('ip', ['-force', '-batch', '-'], { input: names.map((name) => `netns del ${name}\n`).join('') });
  }
}

/**
 * Deletes namespaces that earlier runs left behind: those named after a process that no
 * longer exists (killed before its teardown). Live processes' namespaces, such as a test
 * file running in parallel, are left alone. `prefix` is a LabOptions prefix.
 */
export function sweepStaleNamespaces(prefix = 'mcrt'): string[] {
  const stale = listNamespaces(`${prefix}-`).filter((name) => {
    const pid = Number(name.slice(prefix.length + 1).split('-')[0]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processRuns(pid);
  });
  removeNamespacesSync(stale);
  return stale;
}

const liveLabs = new Set<Lab>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill and delete with spawnSync. (A signal that
  // kills the process runs no handler; the next Lab's sweep removes what it left.)
  process.on('exit', () => {
    for (const lab of liveLabs) lab.destroySync();
  });
}

export class Lab {
  private static count = 0;
  /** The common start of this Lab's namespace names, e.g. mcrt-4242-3. */
  readonly id: string;
  private readonly names: string[] = [];
  private readonly children = new Set<RunningCommand>();

  private constructor(id: string) {
    this.id = id;
  }

  /** A Lab destroyed by `host.teardown` (tap's t.teardown) and, failing that, at exit. */
  static create(host: TeardownHost, options: LabOptions = {}): Lab {
    const lab = Lab.open(options);
    host.teardown(() => lab.destroy());
    return lab;
  }

  /** A Lab its caller destroys (destroy or destroySync); the exit hook is the last resort. */
  static open(options: LabOptions = {}): Lab {
    const prefix = options.prefix ?? 'mcrt';
    if (!/^[a-z]{1,12}$/.test(prefix)) throw new Error(`bad Lab prefix "${prefix}" (1 to 12 letters)`);
    sweepStaleNamespaces(prefix);
    installExitHook();
    Lab.count += 1;
    const lab = new Lab(options.numbered === false ? `${prefix}-${process.pid}` : `${prefix}-${process.pid}-${Lab.count}`);
    liveLabs.add(lab);
    return lab;
  }

  /**
   * Creates one namespace per label, loopback up, in two `ip` runs whatever the count.
   * (A namespace this Lab does not own, such as a container's joined by its PID, would
   * be named with `ip netns attach` and kept out of the process kill at teardown.)
   */
  async namespaces(...labels: string[]): Promise<Netns[]> {
    const spaces = labels.map((label) => {
      if (!/^[a-z0-9-]{1,24}$/.test(label)) throw new Error(`bad namespace label "${label}"`);
      const name = `${this.id}-${label}`;
      if (this.names.includes(name)) throw new Error(`namespace label "${label}" used twice`);
      return new Netns(name, label, (child) => this.track(child));
    });
    this.names.push(...spaces.map((ns) => ns.name));
    await ipBatch(spaces.map((ns) => `netns add ${ns.name}`));
    // `ip -all netns exec` would reach other Labs' namespaces too: one call each.
    await inParallel(spaces, 8, (ns) => ns.ip('link', 'set', 'lo', 'up'));
    return spaces;
  }

  /** Creates bridges and veth pairs, then addresses them, brings them up, adds routes. */
  wire(spec: WireSpec): Promise<void> {
    return applyWiring(spec);
  }

  private track(child: RunningCommand): void {
    this.children.add(child);
    void child.finally(() => this.children.delete(child));
  }

  /** Kills this Lab's processes and deletes its namespaces (their veths go with them). */
  async destroy(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all([...this.children]);
    this.destroySync();
  }

  /** The synchronous teardown, also used by the exit hook. */
  destroySync(): void {
    for (const child of this.children) child.kill('SIGKILL');
    const existing = new Set(listNamespaces(`${this.id}-`));
    removeNamespacesSync(this.names.filter((name) => existing.has(name)));
    liveLabs.delete(this);
  }
}
