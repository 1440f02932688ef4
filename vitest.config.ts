import { defineConfig } from 'vitest/config';

/**
 * The cross-service files that run against PostgreSQL too: three switch-point replicas, the routed query, consent and the referral with
 * its letter, which is what reads and writes the stores (docs/deployment.md says why not all of them).
 */
const POSTGRES_CROSS_SERVICE = [
  'tests/replicas.test.ts',
  'tests/medication-lookup.test.ts',
  'tests/consent.test.ts',
  'tests/hospital.test.ts',
];

// Workspace packages export their TypeScript source under the '@schakel/source' condition, so tests,
// typecheck and dev runs need no build step. Vite's own defaults are listed again beside it.
export default defineConfig({
  ssr: { resolve: { conditions: ['@schakel/source', 'module', 'node', 'development|production'] } },
  test: {
    // Vitest's default is one worker per core less one: a single worker on a 2-core machine, so every file
    // ran after the other while most of a cross-service file's time is spent waiting on its child
    // processes. Two workers overlap those waits (npm test's budget: 10 minutes on 2 cores).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
          testTimeout: 15_000,
        },
      },
      {
        extends: true,
        // Real processes on ephemeral ports: each file starts its own topology.
        // tools/*/examples: the testkit's README examples, run as they are written.
        test: {
          name: 'cross-service',
          include: ['tests/**/*.test.ts', 'tools/*/examples/**/*.test.ts'],
          exclude: ['tests/postgres/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // `npm run test:postgres` (tests/postgres/run.ts sets SCHAKEL_DB=postgres): the guarantees of several
      // switch points on one database, and a representative part of the cross-service suite with every store
      // in PostgreSQL (docs/deployment.md says which and why). Not part of `npm test`.
      ...(process.env['SCHAKEL_DB'] === 'postgres'
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['tests/postgres/**/*.test.ts', ...POSTGRES_CROSS_SERVICE],
                testTimeout: 60_000,
                hookTimeout: 120_000,
              },
            },
          ]
        : []),
    ],
  },
});
