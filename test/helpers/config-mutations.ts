// Seeded mutations of rules files for the config fuzz tests: byte-level damage (flips,
// inserts, deletes, truncation, odd UTF-8, NUL and control characters, very long lines)
// and TOML-aware edits (lines and tables deleted, duplicated or reordered, keys renamed,
// values of the wrong type, extreme numbers, edge addresses and ports, duplicate names,
// deep nesting, many rules). Pure and deterministic: the same seed gives the same bytes,
// so a failure is reproduced from the seed it prints. No I/O here.

/** A small, fast PRNG (mulberry32): good enough to pick mutations, and repeatable. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface Mutant {
  readonly seed: number;
  readonly bytes: Buffer;
  /** What was done, in order, for the failure message. */
  readonly steps: readonly string[];
}

/** Bounds that keep every mutant small enough to check in well under a second. */
/** Long lines: ordinary, and past where the position parser once overflowed its stack. */
const LONG_LINES = [1_000, 100_000, 250_000];
const DEEP = 2_000;
const MANY = 300;

const KNOWN_KEYS = [
  'daemon', 'rule', 'workers', 'cpus', 'stats_interval', 'stats_file', 'prometheus_file', 'backend', 'log_level',
  'name', 'enabled', 'input', 'outputs', 'interface', 'group', 'port', 'source', 'ttl', 'source_address',
  'egress', 'dscp',
];

const NUMBERS = [
  '-1', '0', '1', '-0', '+0', '255', '256', '4095', '4096', '65535', '65536', '-65535', '9007199254740993',
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '99999999999999999999999', '0.1', '0.09',
  '0.5', '5000.0', '1e3', '1e309', '-1e309', '3600.0001', '1.7976931348623157e308', '5e-324', 'nan', '+nan', '-nan',
  'inf', '+inf', '-inf', '0x10', '0xFFFF', '0o17', '0b101', '1_000', '1__0', '01', '00', '1.', '.5', '1e', '0x',
];

const ADDRESSES = [
  '239.1.1.1', '239.001.1.1', '256.1.1.1', '239.1.1', '239.1.1.1.1', '0.0.0.0', '0.1.2.3', '127.0.0.1',
  '255.255.255.255', '240.0.0.1', '224.0.0.0', '224.0.0.1', '224.0.0.251', '239.255.255.250', '239.255.255.255',
  '232.1.1.1', '10.0.0.1', '192.168.1.255', '1.1.1.1', '223.255.255.255', '::1', 'ff02::1', '', ' 239.1.1.1',
  '239.1.1.1 ', 'localhost', 'eth0', '239.1.1.-1', '1.2.3.4/24', '4294967295', '0x7f.0.0.1', '\u0662\u0663\u0669.1.1.1',
  '239.1.1.1\\u0000', '239,1,1,1', '239..1.1', '.239.1.1.1',
];

const PORTS = ['0', '1', '65535', '65536', '-1', '"5000"', '5000.0', '70000', '1e4', 'true'];

const VALUES = [
  '""', '"x"', '"auto"', '"\\u0000"', '"\\t"', 'true', 'false', '[]', '[1, 2]', '["a", 1]', '{}', '{ a = 1 }',
  '1979-05-27', '1979-05-27T07:32:00Z', '07:32:00', "'literal'", '"""multi\nline"""', '[[]]', '[{}]',
  '"preserve"', '"frame"', '"socket"',
];

const INTERFACES = [
  '', '.', '..', 'eth0', 'eth0:1', 'a/b', 'a b', 'tab\\t', '123456789012345', '1234567890123456', 'in0', 'lo',
  'br-media-studio-a', '\u00e9th0', 'x'.repeat(200),
];

const HEADERS = ['[daemon]', '[[rule]]', '[rule]', '[rule.input]', '[[rule.outputs]]', '[rule.outputs]', '[daemon.x]', '[x]', '[[daemon]]', '[[rule.input]]', '[]', '[[]]', '[ rule ]', '["rule"]'];

/** Characters to drop into text: control, NUL, odd Unicode, TOML punctuation. */
const ODD_TEXT = [
  '\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\r\n', '\u000b', '\f', '\u001b', '\u007f', '\u0085', '\u00a0',
  '\u2028', '\u2029', '\ufeff', '\ufffd', '\u00e9', '\u4e2d', '\u{1f600}', '"', "'", '"""', '[', ']', '{', '}', '=', ',',
  '.', '#', '\\', '\\u', '\\U0011FFFF', ' ', '  ',
];

/** Byte sequences that are not valid UTF-8 (the daemon reads files as UTF-8 anyway). */
const BAD_UTF8 = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x80]];

