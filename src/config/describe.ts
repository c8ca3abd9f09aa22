// Words for paths and values in error messages, shared by the schema and semantic checks.
import type { JsonPath } from './problems.js';

/** The field a message is about: its key, with any array indexes that follow it. */
export function fieldName(path: JsonPath): string {
  let name = '';
  for (let i = path.length - 1; i >= 0; i -= 1) {
    const part = path[i];
    if (typeof part === 'number') {
      name = `[${part}]${name}`;
    } else {
      return `${part ?? ''}${name}`;
    }
  }
  return name || 'the file';
}

/** The table a path lives in, as it is written in TOML: [daemon], [[rule]], [rule.input]. */
export function tableName(path: JsonPath): string {
  if (path.length === 0) return 'the top level';
  const keys = path.filter((part): part is string => typeof part === 'string');
  const isArrayItem = typeof path[path.length - 1] === 'number';
  return isArrayItem ? `[[${keys.join('.')}]]` : `[${keys.join('.')}]`;
}

/** The TOML type of a parsed value, as a user would name it. */
export function tomlType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'object') return 'table';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return typeof value;
}

/** A value as it would be written in the file, shortened for a one-line message. */
export function shown(value: unknown): string {
  if (typeof value === 'string') {
    const text = JSON.stringify(value);
    return text.length > 40 ? `${text.slice(0, 37)}..."` : text;
  }
  // smol-toml's dates print as written (2024-05-27), not as a JavaScript Date would.
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) || (value !== null && typeof value === 'object')) {
    return tomlType(value);
  }
  return String(value);
}
