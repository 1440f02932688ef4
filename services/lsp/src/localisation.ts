import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Bsn, DATA_CATEGORIES, DataCategory, IndexEntry, Problem, describeInteraction, problem, type Decision, type ProblemError, type SystemEntry } from '@schakel/contracts';
import { pick, type App } from '@schakel/service-kit';
import type { AddressBook } from './address-book.js';
import { toEntry, type ReferenceIndex } from './reference-index.js';
import type { AccessLog, AccessEvent } from './access-log.js';
import { authorise, Situation, type ProtocolRow } from './authorisation/protocol.js';
import { checkSignedRequest, type AssertionCheck } from './assertions.js';
import { caller, isAdmin } from './auth.js';

export interface LocalisationDeps {
  book: AddressBook;
  index: ReferenceIndex;
  accessLog: AccessLog;
  protocol: ProtocolRow[];
  assertions: AssertionCheck;
}

const INTERACTION = 'QUMT_IN020010';
const ALL_CATEGORIES = Object.keys(DATA_CATEGORIES) as DataCategory[];

export interface Lookup {
  /** Who asked: the operator, or a professional of a system in the address book. */
  by: 'operator' | 'professional';
  /** The categories the asker may learn about (all for the operator). */
  categories: DataCategory[];
  /** Write this lookup's one access-log entry. */
  log: (outcome: AccessEvent['outcome'], code: string, explanation: string) => Promise<void>;
  /** A professional's system (its address-book entry) and role. */
  professional?: { system: SystemEntry; roleCode: string };
}

/**
 * Localisation is itself an access to personal data (where is this patient in care?): the reference-index
 * query and the open question need either the operator's certificate or a professional's signed assertion
 * for QUMT_IN020010 and this BSN (the same trust checks as a query), are authorised by the protocol per
 * data category, and write one access-log entry, so the patient sees them in the portal. A refusal is
 * logged before it is thrown.
 */
export async function checkLookup(deps: LocalisationDeps, request: FastifyRequest, bsn: string, ask: { category?: DataCategory | undefined; situation: Situation }): Promise<Lookup> {
  const client = caller(request);
  const base: Omit<AccessEvent, 'outcome' | 'code' | 'explanation'> = {
    interaction: INTERACTION,
    initialRequestId: request.aorta.initialRequestId,
    requestId: request.aorta.requestId,
    bsn,
    ...(ask.category !== undefined ? { category: ask.category } : {}),
    clientSubject: client.subject,
    requesterApplicationId: client.applicationId,
    requesterUra: client.ura,
    situation: ask.situation,
  };
  if (isAdmin(client)) {
    return { by: 'operator', categories: ALL_CATEGORIES, log: (outcome, code, explanation) => deps.accessLog.write({ ...base, outcome, code, explanation }).then(() => undefined) };
  }
  const event = { ...base };
  const refuse = async (p: ProblemError): Promise<ProblemError> => {
    await deps.accessLog.write({ ...event, outcome: 'refused', code: p.problem.decision?.code ?? p.code, explanation: `${p.problem.detail ?? p.problem.title} [${p.problem.decision?.rule ?? 'TRUST'}]` });
    return p;
  };
  const { claims } = await checkSignedRequest(deps.assertions, request, { applicationId: client.applicationId, interaction: INTERACTION, bsn }, refuse);
  Object.assign(event, { actingUzi: claims.sub, actingRole: claims.role, ...(claims.resp !== undefined ? { responsibleUzi: claims.resp.uziNumber } : {}) });

  const requester = await deps.book.get(client.applicationId);
  if (requester === undefined) {
    const decision: Decision = { code: 'UNKNOWN_SYSTEM', rule: 'LSP-AUTH-1: only systems in the address book may look up', explanation: `System ${client.applicationId} is not in the address book.` };
    throw await refuse(problem('UNKNOWN_SYSTEM', decision.explanation, { decision }));
  }
  const decide = (category: DataCategory) => authorise(deps.protocol, { roleCode: claims.role, organisationType: requester.organisationType, category, situation: ask.situation });
  const asked = ask.category !== undefined ? [ask.category] : ALL_CATEGORIES;
  const decisions = asked.map((category) => ({ category, ...decide(category) }));
  const permitted = decisions.filter((d) => d.permitted).map((d) => d.category);
  if (permitted.length === 0) {
    // Refused whatever the index holds, so a refusal says nothing about whether the patient is known.
    const deciding = decisions.find((d) => d.code === 'PROTOCOL_DENY') ?? (ask.category !== undefined ? decisions[0] : undefined);
    const decision: Decision =
      deciding !== undefined
        ? { code: deciding.code, rule: deciding.rule, explanation: deciding.explanation }
        : { code: 'PROTOCOL_NO_ROW', rule: 'AP-DEFAULT: what no row allows is refused', explanation: 'Refused: no row of the authorisation protocol lets this professional see any data category, so they may not look the patient up either.' };
    throw await refuse(problem('NOT_AUTHORISED', decision.explanation, { decision }));
  }
  return {
    by: 'professional',
    categories: permitted,
    professional: { system: requester, roleCode: claims.role },
    log: (outcome, code, explanation) => deps.accessLog.write({ ...event, outcome, code, explanation }).then(() => undefined),
  };
}

export function localisationRoutes(app: App, deps: LocalisationDeps): void {
  app.get(
    '/reference-index/:bsn',
    {
      config: { interaction: INTERACTION },
      schema: {
        tags: ['reference index'],
        summary: `${describeInteraction(INTERACTION)} -> QUMT_IN020020`,
        description:
          'Which systems hold data on this patient. A lookup is an access: it needs the operator’s certificate, or a professional’s signed assertion for QUMT_IN020010 and this BSN (Authorization: Bearer <JWS>). Only the categories the authorisation protocol lets the professional see are answered; the lookup is in the patient’s access log.',
        params: z.object({ bsn: Bsn }),
        querystring: z.object({ category: DataCategory.optional(), situation: Situation.default('regular') }).strict(),
        security: [{ assertion: [] }],
        response: { 200: z.object({ entries: z.array(IndexEntry) }), 401: Problem, ...pick(400, 403) },
      },
    },
    async (request) => {
      const { bsn } = request.params;
      const lookup = await checkLookup(deps, request, bsn, request.query);
      const allowed = new Set<string>(lookup.categories);
      const entries = (await deps.index.entries(bsn, request.query.category)).filter((e) => allowed.has(e.category)).map(toEntry);
      await lookup.log(
        'permitted',
        lookup.by === 'operator' ? 'OPERATOR' : 'PROTOCOL_ALLOW',
        `Reference-index lookup by ${lookup.by === 'operator' ? 'the operator' : `a professional of ${lookup.professional?.system.organisationName ?? 'a system'}`} (${lookup.categories.length === ALL_CATEGORIES.length ? 'all categories' : lookup.categories.join(', ')}): ${entries.length} entries`,
      );
      return { entries };
    },
  );
}