type ByteMutation = (bytes: Buffer, random: Random) => [Buffer, string];
type TextMutation = (text: string, random: Random) => [string, string];

function splice(bytes: Buffer, at: number, remove: number, insert: Buffer): Buffer {
  return Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at + remove)]);
}

const BYTE_MUTATIONS: Record<string, ByteMutation> = {
  flipBit(bytes, random) {
    if (bytes.length === 0) return [bytes, 'flip nothing (empty)'];
    const at = random.int(bytes.length);
    const bit = random.int(8);
    const copy = Buffer.from(bytes);
    copy[at] = (copy[at] ?? 0) ^ (1 << bit);
    return [copy, `flip bit ${bit} of byte ${at}`];
  },
  insertOdd(bytes, random) {
    const at = random.int(bytes.length + 1);
    const text = random.pick(ODD_TEXT);
    return [splice(bytes, at, 0, Buffer.from(text, 'utf8')), `insert ${JSON.stringify(text)} at byte ${at}`];
  },
  insertBadUtf8(bytes, random) {
    const at = random.int(bytes.length + 1);
    const seq = random.pick(BAD_UTF8);
    return [splice(bytes, at, 0, Buffer.from(seq)), `insert bytes ${seq.map((b) => b.toString(16)).join(' ')} at ${at}`];
  },
  insertRandomBytes(bytes, random) {
    const at = random.int(bytes.length + 1);
    const length = 1 + random.int(8);
    const noise = Buffer.from(Array.from({ length }, () => random.int(256)));
    return [splice(bytes, at, 0, noise), `insert ${length} random bytes at ${at}`];
  },
  deleteSpan(bytes, random) {
    const at = random.int(bytes.length + 1);
    const length = 1 + random.int(random.chance(0.8) ? 4 : 200);
    return [splice(bytes, at, length, Buffer.alloc(0)), `delete ${length} bytes at ${at}`];
  },
  truncate(bytes, random) {
    const at = random.int(bytes.length + 1);
    return [bytes.subarray(0, at), `truncate at byte ${at}`];
  },
  duplicateSpan(bytes, random) {
    const from = random.int(bytes.length + 1);
    const length = 1 + random.int(120);
    const span = Buffer.from(bytes.subarray(from, from + length));
    const at = random.int(bytes.length + 1);
    return [splice(bytes, at, 0, span), `copy ${span.length} bytes from ${from} to ${at}`];
  },
  longLine(bytes, random) {
    const at = random.int(bytes.length + 1);
    const kind = random.int(4);
    const filler = random.pick(['a', '9', ' ', '#', '"', '\u00e9']);
    const length = random.pick(LONG_LINES);
    const body = filler.repeat(length);
    const line = kind === 0 ? `\nx = "${body}"\n` : kind === 1 ? `\n# ${body}\n` : kind === 2 ? `\nname = "${body}"\n` : body;
    return [splice(bytes, at, 0, Buffer.from(line, 'utf8')), `insert a ${length}-character line (${JSON.stringify(filler)}) at ${at}`];
  },
};

/** Offsets of every match of pattern's group 1 (or whole match) in text. */
function matches(text: string, pattern: RegExp): { at: number; length: number; value: string }[] {
  const found: { at: number; length: number; value: string }[] = [];
  for (const match of text.matchAll(pattern)) {
    const value = match[1] ?? match[0];
    const offset = (match.index ?? 0) + match[0].indexOf(value);
    found.push({ at: offset, length: value.length, value });
  }
  return found;
}

/** Replaces one random match of pattern with what `replacement` makes of it. */
function replaceOne(text: string, pattern: RegExp, random: Random, replacement: (old: string) => string, what: string): [string, string] {
  const candidates = matches(text, pattern);
  if (candidates.length === 0) return [text, `${what}: nothing to change`];
  const target = random.pick(candidates);
  const value = replacement(target.value);
  return [text.slice(0, target.at) + value + text.slice(target.at + target.length), `${what}: ${JSON.stringify(target.value)} -> ${JSON.stringify(value.slice(0, 60))}`];
}

function lines(text: string): string[] {
  return text.split('\n');
}

