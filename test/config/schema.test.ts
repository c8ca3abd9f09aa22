import t from 'tap';
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_URL } from '../../src/config/schema.js';

const GENERATOR = fileURLToPath(new URL('../../scripts/gen-types.mjs', import.meta.url));

t.test('the TypeScript types are the ones the schema generates', async (t) => {
  const result = await execa('node', [GENERATOR, '--check'], { reject: false });
  t.equal(result.exitCode, 0, result.stderr);
});

t.test('the drift check fails when the schema changes and the types do not', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mcr-schema-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const schema = JSON.parse(await readFile(SCHEMA_URL, 'utf8'));
  schema.$defs.daemon.properties.new_setting = { type: 'boolean' };
  const changed = join(dir, 'schema.json');
  await writeFile(changed, JSON.stringify(schema));
  const result = await execa('node', [GENERATOR, '--check', '--schema', changed], { reject: false });
  t.equal(result.exitCode, 1);
  t.match(result.stderr, 'src/config/schema-types.ts does not match config/mcr.schema.json');
});

t.test('every table in the schema forbids unknown keys', async (t) => {
  const schema = JSON.parse(await readFile(SCHEMA_URL, 'utf8'));
  const tables: string[] = [];
  const walk = (node: unknown, where: string): void => {
    if (node === null || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    if (object.type === 'object') {
      tables.push(where);
      t.equal(object.additionalProperties, false, `${where} has additionalProperties: false`);
    }
    for (const [key, child] of Object.entries(object)) walk(child, `${where}/${key}`);
  };
  walk(schema, '#');
  t.same(tables.sort(), ['#', '#/$defs/daemon', '#/$defs/limits', '#/$defs/input', '#/$defs/output', '#/$defs/rule', '#/$defs/reflector', '#/$defs/reflector/properties/rate_limit'].sort());
});
