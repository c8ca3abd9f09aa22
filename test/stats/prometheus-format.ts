// Test helper: reads Prometheus text exposition (format 0.0.4) and lists every way it
// breaks the format, so a test can say "this is valid" without a Prometheus at hand.
// Shared by the formatter's unit tests and the daemon's integration test, which checks
// the text file mcrd writes. Pure. It is as strict as the textfile collector (which
// refuses timestamps) and, by default, also holds mcr's naming conventions (counters
// end in _total, nothing else does, counters are never negative).

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  line: number;
}

export interface ExpositionFamily {
  name: string;
  help?: string;
  type?: string;
  samples: ExpositionSample[];
}

export interface Exposition {
  families: Map<string, ExpositionFamily>;
  /** "line N: what is wrong"; empty when the text is valid. */
  problems: string[];
}

export interface CheckOptions {
  /** Accept a timestamp after a sample's value (the textfile collector does not). */
  allowTimestamps?: boolean;
  /** Skip the naming conventions (_total on counters only). Default false. */
  formatOnly?: boolean;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;
const TIMESTAMP = /^-?\d+$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const UNESCAPE: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

/** Labels from the text just after "{": the labels and where the "}" is, or a problem. */
function parseLabels(text: string, start: number): { labels: Record<string, string>; end: number } | string {
  const labels: Record<string, string> = {};
  let at = start;
  while (text[at] !== '}') {
    const name = /^[^=,}"]*/.exec(text.slice(at))?.[0] ?? '';
    if (!LABEL_NAME.test(name)) return `bad label name "${name}"`;
    if (name.startsWith('__')) return `label name "${name}" is reserved (starts with __)`;
    if (name in labels) return `label "${name}" given twice`;
    at += name.length;
    if (text[at] !== '=' || text[at + 1] !== '"') return `label ${name}: expected ="value"`;
    at += 2;
    let value = '';
    for (;;) {
      const c = text[at];
      if (c === undefined) return `label ${name}: unterminated value`;
      at += 1;
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const escaped = UNESCAPE[text[at] ?? ''];
      if (escaped === undefined) return `label ${name}: invalid escape "\\${text[at] ?? ''}" (only \\\\, \\" and \\n)`;
      value += escaped;
      at += 1;
    }
    labels[name] = value;
    if (text[at] === ',') at += 1;
    else if (text[at] !== '}') return `label ${name}: expected "," or "}" after the value`;
  }
  return { labels, end: at };
}

/** The family a sample name belongs to: itself, or a histogram's or summary's base. */
function familyOf(name: string, families: Map<string, ExpositionFamily>): ExpositionFamily | undefined {
  const own = families.get(name);
  if (own) return own;
  const match = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = match ? families.get(match[1] ?? '') : undefined;
  if (base?.type === 'histogram' || (base?.type === 'summary' && match?.[2] !== 'bucket')) return base;
  return undefined;
}

export function parseExposition(text: string, options: CheckOptions = {}): Exposition {
  const families = new Map<string, ExpositionFamily>();
  const problems: string[] = [];
  const seen = new Set<string>();
  let current = '';
  if (text !== '' && !text.endsWith('\n')) problems.push('the text must end with a newline');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  // The lines of a family must be together; touching one already left is an error.
  const enter = (name: string, n: number): ExpositionFamily => {
    let family = families.get(name);
    if (!family) {
      family = { name, samples: [] };
      families.set(name, family);
    } else if (current !== name) problems.push(`line ${n}: the lines of ${name} are not together`);
    current = name;
    return family;
  };
  lines.forEach((line, index) => {
    const n = index + 1;
    if (line.trim() === '') return;
    const meta = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (!METRIC_NAME.test(name)) return problems.push(`line ${n}: bad metric name "${name}"`);
      // Both are required before the first sample, so a late one is a second one.
      const family = enter(name, n);
      if (kind === 'HELP') {
        if (family.help !== undefined) problems.push(`line ${n}: second HELP for ${name}`);
        if (rest.replace(/\\[\\n]/g, '').includes('\\')) problems.push(`line ${n}: invalid escape in HELP (only \\\\ and \\n)`);
        family.help = rest.replace(/\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      } else {
        if (family.type !== undefined) problems.push(`line ${n}: second TYPE for ${name}`);
        if (!TYPES.has(rest.trim())) problems.push(`line ${n}: unknown TYPE "${rest}"`);
        family.type = rest.trim();
      }
      return;
    }
    if (line.startsWith('#')) return; // any other comment
    const name = /^[^\s{]*/.exec(line)?.[0] ?? '';
    if (!METRIC_NAME.test(name)) return problems.push(`line ${n}: bad metric name "${name}"`);
    let labels: Record<string, string> = {};
    let rest = line.slice(name.length);
    if (rest.startsWith('{')) {
      const parsed = parseLabels(line, name.length + 1);
      if (typeof parsed === 'string') return problems.push(`line ${n}: ${parsed}`);
      labels = parsed.labels;
      rest = line.slice(parsed.end + 1);
    }
    const fields = rest.trim().split(/\s+/);
    if (!/^\s/.test(rest) || fields.length > 2) return problems.push(`line ${n}: expected "NAME{LABELS} VALUE"`);
    const [value = '', timestamp] = fields;
    if (!FLOAT.test(value)) return problems.push(`line ${n}: value "${value}" is not a float`);
    if (timestamp !== undefined && !TIMESTAMP.test(timestamp)) problems.push(`line ${n}: timestamp "${timestamp}" is not an integer`);
    else if (timestamp !== undefined && !options.allowTimestamps) problems.push(`line ${n}: a timestamp (the textfile collector refuses them)`);
    const family = familyOf(name, families);
    if (!family?.help || !family.type) return problems.push(`line ${n}: ${name} has no HELP and TYPE before it`);
    enter(family.name, n);
    const key = `${name}{${Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (seen.has(key)) problems.push(`line ${n}: duplicate series ${key}`);
    seen.add(key);
    const number = value === 'NaN' ? NaN : value.endsWith('Inf') ? (value.startsWith('-') ? -Infinity : Infinity) : Number(value);
    if (family.type === 'counter' && number < 0) problems.push(`line ${n}: counter ${name} is negative`);
    family.samples.push({ name, labels, value: number, line: n });
  });
  for (const family of families.values()) {
    if (family.help === undefined) problems.push(`${family.name} has no HELP`);
    if (family.type === undefined) problems.push(`${family.name} has no TYPE`);
  }
  if (!options.formatOnly) {
    for (const family of families.values()) {
      if (family.type === 'counter' && !family.name.endsWith('_total')) problems.push(`counter ${family.name} does not end in _total`);
      if (family.type !== 'counter' && family.name.endsWith('_total')) problems.push(`${family.type ?? 'untyped'} ${family.name} ends in _total, which is for counters`);
    }
  }
  return { families, problems };
}

/** The problems of a text; an empty list when it is valid. */
export function checkExposition(text: string, options: CheckOptions = {}): string[] {
  return parseExposition(text, options).problems;
}

/** The value of the series with exactly these labels, or undefined: `valueOf(parseExposition(text), 'mcr_up')`. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of exposition.families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      const keys = Object.keys(sample.labels);
      if (keys.length === Object.keys(labels).length && keys.every((key) => sample.labels[key] === labels[key])) return sample.value;
    }
  }
  return undefined;
}
