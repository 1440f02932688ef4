import { z } from 'zod';
import { baseConfigShape, parseConfig } from '@schakel/service-kit';

export const lspConfigShape = {
  ...baseConfigShape,
  /** How long the switch point waits for each source in a fan-out, in ms (a real GBZ leg time-out). */
  SOURCE_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  /** The UZI card CA whose professional certificates may sign assertions. */
  CARD_CA_FILE: z.string().min(1),
  /** Clock skew allowed on an assertion's validity window, in seconds. */
  CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(30),
  /** The authorisation protocol file (default: services/lsp/protocol/default.json). */
  PROTOCOL_FILE: z.string().optional(),
  /** The fixed test code of the patient portal's login (stands in for DigiD). */
  PORTAL_TEST_CODE: z.string().min(1).default('123456'),
  /** Policy switches at start-up (the operator can change them at /admin/policies). */
  POLICY_CORONA_OPT_IN: z.enum(['on', 'off']).default('on'),
  POLICY_STOP_BUTTON: z.enum(['on', 'off']).default('on'),
  POLICY_PRESUMED_CONSENT: z.enum(['on', 'off']).default('on'),
  /**
   * Switch-point replicas behind this one address, on one shared store (Node's cluster module,
   * docs/deployment.md). More than one needs a store they can share: a file or PostgreSQL, not `:memory:`.
   */
  REPLICAS: z.coerce.number().int().min(1).max(16).default(1),
  /** The NVI's own store (FHIR localisation); default: beside DATABASE as <name>-nvi.sqlite (or in memory). */
  NVI_DATABASE: z.string().min(1).optional(),
  /** The pseudonym service's key for this environment (hex or base64, 32 bytes or more); default: a key file beside the NVI store. */
  PSEUDONYM_KEY: z.string().min(1).optional(),
  /** The organisation the NVI's pseudonyms are made for (the switch point's URA). */
  NVI_URA: z
    .string()
    .regex(/^\d{8}$/, 'expected 8 digits (URA)')
    .default('00000001'),
  /** Subscription notifications (FHIR rest-hook): first wait after a failed attempt, doubling up to the maximum. */
  NOTIFY_RETRY_INITIAL_MS: z.coerce.number().int().positive().default(1_000),
  NOTIFY_RETRY_MAX_MS: z.coerce.number().int().positive().default(60_000),
  /** How long one notification attempt waits for the subscriber's answer. */
  NOTIFY_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
};

/** Where the NVI's store lives when NVI_DATABASE is not set: beside the switch point's own. */
export const nviDatabaseOf = (config: Pick<LspConfig, 'DATABASE' | 'NVI_DATABASE'>): string =>
  config.NVI_DATABASE ??
  (config.DATABASE === ':memory:' ? ':memory:' : config.DATABASE.replace(/(\.sqlite)?$/, '-nvi.sqlite'));
/** The NVI's schema when the stores are in PostgreSQL: beside the switch point's own, `<schema>_nvi`. */
export const nviSchemaOf = (config: Pick<LspConfig, 'DATABASE_SCHEMA'>): string =>
  `${config.DATABASE_SCHEMA ?? 'public'}_nvi`;
export type LspConfig = z.infer<z.ZodObject<typeof lspConfigShape>>;
export const parseLspConfig = (env?: Record<string, string | undefined>) => parseConfig(lspConfigShape, env);
