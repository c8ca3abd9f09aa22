// Validates a parsed rules file against config/mcr.schema.json (the single source of
// truth for the format) and turns ajv's errors into plain-language problems. Fills in
// the schema's defaults as it goes. Knows nothing of files or positions.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { parseAddress } from '../net/address.js';
import { fieldName, shown, tableName, tomlType } from './describe.js';
import type { JsonPath, Problem } from './problems.js';
import type { McrConfig } from './schema-types.js';
import { closestKey } from './suggest.js';

export const SCHEMA_URL = new URL('../../config/mcr.schema.json', import.meta.url);

type SchemaNode = Record<string, unknown>;

/** The schema's "address" format: a dotted quad without leading zeros, or any IPv6
 * text form (with an optional %zone, which semantic.ts holds against the interface). */
function isAddress(text: string): boolean {
  return parseAddress(text).ok;
}

/** Why a value is not an address. Text without a colon reads as an attempt at IPv4 and
 * keeps the message IPv4-only files always had; with one, it says what IPv6 wants. */
function notAnAddress(field: string, value: unknown): string {
  if (typeof value === 'string' && value.includes(':')) {
    const result = parseAddress(value);
    const reason = result.ok ? '' : `: ${result.reason}`;
    return `${field} must be an IPv6 address such as ff0e::1:1 ${got(value)}${reason}`;
  }
  return `${field} must be an IPv4 address such as 239.1.1.1 ${got(value)}`;
}

let compiled: ValidateFunction<McrConfig> | undefined;

function validator(): ValidateFunction<McrConfig> {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as SchemaNode;
    const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true, useDefaults: true });
    ajv.addFormat('address', isAddress);
    compiled = ajv.compile<McrConfig>(schema);
  }
  return compiled;
}

function pathOf(error: ErrorObject): (string | number)[] {
  if (error.instancePath === '') return [];
  return error.instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'a table',
};

/** What one branch of an anyOf accepts, in words. */
function expectation(schema: SchemaNode): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  const type = typeof schema.type === 'string' ? schema.type : 'value';
  const words = TYPE_WORDS[type] ?? type;
  if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number') {
    return `${words} from ${schema.minimum} to ${schema.maximum}`;
  }
  return words;
}

function got(value: unknown): string {
  return `(got ${shown(value)})`;
}

function unknownKey(error: ErrorObject, path: JsonPath): Problem {
  const key = String((error.params as { additionalProperty: string }).additionalProperty);
  const allowed = Object.keys((error.parentSchema?.properties as SchemaNode | undefined) ?? {});
  const guess = closestKey(key, allowed);
  const hint = guess ? `did you mean "${guess}"?` : `expected one of: ${allowed.join(', ')}`;
  return {
    code: 'unknown-key',
    path: [...path, key],
    atKey: true,
    message: `unknown key "${key}" ${path.length === 0 ? 'at' : 'in'} ${tableName(path)}; ${hint}`,
  };
}

function translate(error: ErrorObject): Problem {
  const path = pathOf(error);
  const field = fieldName(path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(error, path);
    case 'required':
      return {
        code: 'missing-key',
        path,
        message: `${tableName(path)} is missing required key "${String(params.missingProperty)}"`,
      };
    case 'type': {
      const expected = TYPE_WORDS[String(params.type)] ?? String(params.type);
      const kind = tomlType(error.data);
      const value = shown(error.data);
      const detail = value === kind ? kind : `${kind} ${value}`;
      return { code: 'wrong-type', path, message: `${field} must be ${expected} (got ${detail})` };
    }
    case 'minimum':
    case 'maximum': {
      const bound = error.keyword === 'minimum' ? 'at least' : 'at most';
      return { code: 'out-of-range', path, message: `${field} must be ${bound} ${String(params.limit)} ${got(error.data)}` };
    }
    case 'format':
      return {
        code: 'not-an-address',
        path,
        message: notAnAddress(field, error.data),
      };
    case 'enum': {
      const values = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ');
      return { code: 'bad-value', path, message: `${field} must be one of ${values} ${got(error.data)}` };
    }
    case 'anyOf': {
      const branches = (error.schema as SchemaNode[]).map(expectation).join(' or ');
      return { code: 'bad-value', path, message: `${field} must be ${branches} ${got(error.data)}` };
    }
    case 'minItems':
      return { code: 'bad-value', path, message: `${field} must list at least ${String(params.limit)} item` };
    case 'uniqueItems': {
      const repeated = (error.data as unknown[])[Number(params.i)];
      return { code: 'bad-value', path, message: `${field} lists ${shown(repeated)} more than once` };
    }
    case 'minLength':
      return { code: 'bad-value', path, message: `${field} must not be empty` };
    case 'maxLength':
      return {
        code: 'bad-value',
        path,
        message: `${field} must be at most ${String(params.limit)} characters (got ${String((error.data as string).length)})`,
      };
    case 'pattern':
      return { code: 'bad-value', path, message: `${field} must not contain control characters` };
    default:
      return { code: 'bad-value', path, message: `${field} ${error.message ?? 'is not valid'}` };
  }
}

/** Errors that only restate why an anyOf failed (the anyOf error says it better), and
 * the "must match else" of an if/else, whose branch's own error says what is wrong. */
function anyOfDetails(errors: readonly ErrorObject[]): Set<ErrorObject> {
  const details = new Set<ErrorObject>(errors.filter((error) => error.keyword === 'if'));
  for (const parent of errors.filter((error) => error.keyword === 'anyOf')) {
    for (const error of errors) {
      if (error !== parent && error.instancePath === parent.instancePath && error.schemaPath.startsWith(`${parent.schemaPath}/`)) {
        details.add(error);
      }
    }
  }
  return details;
}

/** Validates and fills in defaults in place; returns every problem found. */
export function validateSchema(data: unknown): Problem[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const details = anyOfDetails(errors);
  return errors.filter((error) => !details.has(error)).map(translate);
}
