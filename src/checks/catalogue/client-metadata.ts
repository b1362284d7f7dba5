import type { CheckDefinition } from '../types.js';

// The Internet-Draft is cited by name and section title: its section numbers moved between revisions.
const CIMD = 'OAuth Client ID Metadata Document (IETF draft)';

/**
 * Checks on a Client ID Metadata Document: a client_id that is an https URL, where the client publishes
 * its own metadata for the authorization server to fetch (the MCP specification's choice after a
 * pre-registered client, before dynamic registration). Judged in src/core/client-metadata-document.ts.
 */
export const CLIENT_METADATA_CHECKS = [
  {
    id: 'cimd.client_id_url',
    title: 'The client_id is a URL a metadata document may have',
    spec: `${CIMD}, Client Identifier`,
    severity: 'error',
    hint: 'An https URL with a path, without a fragment, user name or password, and without "." or ".." segments (e.g. https://app.example.com/oauth/client.json).',
  },
  {
    id: 'cimd.supported',
    title: 'The authorization server says it fetches client metadata documents',
    spec: `${CIMD}, Authorization Server Metadata; MCP authorization (2025-11-25), Client ID Metadata Documents`,
    severity: 'warning',
    hint: 'Without client_id_metadata_document_supported: true in its metadata, the server will likely answer invalid_client: use a client registered there (--client-id), or dynamic registration (--register) where it has a registration_endpoint.',
  },
  {
    id: 'cimd.document',
    title: 'The client_id URL answers 200 with a JSON object',
    spec: `${CIMD}, Client Metadata`,
    severity: 'error',
    hint: 'Serve the document itself at the client_id URL with Content-Type application/json: authorization servers do not follow redirects to it.',
  },
  {
    id: 'cimd.client_id',
    title: 'The document\'s client_id is its own URL, character for character',
    spec: `${CIMD}, Client Metadata`,
    severity: 'error',
    hint: 'The document must contain "client_id" with exactly the URL it is served at (a simple string comparison: no trailing slash added or dropped, same case).',
  },
  {
    id: 'cimd.auth_method',
    title: 'The document names a token endpoint authentication without a shared secret',
    spec: `${CIMD}, Client Metadata; RFC 7591 §2`,
    severity: 'error',
    hint: 'A published document cannot hold a secret: use "token_endpoint_auth_method": "none" for a public (native) client, or "private_key_jwt" with jwks_uri. Leaving it out means client_secret_basic (RFC 7591 §2), which a document cannot use.',
  },
  {
    id: 'cimd.redirect_uri',
    title: 'The document lists the loopback redirect URI this login uses',
    spec: `${CIMD}, Client Metadata; RFC 8252 §7.3`,
    severity: 'error',
    hint: 'A native client lists a loopback redirect URI such as http://127.0.0.1/callback (the port may vary, RFC 8252 §7.3); --redirect-uri must be one of the document\'s.',
  },
] as const satisfies readonly CheckDefinition[];
