// Notices every way a rules file gets changed: a write in place, an editor's rename
// over it, delete and recreate, and a symlink swapped to point elsewhere (as config
// management does). It watches the file's directory, not the file, because a rename
// or a swapped link replaces the inode a file watch would hold; and, when the file is
// a symlink, the target's directory as well. Events are coalesced: one call per burst.
import { watch, type FSWatcher } from 'chokidar';
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const DEBOUNCE_MS = 150;

function target(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function directoriesOf(paths: Set<string>): Set<string> {
  return new Set([...paths].map((path) => dirname(path)));
}

export class ConfigWatcher {
  private watcher: FSWatcher;
  private timer: NodeJS.Timeout | undefined;
  /** The config's names (the link and its target) and the directories holding them. */
  private watched: Set<string>;
  private directories: Set<string>;
  /** Resolves once changes are being watched: a change before then could be missed. */
  readonly ready: Promise<void>;

  constructor(
    private readonly path: string,
    private readonly onChange: () => void,
    onError: (message: string) => void = () => {},
  ) {
    this.path = resolve(path);
    this.watched = this.paths();
    this.directories = directoriesOf(this.watched);
    this.watcher = watch([...this.directories], {
      ignoreInitial: true,
      depth: 0,
      followSymlinks: false,
      // Only the file's own names: /etc holds hundreds of files, some unreadable to the
      // unprivileged user mcrd runs as (an unreadable one would be a watch error).
      ignored: (candidate) => !this.directories.has(resolve(candidate)) && !this.watched.has(resolve(candidate)),
      ignorePermissionErrors: true,
    });
    this.watcher.on('all', (_event, changed) => this.consider(resolve(changed)));
    // A watch error must never stop the daemon: SIGHUP still reloads.
    this.watcher.on('error', (error) => onError(`watching ${this.path}: ${(error as Error).message}`));
    this.ready = new Promise((done) => this.watcher.once('ready', () => done()));
  }

  close(): Promise<void> {
    clearTimeout(this.timer);
    return this.watcher.close();
  }

  /** The link itself and, when it is one, what it points to. */
  private paths(): Set<string> {
    return new Set([this.path, target(this.path)]);
  }

  private consider(changed: string): void {
    if (!this.watched.has(changed)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      // A swapped link may now point into another directory: follow it.
      this.watched = this.paths();
      this.directories = directoriesOf(this.watched);
      this.watcher.add([...this.directories]);
      this.onChange();
    }, DEBOUNCE_MS);
  }
}
