// Reads the text of a stats file back into a StatsFile, refusing anything that is not
// one: `mcr stats` must never render half a table from a truncated, foreign or newer
// file. Pure (no file access). It checks every field the table and the Prometheus
// formatter read, with the path of the first wrong one, so a format drift between
// mcrd and mcr shows as a plain message instead of "undefined" in a column.
import { OUTPUT_COUNTERS, PATH_COUNTERS, RULE_COUNTERS, statsFieldOrder, type TrafficCounterSpec } from '../counter-specs.js';
import { DAEMON_STATES, OUTPUT_STATES, RULE_STATES, STATS_VERSION, type StatsFile } from './types.js';

/** The text is not valid JSON, not a stats file, or a stats version this mcr cannot read. */
export class StatsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatsFormatError';
  }
}

type Json = Record<string, unknown>;

const OUTPUT_EGRESS = ['frame', 'socket', ''];
const TRIGGERS = ['start', 'sighup', 'file'];
const PAYLOADS = ['rtp', 'mpegts', 'rtp-mpegts', 'auto'];
const REDUNDANCIES = ['failover', 'merge'];

function fail(path: string, expected: string, value: unknown): never {
  const got = value === undefined ? 'missing' : `got ${JSON.stringify(value)?.slice(0, 40)}`;
  throw new StatsFormatError(`not a stats file: ${path} must be ${expected} (${got})`);
}

function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, 'an object', value);
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

