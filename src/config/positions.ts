// Maps paths in the parsed rules file back to where they were written, so schema and
// semantic problems can be reported as FILE:LINE:COL. smol-toml gives values but no
// positions, so this index comes from a second, position-keeping parse, built only
// when there is something to report.
import { parseTOML, type AST } from 'toml-eslint-parser';
import { shortenLongTokens } from './long-tokens.js';
import type { JsonPath } from './problems.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

interface Place {
  key: Position;
  value: Position;
}

export interface PositionIndex {
  /** Where the path was written: its key or its value; the nearest written ancestor if
   * the path itself was not (a missing key points at its table). */
  locate(path: JsonPath, atKey?: boolean): Position;
}

const FILE_START: Position = { line: 1, column: 1 };

/** Deeper than any path a problem names (rule.N.outputs.N.key is 5). Not indexing
 * below it keeps a pathological file (a key dotted 20,000 times) linear, not quadratic;
 * a deeper path is located at its ancestor at this depth. */
const MAX_DEPTH = 16;

function pathId(path: JsonPath): string {
  return path.map(String).join('\u0000');
}

function start(node: AST.TOMLNode): Position {
  // The parser's columns count from 0; editors and compilers count from 1.
  return { line: node.loc.start.line, column: node.loc.start.column + 1 };
}

function keyName(part: AST.TOMLBare | AST.TOMLQuoted): string {
  return part.type === 'TOMLBare' ? part.name : part.value;
}

class Indexer {
  readonly places = new Map<string, Place>();

  remember(path: JsonPath, key: Position, value: Position): void {
    if (path.length > MAX_DEPTH) return;
    const id = pathId(path);
    if (!this.places.has(id)) this.places.set(id, { key, value });
  }

  keyValue(base: JsonPath, node: AST.TOMLKeyValue): void {
    const names = node.key.keys.map(keyName);
    // A dotted key (a.b.c = 1) also writes its implicit tables a and a.b.
    for (let i = 1; i < Math.min(names.length, MAX_DEPTH + 1); i += 1) {
      const part = node.key.keys[i - 1];
      if (part) this.remember([...base, ...names.slice(0, i)], start(part), start(part));
    }
    const path = [...base, ...names];
    this.remember(path, start(node.key), start(node.value));
    this.content(path, node.value);
  }

  content(path: JsonPath, node: AST.TOMLContentNode): void {
    if (path.length >= MAX_DEPTH) return;
    if (node.type === 'TOMLInlineTable') {
      for (const child of node.body) this.keyValue(path, child);
    } else if (node.type === 'TOMLArray') {
      node.elements.forEach((element, index) => {
        this.remember([...path, index], start(element), start(element));
        this.content([...path, index], element);
      });
    }
  }

  table(node: AST.TOMLTable): void {
    const at = start(node);
    // [rule.input] also writes the table "rule" when nothing wrote it before.
    for (let i = 1; i < Math.min(node.resolvedKey.length, MAX_DEPTH + 1); i += 1) this.remember(node.resolvedKey.slice(0, i), at, at);
    // [[rule]] also stands for the array "rule" itself.
    if (node.kind === 'array') this.remember(node.resolvedKey.slice(0, -1), at, at);
    this.remember(node.resolvedKey, at, at);
    for (const child of node.body) this.keyValue(node.resolvedKey, child);
  }
}

function index(source: string): Indexer {
  const indexer = new Indexer();
  // smol-toml reads TOML 1.1 (newlines and trailing commas in inline tables): so must this.
  const program = parseTOML(source, { tomlVersion: '1.1' });
  for (const top of program.body) {
    for (const node of top.body) {
      if (node.type === 'TOMLTable') indexer.table(node);
      else indexer.keyValue([], node);
    }
  }
  return indexer;
}

/** Index a source that smol-toml already accepted. */
export function indexPositions(source: string): PositionIndex {
  let indexer: Indexer;
  try {
    indexer = index(source);
  } catch {
    try {
      // The parser overflows the stack on a token of 100,000+ characters.
      indexer = index(shortenLongTokens(source));
    } catch {
      // Both parsers follow TOML 1.0; should they ever disagree, errors fall back to
      // the start of the file rather than being lost.
      indexer = new Indexer();
    }
  }
  return {
    locate(path, atKey = false) {
      for (let length = Math.min(path.length, MAX_DEPTH); length > 0; length -= 1) {
        const place = indexer.places.get(pathId(path.slice(0, length)));
        if (!place) continue;
        // An ancestor stands in for a path that was never written: point at its key.
        const exact = length === path.length;
        return exact && !atKey ? place.value : place.key;
      }
      return FILE_START;
    },
  };
}
