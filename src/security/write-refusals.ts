// Counts the stats writes mcrd refuses because the path is not safe (UnsafeStatsPath)
// and decides what to log: the first refusal for a path, again only when the reason
// changes, and one line when writing works again with how many were refused. A stats
// file that cannot be written never stops forwarding, and never floods the log. Pure.

export class WriteRefusals {
  private readonly refused = new Map<string, { reason: string; count: number }>();

  /** Records a refusal; returns the line to log, or null when it was already said. */
  refuse(path: string, reason: string): string | null {
    const previous = this.refused.get(path);
    const count = (previous?.count ?? 0) + 1;
    this.refused.set(path, { reason, count });
    if (previous?.reason === reason) return null;
    return `${reason}; relaying goes on, and this is logged once (see docs/security.md)`;
  }

  /** Records a good write; returns the line to log when the path had been refused. */
  wrote(path: string): string | null {
    const previous = this.refused.get(path);
    if (!previous) return null;
    this.refused.delete(path);
    return `${path} is written again, after ${previous.count} refused ${previous.count === 1 ? 'write' : 'writes'}`;
  }

  /** Refused writes per path since each was last written. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.refused].map(([path, { count }]) => [path, count]));
  }
}
