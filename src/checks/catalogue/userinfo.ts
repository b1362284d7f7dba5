import type { CheckDefinition } from '../types.js';

/** Checks of the userinfo group (see ../shared/CHECKS.md). Ids start with a stable group prefix. */
export const USERINFO_CHECKS: CheckDefinition[] = [];
