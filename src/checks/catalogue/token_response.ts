import type { CheckDefinition } from '../types.js';

/** Checks of the token_response group (see ../shared/CHECKS.md). Ids start with a stable group prefix. */
export const TOKEN_RESPONSE_CHECKS: CheckDefinition[] = [];
