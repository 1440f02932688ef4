import { randomBytes } from 'node:crypto';
import { onPostgres } from '@schakel/service-kit';

/**
 * Throw-away databases on a PostgreSQL server, for the PostgreSQL test run and the bench's replicas step
 * (docs/deployment.md): `adminUrl` names a role that may create databases.
 */

/** Why PostgreSQL at `adminUrl` cannot be used here, or undefined when it can. */
export async function postgresUnavailable(adminUrl: string): Promise<string | undefined> {
  try {
    await onPostgres(adminUrl, (query) => query('SELECT 1'));
    return undefined;
  } catch (err) {
    return `no PostgreSQL at ${adminUrl.replace(/:[^:@/]*@/, ':***@')} (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** A new, empty database (byte-order collation, as SQLite compares text), and how to drop it again. */
export async function freshDatabase(
  adminUrl: string,
  prefix = 'schakel_test',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onPostgres(adminUrl, (query) =>
    query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      onPostgres(adminUrl, (query) => query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
