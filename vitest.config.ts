import { defineConfig } from 'vitest/config';

/** The cross-service suite: real processes on ephemeral ports, each file starting its own topology. */
const CROSS_SERVICE = ['tests/**/*.test.ts', 'tools/*/examples/**/*.test.ts'];

/**
 * Cross-service files the PostgreSQL run leaves out (issue #18), because neither PostgreSQL nor replicas
 * change what they test; every other one runs with every store in PostgreSQL and the switch point as three
 * replicas (tests/helpers.ts). docs/deployment.md lists them too.
 */
const NOT_ON_POSTGRES = [
  // Static checks of the repository: they start nothing and touch no store.
  'tests/docs-paths.test.ts',
  'tests/layers.test.ts',
  'tests/openapi.test.ts',
  'tests/fuzz-verdict.test.ts',
  // In-process services on in-memory SQLite (@schakel/testkit/in-process): they test the wire and the
  // audiences' guards, which answer before any store is read, not the launcher's processes and stores.
  'tests/audiences.test.ts',
  'tests/fuzz.test.ts',
  // @schakel/testkit's startSchakel is the integrator's embedded stack: SQLite files it resets by restoring a
  // snapshot, which PostgreSQL refuses (SNAPSHOTS_UNSUPPORTED). On PostgreSQL these would run on SQLite again.
  'tests/control.test.ts',
  'tests/record-replay.test.ts',
  'tests/scenarios.test.ts',
  'tests/testkit-examples.test.ts',
  'tools/*/examples/**',
  // The testkit's container: a Docker image with its own embedded store (skipped where Docker is missing).
  'tests/container.test.ts',
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
          include: CROSS_SERVICE,
          exclude: ['tests/postgres/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // `npm run test:postgres` (tests/postgres/run.ts sets SCHAKEL_DB=postgres): the guarantees of several
      // switch points on one database (tests/postgres/**), and the cross-service suite with every store in
      // PostgreSQL and three switch-point replicas, but for NOT_ON_POSTGRES. Not part of `npm test`.
      ...(process.env['SCHAKEL_DB'] === 'postgres'
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['tests/postgres/**/*.test.ts', ...CROSS_SERVICE],
                exclude: NOT_ON_POSTGRES,
                testTimeout: 60_000,
                hookTimeout: 120_000,
              },
            },
          ]
        : []),
    ],
  },
});
