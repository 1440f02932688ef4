import { z } from 'zod';
import { baseConfigShape, parseConfig } from '@schakel/service-kit';

/** A front-office test user of an organisation, with the professional they are (from the topology file). */
const ConsoleUser = z.object({
  username: z.string(),
  password: z.string(),
  professional: z.object({ uziNumber: z.string(), roleCode: z.string(), name: z.string() }),
});
/** An organisation as the console knows it: where it runs and who may log in at its front office. */
export const ConsoleOrganisation = z.object({
  id: z.string(),
  service: z.enum(['gp', 'pharmacy', 'hap', 'seh', 'ambulance', 'hospital']),
  name: z.string(),
  url: z.url(),
  ura: z.string(),
  applicationId: z.string(),
  users: z.array(ConsoleUser),
});
export type ConsoleOrganisation = z.infer<typeof ConsoleOrganisation>;
export type ConsoleUser = z.infer<typeof ConsoleUser>;

const json = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected JSON' });
    return z.NEVER;
  }
});
export const DemoPatient = z.object({ bsn: z.string(), name: z.string(), story: z.string().optional() });

/**
 * The console's settings, parsed once at boot (the launcher sets them). TLS_* are the operator's admin
 * certificate: the console serves plain HTTP on the loopback address, and uses the certificate only as a
 * client of the switch point's operator routes.
 */
export const consoleConfigShape = {
  ...baseConfigShape,
  LSP_URL: z.url(),
  TLS_CERT_FILE: z.string().min(1),
  TLS_KEY_FILE: z.string().min(1),
  TLS_CA_FILE: z.string().min(1),
  /** The organisations and their test users, as JSON (the launcher writes it from the topology). */
  CONSOLE_ORGANISATIONS: json.pipe(z.array(ConsoleOrganisation).min(1)),
  /** The demo patients to offer (BSN, name, their story), as JSON. */
  CONSOLE_PATIENTS: json.pipe(z.array(DemoPatient)).default([]),
  /** The console's own CSS and script (services/console/public); the bundled service cannot find them itself. */
  CONSOLE_PUBLIC_DIR: z.string().optional(),
  /** How often the journals are read while a browser watches the live sequence, in ms. */
  CONSOLE_POLL_MS: z.coerce.number().int().min(100).default(1000),
};
export type ConsoleConfig = ReturnType<typeof parseConsoleConfig>;
export const parseConsoleConfig = (env: Record<string, string | undefined> = process.env) =>
  parseConfig(consoleConfigShape, env);
