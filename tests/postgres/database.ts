import { freshDatabase as freshDatabaseAt, postgresUnavailable as unavailableAt } from '@schakel/topology';

/**
 * The PostgreSQL test run (`npm run test:postgres`, docs/deployment.md): SCHAKEL_DB=postgres makes every
 * topology a test starts keep its stores in a fresh database of its own, created on the server that
 * SCHAKEL_TEST_DATABASE_URL names (a role that may create databases) and dropped afterwards.
 */
export const ON_POSTGRES = process.env['SCHAKEL_DB'] === 'postgres';
export const ADMIN_URL =
  process.env['SCHAKEL_TEST_DATABASE_URL'] ?? 'postgres://schakel:schakel@127.0.0.1:5432/schakel';

/** Why PostgreSQL cannot be used for tests here, or undefined when it can. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const why = await unavailableAt(ADMIN_URL);
  return why === undefined ? undefined : `${why}; set SCHAKEL_TEST_DATABASE_URL or see docs/deployment.md`;
}

/** A new, empty database for one topology, and how to drop it again. */
export const freshDatabase = () => freshDatabaseAt(ADMIN_URL);
