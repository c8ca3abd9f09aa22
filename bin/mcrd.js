#!/usr/bin/env node
// Entry point of `mcrd`. The TypeScript is compiled to dist/ by `npm run build`.
import { main } from '../dist/daemon/main.js';

// Exit explicitly once stopped: nothing left running may keep a stopped daemon alive.
process.exit(await main(process.argv.slice(2)));
