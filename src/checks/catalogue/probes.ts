import type { CheckDefinition } from '../types.js';

/** Checks of the probes group (see ../shared/CHECKS.md). Ids start with a stable group prefix. */
export const PROBES_CHECKS: CheckDefinition[] = [];
