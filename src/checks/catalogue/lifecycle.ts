import type { CheckDefinition } from '../types.js';

/** Checks of the lifecycle group (see ../shared/CHECKS.md). Ids start with a stable group prefix. */
export const LIFECYCLE_CHECKS: CheckDefinition[] = [];