/** The file split into blocks, each a table header with its lines (the first may have none). */
function tables(text: string): string[][] {
  const blocks: string[][] = [[]];
  for (const line of lines(text)) {
    if (/^\s*\[/.test(line)) blocks.push([]);
    blocks[blocks.length - 1]?.push(line);
  }
  return blocks;
}

function nearMiss(key: string, random: Random): string {
  if (key.length === 0) return 'x';
  const at = random.int(key.length);
  switch (random.int(5)) {
    case 0:
      return key.slice(0, at) + key.slice(at + 1);
    case 1:
      return key.slice(0, at) + key[at] + key.slice(at);
    case 2:
      return at + 1 < key.length ? key.slice(0, at) + key[at + 1] + key[at] + key.slice(at + 2) : `${key}s`;
    case 3:
      return key.toUpperCase();
    default:
      return key.slice(0, at) + String.fromCharCode(97 + random.int(26)) + key.slice(at + 1);
  }
}

/** A rule whose addresses come from `n`, so many of them stay distinct. */
function generatedRule(n: number, outputs: number): string {
  const a = (n >> 8) & 255;
  const b = n & 255;
  const outs = Array.from({ length: outputs }, (_, i) => `{ interface = "eth1", group = "239.201.${i >> 8}.${i & 255}", port = ${5000 + n} }`);
  return `[[rule]]\nname = "gen-${n}"\ninput = { interface = "eth0", group = "239.200.${a}.${b}", port = ${5000 + (n % 1000)} }\noutputs = [ ${outs.join(', ')} ]`;
}

const KEY_PATTERN = /(?:^|[{,\s])([A-Za-z_][A-Za-z0-9_-]*)\s*=/gm;
const VALUE_PATTERN = /=\s*("[^"\n]*"|-?[0-9][0-9_.eE+-]*|true|false|\[[^\]\n]*\]|\{[^}\n]*\})/g;
const NUMBER_PATTERN = /=\s*(-?[0-9][0-9_.eE+-]*)/g;
const ADDRESS_PATTERN = /"(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})"/g;
const PORT_PATTERN = /port\s*=\s*([0-9]+)/g;
const INTERFACE_PATTERN = /interface\s*=\s*"([^"\n]*)"/g;
const NAME_PATTERN = /name\s*=\s*"([^"\n]*)"/g;

