import { randomBytes } from 'node:crypto';
import { onPostgres } from '@schakel/service-kit';

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
  try {
    await onPostgres(ADMIN_URL, (query) => query('SELECT 1'));
    return undefined;
  } catch (err) {
    return `no PostgreSQL at ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')} (${err instanceof Error ? err.message : String(err)}); set SCHAKEL_TEST_DATABASE_URL or see docs/deployment.md`;
  }
}

/** A new, empty database (byte-order collation, as SQLite compares text), and how to drop it again. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `schakel_test_${randomBytes(6).toString('hex')}`;
  await onPostgres(ADMIN_URL, (query) =>
    query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`),
  );
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      onPostgres(ADMIN_URL, (query) => query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
