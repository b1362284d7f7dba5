import type { CheckDefinition } from '../types.js';

/** Checks of the discovery group (see ../shared/CHECKS.md). Ids start with a stable group prefix. */
export const DISCOVERY_CHECKS: CheckDefinition[] = [];