function number(parent: Json, key: string, path: string): void {
  const value = parent[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${path}.${key}`, 'a number', value);
}

function string(parent: Json, key: string, path: string): void {
  if (typeof parent[key] !== 'string') fail(`${path}.${key}`, 'a string', parent[key]);
}

function boolean(parent: Json, key: string, path: string): void {
  if (typeof parent[key] !== 'boolean') fail(`${path}.${key}`, 'true or false', parent[key]);
}

function time(parent: Json, key: string, path: string): void {
  string(parent, key, path);
  if (Number.isNaN(Date.parse(parent[key] as string))) fail(`${path}.${key}`, 'an ISO 8601 time', parent[key]);
}

function oneOf(parent: Json, key: string, path: string, allowed: readonly string[]): void {
  if (!allowed.includes(parent[key] as string)) fail(`${path}.${key}`, `one of ${allowed.join(', ')}`, parent[key]);
}

/** Counters a file from an older mcrd lacks: read as 0, which is what it counted. */
const LATER = new Set([...RULE_COUNTERS, ...OUTPUT_COUNTERS].filter((spec) => spec.later).map((spec) => spec.name));

function counterField(parent: Json, key: string, path: string): void {
  if (parent[key] === undefined && LATER.has(key)) parent[key] = 0;
  number(parent, key, path);
}

function counters(value: unknown, path: string): void {
  const set = object(value, path);
  for (const key of Object.keys(set)) number(set, key, path);
}

/** The counter fields of the list's family, in two parts: those with a rate and their
 * rates are checked first (as they are written first), the others last. */
function trafficFields(specs: readonly TrafficCounterSpec[]): { first: string[]; last: string[] } {
  const order = statsFieldOrder(specs);
  const last = specs.filter((spec) => !spec.rate).map((spec) => spec.name);
  return { first: order.filter((field) => !last.includes(field)), last };
}

const RULE_FIELDS = trafficFields(RULE_COUNTERS);
const PATH_FIELDS = statsFieldOrder(PATH_COUNTERS);

/** A path of a rule with several inputs (only in files of an mcrd that has them). */
function checkPath(value: unknown, path: string): void {
  const one = object(value, path);
  for (const key of ['interface', 'group']) string(one, key, path);
  number(one, 'port', path);
  if (one.source !== null) string(one, 'source', path);
  if (one.timeoutMs !== null) number(one, 'timeoutMs', path);
  for (const key of PATH_FIELDS) counterField(one, key, path);
}

/** A rule's health settings: absent from an older mcrd's file, which had none. */
function checkHealth(rule: Json, path: string): void {
  if (rule.health === undefined) rule.health = { payload: null, redundancy: null, timeoutMs: null };
  const health = object(rule.health, path);
  if (health.payload !== null) oneOf(health, 'payload', path, PAYLOADS);
  if (health.redundancy !== null) oneOf(health, 'redundancy', path, REDUNDANCIES);
  if (health.timeoutMs !== null) number(health, 'timeoutMs', path);
}
const OUTPUT_FIELDS = trafficFields(OUTPUT_COUNTERS);

function checkOutput(value: unknown, path: string): void {
  const output = object(value, path);
  for (const key of OUTPUT_FIELDS.first) counterField(output, key, path);
  for (const key of ['key', 'interface', 'group', 'error']) string(output, key, path);
  for (const key of ['port', 'ttl']) number(output, key, path);
  for (const key of OUTPUT_FIELDS.last) counterField(output, key, path);
  oneOf(output, 'state', path, OUTPUT_STATES);
  // Written since outputs have kinds; an older mcrd's output was a socket, but "" says
  // only what the file knows.
  if (output.egress === undefined) output.egress = '';
  oneOf(output, 'egress', path, OUTPUT_EGRESS);
}

function checkRule(value: unknown, path: string): void {
  const rule = object(value, path);
  for (const key of RULE_FIELDS.first) counterField(rule, key, path);
  for (const key of ['name', 'key', 'error']) string(rule, key, path);
  for (const key of RULE_FIELDS.last) counterField(rule, key, path);
  oneOf(rule, 'state', path, RULE_STATES);
  checkHealth(rule, `${path}.health`);
  if (rule.paths === undefined) rule.paths = [];
  array(rule.paths, `${path}.paths`).forEach((one, i) => checkPath(one, `${path}.paths[${i}]`));
  const input = object(rule.input, `${path}.input`);
  for (const key of ['interface', 'group']) string(input, key, `${path}.input`);
  number(input, 'port', `${path}.input`);
  if (input.source !== null) string(input, 'source', `${path}.input`);
  array(rule.outputs, `${path}.outputs`).forEach((output, i) => checkOutput(output, `${path}.outputs[${i}]`));
}

function checkReflector(value: unknown, path: string): void {
  const reflector = object(value, path);
  for (const key of ['name', 'service']) string(reflector, key, path);
  array(reflector.interfaces, `${path}.interfaces`).forEach((item, i) => {
    const where = `${path}.interfaces[${i}]`;
    const entry = object(item, where);
    string(entry, 'interface', where);
    for (const key of ['received', 'relayed', 'source_denied', 'rate_limited', 'loop_suppressed']) number(entry, key, where);
  });
}

function checkReload(value: unknown, path: string): void {
  if (value === null) return;
  const reload = object(value, path);
  time(reload, 'at', path);
  oneOf(reload, 'trigger', path, TRIGGERS);
  for (const key of ['ok', 'restarted', 'skipped']) boolean(reload, key, path);
  for (const key of ['generation', 'added', 'removed', 'changed', 'unchanged']) number(reload, key, path);
  array(reload.errors, `${path}.errors`).forEach((line, i) => {
    if (typeof line !== 'string') fail(`${path}.errors[${i}]`, 'a string', line);
  });
}

/** The checked StatsFile, or a StatsFormatError saying what is wrong and where. */
export function parseStats(text: string): StatsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new StatsFormatError(`not valid JSON: ${(error as Error).message}`);
  }
  const root = object(data, 'its top level');
  // The version comes first: a newer file is refused for what it is, not for the first
  // field that moved.
  if (root.version !== STATS_VERSION) {
    if (typeof root.version !== 'number') throw new StatsFormatError('not a stats file: it has no "version" number');
    throw new StatsFormatError(`stats version ${root.version}, but this mcr reads version ${STATS_VERSION}; use the mcr that came with the running mcrd`);
  }
  time(root, 'time', '');
  number(root, 'interval', '');
  if ((root.interval as number) <= 0) fail('.interval', 'above 0', root.interval);
  const daemon = object(root.daemon, '.daemon');
  oneOf(daemon, 'state', '.daemon', DAEMON_STATES);
  time(daemon, 'started', '.daemon');
  for (const key of ['pid', 'uptime', 'workers']) number(daemon, key, '.daemon');
  for (const key of ['configFile', 'backend', 'fallbackReason']) string(daemon, key, '.daemon');
  // The workers' CPUs: absent from an older mcrd's file.
  if (daemon.cpus === undefined) daemon.cpus = [];
  array(daemon.cpus, '.daemon.cpus').forEach((cpu, i) => {
    if (typeof cpu !== 'number' || !Number.isInteger(cpu) || cpu < 0) fail(`.daemon.cpus[${i}]`, 'a CPU number', cpu);
  });
  const config = object(root.config, '.config');
  number(config, 'generation', '.config');
  checkReload(config.lastReload, '.config.lastReload');
  const reloads = object(config.reloads, '.config.reloads');
  for (const key of ['ok', 'failed']) number(reloads, key, '.config.reloads');
  counters(root.totals, '.totals');
  array(root.workers, '.workers').forEach((worker, i) => counters(worker, `.workers[${i}]`));
  array(root.rules, '.rules').forEach((rule, i) => checkRule(rule, `.rules[${i}]`));
  // Only in a file whose rules have [[reflector]] tables.
  if (root.reflectors !== undefined) array(root.reflectors, '.reflectors').forEach((reflector, i) => checkReflector(reflector, `.reflectors[${i}]`));
  return data as StatsFile;
}
