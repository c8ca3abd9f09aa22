#!/usr/bin/env node
// Entry point of `mcr`. The TypeScript is compiled to dist/ by `npm run build`.
import { main } from '../dist/cli/main.js';

// `mcr ... | head`: a reader that goes away ends the command quietly, as with any
// Unix tool, instead of a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
