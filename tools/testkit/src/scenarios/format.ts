import { z } from 'zod';
import { SetClock } from '@schakel/contracts';
import { FAULT_KINDS } from '@schakel/service-kit';

/**
 * A scenario as data (issue #14, item 2): `given` the patients, consents, policies and faults, `when`
 * interactions over the front offices' public JSON API (and straight at the switch point for the trust
 * refusals), `then` expectations on answers, per-source statuses, the access log, inboxes, reports and
 * journals. The format is documented in tools/testkit/README.md.
 */
const Name = z.string().regex(/^[A-Za-z][\w-]*$/, 'a name: letters, digits, - and _');
const Org = z.string().min(1).describe('an organisation id from the topology');
/** What is expected: a subset of the answer, matched like toMatchObject ('/regex/' strings match by pattern). */
const Expected = z.unknown();
const Professional = z.object({ uziNumber: z.string(), roleCode: z.string(), name: z.string() }).strict();
const Category = z.enum(['MEDVERSTREKKING', 'WAARNEEMGEGEVENS']);

const Patient = z
  .object({
    bsn: z
      .string()
      .regex(/^\d{9}$/)
      .optional()
      .describe('default: a fresh test BSN for this run'),
    name: z.string().default('Test Patiënt'),
    birthDate: z.string().default('1960-01-01'),
    gp: Org.optional().describe('the practice that keeps their record (one open episode, K78, unless episodes say)'),
    episodes: z.array(z.object({ code: z.string(), title: z.string() }).strict()).optional(),
    pharmacies: z.record(z.string(), z.array(z.string())).optional().describe('pharmacy id: dispensed products'),
  })
  .strict();

const Consent = z.object({ patient: Name, at: Org, state: z.enum(['consent', 'objection', 'no-choice']) }).strict();
const FaultStep = z
  .object({
    at: Org,
    kind: z.enum(FAULT_KINDS),
    latencyMs: z.number().optional(),
    jitterMs: z.number().optional(),
    status: z.number().optional(),
    code: z.string().optional(),
    times: z.number().optional(),
  })
  .strict();
const Policies = z
  .object({ coronaOptIn: z.boolean(), stopButton: z.boolean(), presumedConsent: z.boolean() })
  .partial()
  .strict();

export const Given = z
  .object({
    professionals: z
      .array(Professional.extend({ at: Org }))
      .default([])
      .describe('professionals the organisations need (a UZI card each): the runner adds them when it starts Schakel'),
    patients: z.record(Name, Patient).default({}),
    consents: z.array(Consent).default([]),
    registrations: z
      .array(z.object({ patient: Name, at: Org, category: Category }).strict())
      .default([])
      .describe('reference-index entries made by the operator without a consent at the holder'),
    coronaOptIn: z.array(Org).default([]).describe('practices that join the corona opt-in'),
    policies: Policies.optional(),
    faults: z.array(FaultStep).default([]),
    clock: SetClock.optional().describe(
      'the clock of every service, and of the runner’s own signed queries, during this scenario (docs/control.md, "Clock"); real time again after it',
    ),
  })
  .strict();

/** Actions of `when`. */
const actions = {
  consult: z
    .object({
      at: Org,
      patient: Name,
      by: z.string().describe('UZI number of the professional, one of the organisation’s'),
      as: Name,
      situation: z.enum(['regular', 'acute']).optional(),
      patientCannotConsent: z.boolean().optional(),
    })
    .strict(),
  medication: z.object({ consult: Name, as: Name, verbalConsent: z.boolean().optional() }).strict(),
  summary: z.object({ consult: Name, as: Name, verbalConsent: z.boolean().optional() }).strict(),
  sendReport: z
    .object({
      consult: Name,
      as: Name,
      encounter: z.record(z.string(), z.unknown()).optional().describe('default: a short febrile-illness encounter'),
    })
    .strict(),
  consent: Consent,
  portalChoice: z
    .object({
      patient: Name,
      as: Name,
      state: z.enum(['consent', 'objection']),
      holder: z.union([z.object({ at: Org }).strict(), z.object({ organisationType: z.string() }).strict()]),
      category: Category.optional(),
    })
    .strict(),
  processRequest: z
    .object({ at: Org, request: Name, accept: z.boolean().default(true) })
    .strict()
    .describe('the holder processes a portal choice made earlier (as: its name)'),
  query: z
    .object({
      system: Org.describe('the requesting system, with its own certificate'),
      by: z.string(),
      patient: Name,
      kind: z.enum(['medication', 'summary']).default('medication'),
      as: Name,
      certificate: z.enum(['own', 'none', 'other-ca']).default('own'),
      assertion: z.enum(['valid', 'missing', 'other-patient', 'expired', 'replayed']).default('valid'),
      onBehalfOf: Org.optional().describe(
        'the system the request names as requester, if not the one whose certificate it comes with',
      ),
      treatmentRelation: z.boolean().default(true).describe('whether the professional declares a treatment relation'),
      situation: z.enum(['regular', 'acute']).optional(),
      verbalConsent: z.boolean().optional(),
      patientCannotConsent: z.boolean().optional(),
    })
    .strict()
    .describe('a query straight at the switch point as a connected system: for trust refusals'),
  aortaQuery: z
    .object({
      system: Org.describe('the requesting system, with its own certificate'),
      by: z.string(),
      patient: Name,
      kind: z.enum(['medication', 'summary']).default('medication'),
      as: Name,
    })
    .strict()
    .describe('the same query on the AORTA wire: HL7v3 in SOAP with a signed header, to /aorta/query'),
  stop: Org,
  start: Org,
  restart: Org,
  pause: Org,
  resume: Org,
  fault: FaultStep,
  clearFault: Org,
  clearJournal: Org,
  policies: Policies,
  wait: z.number().int().min(0).max(60_000).describe('milliseconds'),
} as const;

