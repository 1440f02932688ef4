import { z } from 'zod';
import { Wire } from '@schakel/contracts';

/**
 * Config is parsed once at boot from environment variables by one zod schema and fails fast with a
 * message naming every bad variable (after fastify/demo's src/plugins/external/env.ts). No branching on
 * NODE_ENV anywhere.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables every service reads. */
export const baseConfigShape = {
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `:memory:` or a file path for the embedded SQLite store. */
  DATABASE: z.string().min(1).default(':memory:'),
  /** A PostgreSQL database instead of the SQLite file (docs/deployment.md): postgres://user:password@host:port/db */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional(),
  /** This organisation's schema in that database (npm start names it after the organisation); default public. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL name (letters, digits, _)')
    .optional(),
  /** Connections this process keeps open to PostgreSQL at most. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  PUBLIC_URL: z.url().optional().describe('How other services reach this one; defaults to http(s)://HOST:PORT'),
  /** Mutual TLS: this system's certificate chain, its key, and the root CA it trusts (all three, or none). */
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  TLS_CA_FILE: z.string().optional(),
};

export function parseConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = env[name];
      return `${name}: ${issue.message}${value === undefined ? ' (not set)' : ` (got ${JSON.stringify(value)})`}`;
    }),
  );
}

/** Variables every connected organisation's system reads (everything but the switch point). */
export const organisationConfigShape = {
  ...baseConfigShape,
  ORG_URA: z.string().regex(/^\d{8}$/, 'expected 8 digits (URA)'),
  ORG_NAME: z.string().min(1),
  APPLICATION_ID: z.string().regex(/^\d{1,12}$/, 'expected 1 to 12 digits (GBZ application id)'),
  LSP_URL: z.url(),
  /**
   * The front office's local users: a JSON file of users with scrypt password hashes (npm start writes it
   * from the topology's test users). Provisioned into the store at start-up; without it the store's users stay.
   */
  FRONT_OFFICE_USERS_FILE: z.string().optional(),
  /** Time-out for calls to the switch point, in ms. */
  LSP_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * The wire the switch point asks this system on, as a source: its JSON legs (`/lsp/...`), HL7v3 in SOAP
   * at its AORTA leg (`/lsp/aorta`), or FHIR searches at its FHIR leg (`/lsp/fhir`). It lands in the address
   * book; only a system that holds data may say hl7v3 or fhir.
   */
  WIRE: Wire.default('json'),
};
