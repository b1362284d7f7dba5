import { defineConfig } from 'vitest/config';

// Three projects, so a developer runs the fast part alone: `npx vitest run --project unit` (pure judges and
// in-process code, seconds), `--project fuzz` (fast-check), `--project e2e` (the built binary against
// real IdPs on loopback). `npm test` runs all three.
export default defineConfig({
  test: {
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine. The e2e
    // files spend most of their time waiting for the child processes they spawn (the CLI, the IdP's
    // answers, the scripted browser), so a third worker keeps both cores busy.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // A bound for a loaded machine (property tests), not a speed target: those live in npm run bench.
          testTimeout: 20_000,
          pool: 'threads',
        },
      },
      {
        test: {
          name: 'fuzz',
          include: ['test/fuzz/**/*.test.ts'],
          // Some fuzz properties spawn the binary; FUZZ_RUNS raises the run count (npm run fuzz).
          testTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // They spawn the built CLI and real IdPs on loopback: room for a loaded 2-core CI machine.
          testTimeout: 30_000,
          hookTimeout: 30_000,
          pool: 'forks',
        },
      },
    ],
  },
});