/** Checks of `then` (and of `when`, between actions). */
const checks = {
  answer: z
    .object({
      of: Name,
      status: z.number().optional(),
      code: z.string().optional().describe('the problem code of a refusal'),
      decision: Expected.optional().describe('the decision of a refused query; a string is its code'),
      complete: z.boolean().optional(),
      sources: z.record(Org, Expected).optional().describe('per organisation id: status, contacted, decision, ...'),
      body: Expected.optional(),
    })
    .strict(),
  accessLog: z
    .object({ patient: Name, count: z.number().optional(), last: Expected.optional(), entries: Expected.optional() })
    .strict(),
  inbox: z
    .object({
      at: Org,
      patient: Name,
      count: z.number().optional(),
      has: z.array(Name).optional(),
      reports: Expected.optional(),
    })
    .strict(),
  report: z
    .object({
      of: Name,
      state: z.enum(['queued', 'delivering', 'retrying', 'delivered', 'rejected']),
      within: z.number().int().positive().default(30_000),
      rejection: z.string().optional().describe('the rejection code'),
    })
    .strict(),
  journal: z
    .object({ at: Org, count: z.number().optional(), entries: Expected.optional() })
    .strict()
    .describe('what the organisation received since its journal was cleared'),
} as const;

export type Actions = { [K in keyof typeof actions]: z.infer<(typeof actions)[K]> };
export type Checks = { [K in keyof typeof checks]: z.infer<(typeof checks)[K]> };
export type Action = { [K in keyof Actions]: { kind: K; value: Actions[K]; say?: string } }[keyof Actions];
export type Check = { [K in keyof Checks]: { kind: K; value: Checks[K]; say?: string } }[keyof Checks];
export type Step = Action | Check;
export const ACTION_KINDS = Object.keys(actions) as (keyof Actions)[];
export const CHECK_KINDS = Object.keys(checks) as (keyof Checks)[];

/** One step: exactly one action or check, and an optional line to narrate in --demo. */
function step(allowed: readonly string[]) {
  const schemas: Record<string, z.ZodType> = { ...actions, ...checks };
  return z.record(z.string(), z.unknown()).transform((raw, ctx): Step => {
    const { say, ...rest } = raw;
    const keys = Object.keys(rest);
    if (keys.length !== 1 || !allowed.includes(keys[0] as string)) {
      ctx.addIssue({
        code: 'custom',
        message: `a step is one of ${allowed.join(', ')} (found ${keys.join(', ') || 'nothing'})`,
      });
      return z.NEVER;
    }
    const kind = keys[0] as string;
    const parsed = (schemas[kind] as z.ZodType).safeParse(rest[kind]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [kind, ...issue.path] });
      return z.NEVER;
    }
    return { kind, value: parsed.data, ...(typeof say === 'string' ? { say } : {}) } as Step;
  });
}

export const Scenario = z
  .object({
    scenario: z.string().min(1).describe('what it shows, as a sentence'),
    description: z.string().optional().describe('narrated in --demo'),
    tags: z.array(z.string()).default([]),
    given: Given.default(Given.parse({})),
    when: z.array(step([...ACTION_KINDS, ...CHECK_KINDS])).default([]),
    then: z.array(step(CHECK_KINDS)).default([]),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;
