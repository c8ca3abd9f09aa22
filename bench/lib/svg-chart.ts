// A hand-written SVG line chart: panels side by side, each with logarithmic axes, one
// series per system (every point drawn, the line through the median at each x), and the
// diagonal where delivered equals offered. Pure: results in,
// SVG text out, so it can be tested without a browser and has no dependency.

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  points: Point[];
}

export interface Panel {
  title: string;
  series: Series[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
}

const PANEL_W = 420;
const PANEL_H = 320;
const MARGIN = { left: 64, right: 16, top: 40, bottom: 48 };
const LEGEND_H = 22;
/** Distinguishable on white and for the common colour-vision deficiencies (Okabe–Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Powers of ten (and 2×, 5× between them when few decades) spanning [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const few = Math.log10(hi / lo) < 2.5;
  for (let decade = 10 ** Math.floor(Math.log10(lo)); decade <= hi; decade *= 10) {
    for (const m of few ? [1, 2, 5] : [1]) {
      const v = decade * m;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

/** 1000 -> "1k", 2000000 -> "2M". */
export function shortNumber(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(3));
}

/** The smallest range of whole decades holding every positive value. */
function domain(values: number[]): [number, number] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [1e3, 1e6];
  const lo = 10 ** Math.floor(Math.log10(Math.min(...positive)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
  return [lo, hi === lo ? hi * 10 : hi];
}

const f = (v: number) => v.toFixed(1);

/** One point per distinct x, at the median y of the points there: the line through repeated trials. */
export function medianLine(points: readonly Point[]): Point[] {
  const byX = new Map<number, number[]>();
  for (const p of points) byX.set(p.x, [...(byX.get(p.x) ?? []), p.y]);
  return [...byX.entries()]
    .sort(([a], [b]) => a - b)
    .map(([x, ys]) => {
      const sorted = ys.sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return { x, y: sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2 };
    });
}

function panelSvg(panel: Panel, index: number, lo: number, hi: number, o: ChartOptions, labels: string[]): string {
  const x0 = index * PANEL_W + MARGIN.left;
  const y0 = LEGEND_H + MARGIN.top;
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const scale = (v: number) => (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
  const px = (v: number) => x0 + scale(v) * w;
  const py = (v: number) => y0 + h - scale(v) * h;
  const out: string[] = [];
  out.push(`<g class="panel">`);
  out.push(`<text x="${f(x0 + w / 2)}" y="${f(y0 - 12)}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`);
  out.push(`<rect x="${f(x0)}" y="${f(y0)}" width="${f(w)}" height="${f(h)}" fill="none" stroke="#999"/>`);
  for (const t of logTicks(lo, hi)) {
    out.push(`<line x1="${f(px(t))}" y1="${f(y0)}" x2="${f(px(t))}" y2="${f(y0 + h)}" stroke="#eee"/>`);
    out.push(`<line x1="${f(x0)}" y1="${f(py(t))}" x2="${f(x0 + w)}" y2="${f(py(t))}" stroke="#eee"/>`);
    out.push(`<text x="${f(px(t))}" y="${f(y0 + h + 16)}" text-anchor="middle">${shortNumber(t)}</text>`);
    out.push(`<text x="${f(x0 - 6)}" y="${f(py(t) + 4)}" text-anchor="end">${shortNumber(t)}</text>`);
  }
  out.push(`<line x1="${f(px(lo))}" y1="${f(py(lo))}" x2="${f(px(hi))}" y2="${f(py(hi))}" stroke="#bbb" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${f(x0 + w / 2)}" y="${f(y0 + h + 36)}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  out.push(`<text transform="translate(${f(x0 - 48)},${f(y0 + h / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  for (const s of panel.series) {
    const colour = COLOURS[labels.indexOf(s.label) % COLOURS.length];
    const points = [...s.points].filter((p) => p.x > 0).sort((a, b) => a.x - b.x);
    if (points.length === 0) continue;
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${medianLine(points).map((p) => `${f(px(p.x))},${f(py(p.y))}`).join(' ')}"/>`);
    for (const p of points) out.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="2.5" fill="${colour}"><title>${escapeXml(`${s.label}: offered ${Math.round(p.x)}, delivered ${Math.round(p.y)}`)}</title></circle>`);
  }
  out.push('</g>');
  return out.join('\n');
}

export function lineChart(panels: Panel[], o: ChartOptions): string {
  const labels = [...new Set(panels.flatMap((p) => p.series.map((s) => s.label)))];
  const [lo, hi] = domain(panels.flatMap((p) => p.series.flatMap((s) => s.points.flatMap((pt) => [pt.x, pt.y]))));
  const width = Math.max(1, panels.length) * PANEL_W;
  const legendRows = Math.ceil(labels.length / 3);
  const height = LEGEND_H + PANEL_H + legendRows * 18 + 8;
  const legend = labels.map((label, i) => {
    const x = 16 + (i % 3) * (width / 3);
    const y = LEGEND_H + PANEL_H + 8 + Math.floor(i / 3) * 18;
    return `<rect x="${f(x)}" y="${f(y)}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/><text x="${f(x + 18)}" y="${f(y + 10)}">${escapeXml(label)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`,
    ...panels.map((p, i) => panelSvg(p, i, lo, hi, o, labels)),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
