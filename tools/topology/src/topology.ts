import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AMBULANCE_SERVICE_TYPE, ApplicationId, Ura, UziNumber, UziRoleCode, Wire } from '@schakel/contracts';

/** The repository root, where services/ and topology/ live. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_TOPOLOGY_FILE = resolve(REPO_ROOT, 'topology/default.json');

export const SERVICES = ['gp', 'pharmacy', 'hap', 'seh', 'ambulance', 'hospital'] as const;
/** The services the switch point asks for data: the ones with a wire to choose. */
const SOURCES = new Set<string>(['gp', 'pharmacy']);

/** The organisation type each kind of system stands for (written into its system certificate too). */
export const ORGANISATION_TYPE_OF = {
  gp: 'Z3',
  pharmacy: 'J8',
  hap: 'N6',
  seh: 'V4',
  ambulance: AMBULANCE_SERVICE_TYPE,
  hospital: 'V4',
} as const;

const ProfessionalSpec = z
  .object({ uziNumber: UziNumber, roleCode: UziRoleCode, name: z.string().min(1) })
  .strict()
  .describe('A professional of this organisation: npm start issues a test UZI card for them');

const UserSpec = z
  .object({
    username: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lower-case letters, digits, dot, dash or underscore'),
    password: z.string().min(8, 'at least 8 characters'),
    uziNumber: UziNumber.describe('The professional (of this organisation) the user is'),
  })
  .strict()
  .describe('A test user of the organisation’s front office: npm start gives it to the organisation, hashed');

export const Topology = z.object({
  $comment: z.string().optional(),
  switchPoint: z
    .object({
      id: z.string().default('lsp'),
      name: z.string(),
      ura: Ura.default('00000001'),
      applicationId: ApplicationId.default('1'),
      port: z.number().int().min(0).max(65535),
    })
    .strict(),
  organisations: z
    .array(
      z
        .object({
          id: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes'),
          service: z.enum(SERVICES),
          name: z.string().min(1),
          ura: Ura,
          applicationId: ApplicationId,
          port: z.number().int().min(0).max(65535),
          professionals: z.array(ProfessionalSpec).default([]),
          wire: Wire.default('json').describe(
            'How the switch point asks this source: json (its /lsp/ legs), hl7v3 (HL7v3 in SOAP at /lsp/aorta) or fhir (FHIR R4 searches at /lsp/fhir); GP and pharmacy only',
          ),
          /** The front office's local users (test credentials, documented in the README). */
          users: z.array(UserSpec).default([]),
        })
        .strict()
        .refine((o) => o.wire === 'json' || SOURCES.has(o.service), {
          path: ['wire'],
          error: 'only a source (gp, pharmacy) answers the switch point, so only a source can speak hl7v3 or fhir',
        }),
    )
    .min(1),
  /** The web console (services/console): plain HTTP on the loopback address, started by `npm start`. */
  console: z
    .object({ port: z.number().int().min(0).max(65535).default(7080) })
    .strict()
    .optional(),
  settings: z
    .object({
      sourceTimeoutMs: z.number().int().positive().default(3000),
      /** The switch point's policy switches at start-up (the operator can change them at /admin/policies). */
      policies: z
        .object({
          coronaOptIn: z.boolean().default(true),
          stopButton: z.boolean().default(true),
          presumedConsent: z.boolean().default(true),
        })
        .strict()
        .default({ coronaOptIn: true, stopButton: true, presumedConsent: true }),
      /** Replace the default authorisation protocol with this file (relative to the repository). */
      protocolFile: z.string().optional(),
    })
    .strict()
    .default({ sourceTimeoutMs: 3000, policies: { coronaOptIn: true, stopButton: true, presumedConsent: true } }),
});
export type Topology = z.infer<typeof Topology>;
export type OrganisationSpec = Topology['organisations'][number];

export function loadTopology(file = DEFAULT_TOPOLOGY_FILE): Topology {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read topology file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = Topology.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `Topology file ${file} is not valid:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const ids = new Set<string>();
  for (const o of parsed.data.organisations) {
    if (ids.has(o.id) || o.id === parsed.data.switchPoint.id)
      throw new Error(`Topology file ${file}: organisation id ${o.id} is used twice`);
    ids.add(o.id);
    const usernames = new Set<string>();
    for (const u of o.users) {
      if (usernames.has(u.username)) throw new Error(`Topology file ${file}: ${o.id} has user ${u.username} twice`);
      usernames.add(u.username);
      if (!o.professionals.some((p) => p.uziNumber === u.uziNumber))
        throw new Error(
          `Topology file ${file}: user ${u.username} of ${o.id} is professional ${u.uziNumber}, who is not among its professionals`,
        );
    }
  }
  return parsed.data;
}

/** A front-office user of an organisation with the professional they are (from the organisation's professionals). */
export function usersOf(
  o: OrganisationSpec,
): { username: string; password: string; professional: OrganisationSpec['professionals'][number] }[] {
  return o.users.flatMap((u) => {
    const professional = o.professionals.find((p) => p.uziNumber === u.uziNumber);
    return professional === undefined ? [] : [{ username: u.username, password: u.password, professional }];
  });
}
