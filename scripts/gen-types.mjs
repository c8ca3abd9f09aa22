// Generates src/config/schema-types.ts from config/mcr.schema.json, so the TypeScript
// types of the raw rules file can never drift from the schema that validates it.
// `node scripts/gen-types.mjs --check` exits 1 when the checked-in file is stale.
// `--schema FILE` and `--out FILE` override the paths (the drift test uses them).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { compile } from 'json-schema-to-typescript';

const root = new URL('../', import.meta.url);
const { values } = parseArgs({
  options: { check: { type: 'boolean' }, schema: { type: 'string' }, out: { type: 'string' } },
});
const schemaPath = values.schema ?? new URL('config/mcr.schema.json', root);
const outPath = values.out ?? new URL('src/config/schema-types.ts', root);

async function generateTypes() {
  const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
  return compile(schema, 'McrConfig', {
    bannerComment:
      '// GENERATED from config/mcr.schema.json by scripts/gen-types.mjs: do not edit.\n' +
      '// These are the shapes of the rules file as written; src/config/ruleset.ts holds\n' +
      '// the canonical, defaulted form the daemon runs.',
    additionalProperties: false,
    strictIndexSignatures: true,
    format: false,
    style: { singleQuote: true },
  });
}

const generated = await generateTypes();
if (values.check) {
  const current = await readFile(outPath, 'utf8').catch(() => '');
  if (current !== generated) {
    console.error('src/config/schema-types.ts does not match config/mcr.schema.json: run npm run gen:types');
    process.exit(1);
  }
} else {
  await writeFile(outPath, generated);
}
