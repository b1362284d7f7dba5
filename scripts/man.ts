/**
 * Third step of `npm run build`: dist/man/oidc-cli.1 from the command declarations (src/manpage.ts), so
 * `man oidc-cli` works from an installed package and never drifts from --help.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildCli, programSpec } from '../src/cli.js';
import { manPage } from '../src/manpage.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
const program = buildCli(version, async () => undefined);
// The long descriptions, where a command has one beyond its summary.
const descriptions = Object.fromEntries(program.commands.map((command) => [command.name(), command.description() || command.summary()]));
mkdirSync(`${ROOT}dist/man`, { recursive: true });
writeFileSync(`${ROOT}dist/man/oidc-cli.1`, manPage(programSpec(program), version, descriptions));
