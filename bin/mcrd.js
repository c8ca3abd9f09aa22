#!/usr/bin/env node
// Entry point of `mcrd`. The TypeScript is compiled to dist/ by `npm run build`.
import { main } from '../dist/daemon/main.js';

process.exitCode = await main(process.argv.slice(2));
