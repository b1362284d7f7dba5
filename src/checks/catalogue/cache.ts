import type { CheckDefinition } from '../types.js';

/** The token cache as a step of a command (PRODUCT.md "Files"). Judged in src/store/cache.ts. */
export const CACHE_CHECKS = [
  {
    id: 'cache.write',
    title: 'Tokens saved in the token cache',
    spec: 'RFC 6749 §10.3, §10.4 (tokens kept confidential in storage); XDG Base Directory',
    severity: 'error',
    hint: 'Make $XDG_CACHE_HOME/oidc-cli a directory you own and can write (mode 0700), with free space and nothing planted in it (no symlinks), or point XDG_CACHE_HOME elsewhere; the tokens above were not cached, so `oidc-cli token` cannot use them.',
  },
] as const satisfies readonly CheckDefinition[];
