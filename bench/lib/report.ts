// Small, scenario-independent helpers for results: medians and spreads, rate and
// number formatting, plain-text and Markdown tables, and writing the results files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number, n: sorted.length };
}

/** 123456 -> "123.5k"; rates are read at a glance, not to the packet. */
export function kpps(rate: number): string {
  return rate >= 1000 ? `${(rate / 1000).toFixed(1)}k` : String(Math.round(rate));
}

export function rateCell(s: Spread | null, suffix = ''): string {
  if (!s) return 'n/a';
  const range = s.n > 1 ? ` [${kpps(s.min)}–${kpps(s.max)}]` : '';
  return `${kpps(s.median)}${range}${suffix}`;
}

export function numberCell(s: Spread | null, digits = 2): string {
  if (!s) return 'n/a';
  const range = s.n > 1 ? ` [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]` : '';
  return `${s.median.toFixed(digits)}${range}`;
}

export function ratioCell(a: number | undefined, b: number | undefined, lowerBound = false): string {
  if (!a || !b) return 'n/a';
  return `${lowerBound ? '≥ ' : ''}${(a / b).toFixed(2)}×`;
}

/** Columns padded to their widest cell, for a terminal. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function writeResult(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
}

/** " (0.66×)": a figure's ratio to a reference, for a headline cell; empty when either is missing. */
export function ratioSuffix(value: number | undefined, reference: number | undefined): string {
  return value && reference ? ` (${(value / reference).toFixed(2)}×)` : '';
}

/** "not built into this kernel: no /proc/..." -> "not built into this kernel": a table cell. */
export function shortReason(reason: string): string {
  return reason.split(':')[0] ?? reason;
}
