import type { CheckDefinition } from '../types.js';

/** Checks of the jwks group (see ../shared/CHECKS.md). Ids start with a stable group prefix. */
export const JWKS_CHECKS: CheckDefinition[] = [];
