import { readLocalFile } from '../util/local-file.js';
import type { JWK } from 'jose';
import { CheckRecorder } from '../checks/recorder.js';
import { discover, requiredMember } from '../core/discovery.js';
import { auditJwks, fetchJwksDocument } from '../core/jwks.js';
import { inputError, usageError } from '../errors.js';
import type { Report, Section } from '../report/model.js';
import { jsonParseProblem } from '../util/show.js';
import { assertSameIssuer } from '../core/metadata-trust.js';
import type { Context } from './context.js';
import { keyRows, keysJson, keysSection } from './jwks-view.js';

export interface JwksOptions {
  issuer?: string;
  jwksUri?: string;
  file?: string;
}

async function readJwksFile(file: string): Promise<unknown> {
  const text = await readLocalFile(file, `--file ${file}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw inputError(`--file ${file} is not JSON (${jsonParseProblem(error)})`, 'give a JWK Set: {"keys": [...]}, or a single JWK');
  }
}

/** A single JWK in a file is audited as a set of one. */
function asSet(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'kty' in value && !('keys' in value)) return { keys: [value] };
  return value;
}

export async function run(input: JwksOptions, context: Context): Promise<Report> {
  // An issuer that only came from OIDC_ISSUER yields to an explicit --file or --jwks-uri.
  const fromEnvOnly = input.issuer !== undefined && input.issuer === context.env.OIDC_ISSUER && (input.file !== undefined || input.jwksUri !== undefined);
  const options: JwksOptions = fromEnvOnly ? { ...input, issuer: undefined } : input;
  const given = [options.issuer, options.jwksUri, options.file].filter((value) => value !== undefined).length;
  if (given !== 1) {
    throw usageError(given === 0 ? 'jwks needs one of --issuer URL, --jwks-uri URL or --file F' : 'give only one of --issuer, --jwks-uri and --file', 'e.g. oidc-cli jwks --issuer https://idp.example.com');
  }
  const { ui } = context;
  const checks = new CheckRecorder();
  const sections: Section[] = [];
  let source: string;
  let jwks: { keys: JWK[] } | undefined;

  if (options.file !== undefined) {
    source = `file ${options.file}`;
    const document = asSet(await readJwksFile(options.file));
    checks.merge(auditJwks(document));
    if (checks.results.find((check) => check.id === 'jwks.document')?.status === 'pass') jwks = document as { keys: JWK[] };
  } else {
    const http = await context.http();
    let uri = options.jwksUri;
    if (options.issuer !== undefined) {
      ui.step(`Discovery for ${options.issuer}`);
      const discovery = await discover(http, options.issuer, { signal: context.signal });
      // A document naming another issuer is not used at all (OIDC Discovery §4.3), not even to list keys.
      assertSameIssuer(options.issuer, discovery);
      uri = requiredMember(options.issuer, discovery.metadata, 'jwks_uri');
    }
    source = `jwks_uri ${uri!}`;
    ui.step(`JWKS ${uri!}`);
    const attempt = await fetchJwksDocument(http, uri!, { signal: context.signal });
    ui.detail(`${uri!} → ${attempt.response.status} (${attempt.response.elapsedMs} ms)`);
    checks.merge(attempt.checks);
    jwks = attempt.jwks;
  }
  ui.explain('Clients verify every token with these keys; a private key here lets anyone mint tokens, a weak one lets them forge signatures.');

  const rows = await keyRows(jwks, context.globals.showTokens);
  sections.push({ title: 'Source', kind: 'fields', fields: [['keys from', source], ['count', String(rows.length)]] });
  sections.push(keysSection(rows));
  const data: Record<string, unknown> = { source, keys: keysJson(rows) };
  if (options.issuer !== undefined) data.issuer = options.issuer;
  return { command: 'jwks', checks: checks.results, data, sections };
}
