// Numbers and durations as a person reads them in a table: "12.3k", "1.2M", "2h 3m".
// Pure. Three significant figures at most, so columns stay narrow and a glance tells
// the order of magnitude; exact values are in the stats file and in Prometheus.

const UNITS = ['', 'k', 'M', 'G', 'T', 'P'];

/** A count or a rate: 0, 0.4, 12, 999, 1.0k, 12.3k, 1.2M. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n < 0) return `-${formatCount(-n)}`;
  // A trickle must not read as silence: 0.4 pps is not 0.
  if (n < 10 && !Number.isInteger(n)) return n.toFixed(1).replace(/\.0$/, '');
  // 999.6 rounds to 1000: that is already "1.0k".
  if (n < 999.5) return String(Math.round(n));
  let unit = 1;
  let value = n / 1000;
  // 999.96k rounds to "1000.0k": carry it into the next unit instead.
  while (Number(value.toFixed(1)) >= 1000 && unit < UNITS.length - 1) {
    unit += 1;
    value /= 1000;
  }
  return `${value.toFixed(1)}${UNITS[unit]}`;
}

/** Whole seconds as the two largest units: 45s, 3m 5s, 2h 3m, 4d 2h. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** Text from the file made safe for a terminal: control characters (a newline in a rule
 * name, an escape sequence in an error) shown escaped instead of acting on the screen. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Display width in columns, counting code points (not UTF-16 units). */
export function widthOf(text: string): number {
  return [...text].length;
}

/** Cuts text to `width` columns, ending with an ellipsis when it was cut. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return '…'.slice(0, Math.max(0, width));
  return `${chars.slice(0, width - 1).join('')}…`;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - widthOf(text)));
}

export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - widthOf(text))) + text;
}
