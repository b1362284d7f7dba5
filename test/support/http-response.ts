// An HttpResponse as src/http/client.ts builds one, for judges tested without a network: json()
// throws CliError PROTOCOL on a body that is not JSON, as the real client does.
import { CliError } from '../../src/errors.js';
import type { HttpResponse } from '../../src/http/types.js';

export interface FakeResponse {
  status: number;
  url?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  date?: Date;
  elapsedMs?: number;
}

export function fakeResponse(init: FakeResponse): HttpResponse {
  const url = init.url ?? 'https://idp.example.com/';
  const body = typeof init.body === 'string' ? Buffer.from(init.body) : (init.body ?? Buffer.alloc(0));
  const headers = init.headers ?? {};
  const text = body.toString('utf8');
  return {
    url,
    status: init.status,
    headers,
    body,
    date: init.date,
    location: init.status >= 300 && init.status < 400 ? headers.location : undefined,
    elapsedMs: init.elapsedMs ?? 1,
    text: () => text,
    json: () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new CliError('PROTOCOL', `${url} answered ${init.status} with a body that is not JSON`);
      }
    },
  };
}
