import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { UziNumber, UziRoleCode, realNowIso } from '@schakel/contracts';
import {
  nowIso,
  queryBuilder,
  type Generated,
  type Kysely,
  type Migration,
  type QueryRunner,
  type Selectable,
} from './store.js';

/**
 * The organisation's own people: local users of its front office, each one a professional (UZI number,
 * role, name) with a password. Medical secrecy covers who is registered with a practice too, so nothing
 * in a front office answers without one of them logged in, and every front-office access to a patient
 * is written to the organisation's own log with the user (NEN 7513: the user beside the event).
 */
export const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lower-case letters, digits, dot, dash or underscore (2 to 64)')
  .describe('A front-office username, e.g. hdewit');

export const FrontOfficeUser = z
  .object({
    username: Username,
    professional: z
      .object({ uziNumber: UziNumber, roleCode: UziRoleCode, name: z.string().min(1).max(200) })
      .strict()
      .describe('The professional this user is: queries and reports are signed with their UZI card'),
  })
  .strict()
  .meta({ id: 'FrontOfficeUser' });
export type FrontOfficeUser = z.infer<typeof FrontOfficeUser>;

/** A user as an organisation receives it at start-up (FRONT_OFFICE_USERS_FILE): the password only as a hash. */
export const ProvisionedUser = FrontOfficeUser.extend({
  passwordHash: z.string().startsWith('scrypt$', 'an scrypt hash from hashPassword()'),
}).strict();
export type ProvisionedUser = z.infer<typeof ProvisionedUser>;
export const ProvisionedUsers = z.array(ProvisionedUser);

// scrypt from node:crypto (no dependency): N=2^14, r=8, p=1 (the OWASP minimum for scrypt), 32-byte key.
const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err === null ? resolve(key) : reject(err),
    ),
  );
}

/** `scrypt$N$r$p$<salt>$<key>` (base64url), a fresh 16-byte salt each time. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `stored`; compares in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Hashed once per process: an unknown username costs as much as a wrong password. */
let dummyHash: Promise<string> | undefined;

export interface FrontOfficeTables {
  front_office_users: { username: string; uzi_number: string; role_code: string; name: string; password_hash: string };
  front_office_sessions: { token_hash: string; username: string; started_at: string; expires_at: string };
  front_office_log: {
    id: Generated<number>;
    at: string;
    username: string | null;
    uzi_number: string | null;
    role_code: string | null;
    method: string;
    route: string;
    bsn: string;
    outcome: string;
    initial_request_id: string | null;
  };
}

