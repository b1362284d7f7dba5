#!/usr/bin/env node
// Tiny launcher: all behaviour lives in the built entry point (src/main.ts).
import { main } from '../dist/src/main.js';

main(process.argv);