const TEXT_MUTATIONS: Record<string, TextMutation> = {
  deleteLine(text, random) {
    const all = lines(text);
    const at = random.int(all.length);
    all.splice(at, 1);
    return [all.join('\n'), `delete line ${at + 1}`];
  },
  duplicateLine(text, random) {
    const all = lines(text);
    const at = random.int(all.length);
    const to = random.int(all.length + 1);
    all.splice(to, 0, all[at] ?? '');
    return [all.join('\n'), `copy line ${at + 1} before line ${to + 1}`];
  },
  swapLines(text, random) {
    const all = lines(text);
    const a = random.int(all.length);
    const b = random.int(all.length);
    [all[a], all[b]] = [all[b] ?? '', all[a] ?? ''];
    return [all.join('\n'), `swap lines ${a + 1} and ${b + 1}`];
  },
  deleteTable(text, random) {
    const blocks = tables(text);
    const at = random.int(blocks.length);
    blocks.splice(at, 1);
    return [blocks.flat().join('\n'), `delete table block ${at}`];
  },
  duplicateTable(text, random) {
    const blocks = tables(text);
    const at = random.int(blocks.length);
    blocks.splice(random.int(blocks.length + 1), 0, blocks[at] ?? []);
    return [blocks.flat().join('\n'), `duplicate table block ${at}`];
  },
  reorderTables(text, random) {
    const blocks = tables(text);
    for (let i = blocks.length - 1; i > 0; i -= 1) {
      const j = random.int(i + 1);
      [blocks[i], blocks[j]] = [blocks[j] ?? [], blocks[i] ?? []];
    }
    return [blocks.flat().join('\n'), `shuffle ${blocks.length} table blocks`];
  },
  insertHeader(text, random) {
    const all = lines(text);
    const at = random.int(all.length + 1);
    const header = random.pick(HEADERS);
    all.splice(at, 0, header);
    return [all.join('\n'), `insert ${header} before line ${at + 1}`];
  },
  insertKey(text, random) {
    const all = lines(text);
    const at = random.int(all.length + 1);
    const key = random.chance(0.3) ? `${random.pick(KNOWN_KEYS)}.${random.pick(KNOWN_KEYS)}` : random.pick(KNOWN_KEYS);
    const line = `${key} = ${random.pick([...VALUES, ...NUMBERS])}`;
    all.splice(at, 0, line);
    return [all.join('\n'), `insert ${JSON.stringify(line)} before line ${at + 1}`];
  },
  renameKeyNearMiss(text, random) {
    return replaceOne(text, KEY_PATTERN, random, (key) => nearMiss(key, random), 'rename key (near miss)');
  },
  renameKeyRandom(text, random) {
    return replaceOne(text, KEY_PATTERN, random, () => (random.chance(0.5) ? random.pick(KNOWN_KEYS) : `k${random.int(1000)}`), 'rename key');
  },
  swapValueType(text, random) {
    return replaceOne(text, VALUE_PATTERN, random, () => random.pick(VALUES), 'value of another type');
  },
  extremeNumber(text, random) {
    return replaceOne(text, NUMBER_PATTERN, random, () => random.pick(NUMBERS), 'extreme number');
  },
  edgeAddress(text, random) {
    return replaceOne(text, ADDRESS_PATTERN, random, () => random.pick(ADDRESSES), 'edge address');
  },
  edgePort(text, random) {
    return replaceOne(text, PORT_PATTERN, random, () => random.pick(PORTS), 'edge port');
  },
  edgeInterface(text, random) {
    return replaceOne(text, INTERFACE_PATTERN, random, () => random.pick(INTERFACES), 'edge interface');
  },
  duplicateName(text, random) {
    const names = matches(text, NAME_PATTERN);
    if (names.length === 0) return [text, 'duplicate name: no names'];
    const name = random.pick(names).value;
    return replaceOne(text, NAME_PATTERN, random, () => name, 'duplicate name');
  },
  deepNesting(text, random) {
    const depth = 1 + random.int(DEEP);
    const open = random.chance(0.5) ? '['.repeat(depth) : '{ a = '.repeat(depth);
    const close = open.startsWith('[') ? ']'.repeat(depth) : ' }'.repeat(depth);
    const value = random.chance(0.8) ? `${open}1${close}` : open;
    const all = lines(text);
    const at = random.int(all.length + 1);
    all.splice(at, 0, `${random.pick(KNOWN_KEYS)} = ${value}`);
    return [all.join('\n'), `insert a value nested ${depth} deep before line ${at + 1}`];
  },
  manyRules(text, random) {
    const count = 1 + random.int(MANY);
    const extra = Array.from({ length: count }, (_, n) => generatedRule(n, 1));
    return [`${text}\n${extra.join('\n')}\n`, `append ${count} rules`];
  },
  manyOutputs(text, random) {
    const count = 1 + random.int(MANY);
    return [`${text}\n${generatedRule(random.int(65536), count)}\n`, `append a rule with ${count} outputs`];
  },
  emptyFile(_text, random) {
    return [random.pick(['', '\n', '   ', '\n\n\n', '\r\n', '\t']), 'empty file'];
  },
  commentOnly(text) {
    return [lines(text).map((line) => `# ${line}`).join('\n'), 'comment out every line'];
  },
  uncomment(text) {
    // mcr.toml.example keeps its rules commented out: bring them in.
    return [lines(text).map((line) => line.replace(/^# /, '')).join('\n'), 'uncomment every "# " line'];
  },
  byteOrderMark(text) {
    return [`\uFEFF${text}`, 'byte order mark first'];
  },
  crlf(text) {
    return [text.replace(/\n/g, '\r\n'), 'CRLF line ends'];
  },
};

export const BYTE_MUTATION_NAMES = Object.keys(BYTE_MUTATIONS);
export const TEXT_MUTATION_NAMES = Object.keys(TEXT_MUTATIONS);
export const MUTATION_NAMES = [...BYTE_MUTATION_NAMES, ...TEXT_MUTATION_NAMES];

export interface MutateOptions {
  /** The mutable part comes after this many bytes, which are left exactly as given. */
  readonly keep?: number;
  /** At most this many mutations in a row (default 3). */
  readonly maxSteps?: number;
  /** Leave these mutations out (by name). */
  readonly exclude?: readonly string[];
}

/** One mutant of `base`, determined entirely by `seed`. */
export function mutate(base: Buffer | string, seed: number, options: MutateOptions = {}): Mutant {
  const random = new Random(seed);
  const original = Buffer.isBuffer(base) ? base : Buffer.from(base, 'utf8');
  const keep = Math.min(options.keep ?? 0, original.length);
  const prefix = original.subarray(0, keep);
  let bytes: Buffer = original.subarray(keep);
  const names = MUTATION_NAMES.filter((name) => !options.exclude?.includes(name));
  const count = 1 + random.int(options.maxSteps ?? 3);
  const steps: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = random.pick(names);
    const byteMutation = BYTE_MUTATIONS[name];
    if (byteMutation) {
      const [next, step] = byteMutation(bytes, random);
      bytes = next;
      steps.push(`${name}: ${step}`);
    } else {
      const [next, step] = (TEXT_MUTATIONS[name] as TextMutation)(bytes.toString('utf8'), random);
      bytes = Buffer.from(next, 'utf8');
      steps.push(`${name}: ${step}`);
    }
  }
  return { seed, bytes: Buffer.concat([prefix, bytes]), steps };
}
