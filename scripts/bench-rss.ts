/**
 * Preloaded into a measured process (`node --import ./bench-rss.js ...`): on exit, writes the peak
 * resident set size in bytes to the file named by BENCH_RSS_FILE. The CLI itself knows nothing of it.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
