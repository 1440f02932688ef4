import { z } from 'zod';
import { baseConfigShape, parseConfig } from '@schakel/service-kit';

export const lspConfigShape = {
  ...baseConfigShape,
  /** How long the switch point waits for each source in a fan-out, in ms (a real GBZ leg time-out). */
  SOURCE_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
};
export type LspConfig = z.infer<z.ZodObject<typeof lspConfigShape>>;
export const parseLspConfig = (env?: Record<string, string | undefined>) => parseConfig(lspConfigShape, env);