/** For every organisation's migrations: its users, their sessions and the front office's access log. */
export const frontOfficeMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('front_office_users')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('uzi_number', 'text', (c) => c.notNull())
      .addColumn('role_code', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .execute();
    // Only a hash of each token is kept: a copy of the store does not log anyone in.
    await db.schema
      .createTable('front_office_sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('front_office_log')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('username', 'text')
      .addColumn('uzi_number', 'text')
      .addColumn('role_code', 'text')
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('route', 'text', (c) => c.notNull())
      .addColumn('bsn', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('initial_request_id', 'text')
      .execute();
    await db.schema.createIndex('front_office_log_bsn').on('front_office_log').column('bsn').execute();
  },
};

/** One front-office access to a patient: who (or nobody, when refused), which route, the outcome. */
export const FrontOfficeLogEntry = z
  .object({
    id: z.number(),
    at: z.string(),
    user: FrontOfficeUser.nullable().describe('null: no valid session, refused'),
    method: z.string(),
    route: z.string().describe('The route pattern, e.g. /patients/:bsn/record'),
    bsn: z.string(),
    outcome: z.string().describe('The HTTP status, and the problem code when refused or failed'),
    initialRequestId: z.string().nullable(),
  })
  .meta({ id: 'FrontOfficeLogEntry' });
export type FrontOfficeLogEntry = z.infer<typeof FrontOfficeLogEntry>;

export interface FrontOfficeLogEvent {
  user: FrontOfficeUser | undefined;
  method: string;
  route: string;
  bsn: string;
  outcome: string;
  initialRequestId: string | undefined;
}

const toUser = (r: Selectable<FrontOfficeTables['front_office_users']>): FrontOfficeUser => ({
  username: r.username,
  professional: { uziNumber: r.uzi_number, roleCode: r.role_code, name: r.name },
});
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** The front office's users, sessions and log in the organisation's own store (any store with frontOfficeMigration). */
export function createFrontOfficeStore(store: QueryRunner) {
  const q = queryBuilder<FrontOfficeTables>(store);
  const userRow = async (username: string) =>
    (await store.executeQuery(q.selectFrom('front_office_users').selectAll().where('username', '=', username))).rows[0];
  return {
    /**
     * Make the users exactly these (from the topology at start-up): new ones added, changed ones updated,
     * others removed with their sessions.
     */
    async provision(users: ProvisionedUser[]): Promise<void> {
      const names = users.map((u) => u.username);
      const gone =
        names.length === 0
          ? q.deleteFrom('front_office_users')
          : q.deleteFrom('front_office_users').where('username', 'not in', names);
      await store.executeQuery(gone);
      const sessions =
        names.length === 0
          ? q.deleteFrom('front_office_sessions')
          : q.deleteFrom('front_office_sessions').where('username', 'not in', names);
      await store.executeQuery(sessions);
      for (const u of users) await this.add(u);
    },
    /** Add a user, or change one with this username. */
    async add(u: ProvisionedUser): Promise<void> {
      const row = {
        uzi_number: u.professional.uziNumber,
        role_code: u.professional.roleCode,
        name: u.professional.name,
        password_hash: u.passwordHash,
      };
      await store.executeQuery(
        q
          .insertInto('front_office_users')
          .values({ username: u.username, ...row })
          .onConflict((oc) => oc.column('username').doUpdateSet(row)),
      );
    },
    async users(): Promise<FrontOfficeUser[]> {
      return (await store.executeQuery(q.selectFrom('front_office_users').selectAll().orderBy('username'))).rows.map(
        toUser,
      );
    },
    /** The user, when the password is theirs. */
    async verify(username: string, password: string): Promise<FrontOfficeUser | undefined> {
      const row = await userRow(username);
      if (row === undefined) {
        dummyHash ??= hashPassword('not a user');
        await verifyPassword(password, await dummyHash);
        return undefined;
      }
      return (await verifyPassword(password, row.password_hash)) ? toUser(row) : undefined;
    },
    async startSession(user: FrontOfficeUser, minutes: number): Promise<{ token: string; expiresAt: string }> {
      const token = randomBytes(32).toString('base64url');
      // A session's lifetime is operational, on real time (docs/control.md, "Clock"): moving the domain's
      // clock must not log everyone out. What users do is logged on the domain's clock (log below).
      const realNow = realNowIso();
      const expiresAt = new Date(Date.now() + minutes * 60_000).toISOString();
      await store.executeQuery(q.deleteFrom('front_office_sessions').where('expires_at', '<', realNow));
      await store.executeQuery(
        q.insertInto('front_office_sessions').values({
          token_hash: tokenHash(token),
          username: user.username,
          started_at: realNow,
          expires_at: expiresAt,
        }),
      );
      return { token, expiresAt };
    },
    /** The user of a session that has not expired or ended, and when it expires. */
    async session(token: string): Promise<{ user: FrontOfficeUser; expiresAt: string } | undefined> {
      const { rows } = await store.executeQuery(
        q
          .selectFrom('front_office_sessions')
          .innerJoin('front_office_users', 'front_office_users.username', 'front_office_sessions.username')
          .selectAll('front_office_users')
          .select('front_office_sessions.expires_at')
          .where('front_office_sessions.token_hash', '=', tokenHash(token))
          .where('front_office_sessions.expires_at', '>', realNowIso()),
      );
      const row = rows[0];
      return row === undefined ? undefined : { user: toUser(row), expiresAt: row.expires_at };
    },
    async endSession(token: string): Promise<void> {
      await store.executeQuery(q.deleteFrom('front_office_sessions').where('token_hash', '=', tokenHash(token)));
    },
    async log(e: FrontOfficeLogEvent): Promise<void> {
      await store.executeQuery(
        q.insertInto('front_office_log').values({
          at: nowIso(),
          username: e.user?.username ?? null,
          uzi_number: e.user?.professional.uziNumber ?? null,
          role_code: e.user?.professional.roleCode ?? null,
          method: e.method,
          route: e.route,
          bsn: e.bsn,
          outcome: e.outcome,
          initial_request_id: e.initialRequestId ?? null,
        }),
      );
    },
    async entries(bsn?: string): Promise<FrontOfficeLogEntry[]> {
      let select = q.selectFrom('front_office_log').selectAll();
      if (bsn !== undefined) select = select.where('bsn', '=', bsn);
      const { rows } = await store.executeQuery(select.orderBy('id'));
      // The user as they were logged (name from the users table when they still exist).
      const names = new Map((await this.users()).map((u) => [u.username, u.professional.name]));
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        user:
          r.username === null || r.uzi_number === null || r.role_code === null
            ? null
            : {
                username: r.username,
                professional: {
                  uziNumber: r.uzi_number,
                  roleCode: r.role_code,
                  name: names.get(r.username) ?? r.username,
                },
              },
        method: r.method,
        route: r.route,
        bsn: r.bsn,
        outcome: r.outcome,
        initialRequestId: r.initial_request_id,
      }));
    },
  };
}
export type FrontOfficeStore = ReturnType<typeof createFrontOfficeStore>;
