#!/usr/bin/env node
// The npm bin: everything lives in the bundle that `npm install` builds (scripts/build.mjs).
import { main } from '../dist/cli.js';

process.exit(await main(process.argv.slice(2)));
