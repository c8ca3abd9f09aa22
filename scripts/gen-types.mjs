// Generates src/config/schema-types.ts from config/mcr.schema.json, so the TypeScript
// types of the raw rules file can never drift from the schema that validates it.
// `node scripts/gen-types.mjs --check` exits 1 when the checked-in file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { compile } from 'json-schema-to-typescript';

const root = new URL('../', import.meta.url);
const schemaUrl = new URL('config/mcr.schema.json', root);
const outUrl = new URL('src/config/schema-types.ts', root);

export async function generateTypes() {
  const schema = JSON.parse(await readFile(schemaUrl, 'utf8'));
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

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const generated = await generateTypes();
  if (process.argv.includes('--check')) {
    const current = await readFile(outUrl, 'utf8').catch(() => '');
    if (current !== generated) {
      console.error('src/config/schema-types.ts is stale: run npm run gen:types');
      process.exit(1);
    }
  } else {
    await writeFile(outUrl, generated);
  }
}
