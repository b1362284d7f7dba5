import type { CheckDefinition } from '../types.js';

/** Checks of the authorization group (see ../shared/CHECKS.md). Ids start with a stable group prefix. */
export const AUTHORIZATION_CHECKS: CheckDefinition[] = [];
