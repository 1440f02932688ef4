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
};
export type LspConfig = z.infer<z.ZodObject<typeof lspConfigShape>>;
export const parseLspConfig = (env?: Record<string, string | undefined>) => parseConfig(lspConfigShape, env);
