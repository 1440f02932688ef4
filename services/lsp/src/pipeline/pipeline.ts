import { ProblemError, problem, type Decision } from '@schakel/contracts';
import type { ServiceClient } from '@schakel/service-kit';
import type { AddressBook } from '../address-book.js';
import type { ReferenceIndex } from '../reference-index.js';
import type { ConsentStore } from '../consent.js';
import type { AccessEvent, AccessLog } from '../access-log.js';
import type { PolicyStore } from '../policies.js';
import { isAdmin } from '../auth.js';
import { authorise, type ProtocolRow } from '../authorisation/protocol.js';
import { acceptAssertion, type AssertionCheck } from './trust.js';
import { Stop, type InteractionDefinition, type Signed } from './definition.js';

export interface PipelineDeps {
  book: AddressBook;
  index: ReferenceIndex;
  consents: ConsentStore;
  accessLog: AccessLog;
  policies: PolicyStore;
  protocol: ProtocolRow[];
  /** Calls to sources and GPs, with the switch point's own certificate. */
  client: ServiceClient;
  /** How long the switch point waits for one source (a query leg) or the GP (a delivery leg). */
  timeoutMs: number;
  assertions: AssertionCheck;
}

const decisionOf = (d: Decision): Decision => ({
  code: d.code,
  rule: d.rule,
  explanation: d.explanation,
  ...(d.consentRecordId !== undefined ? { consentRecordId: d.consentRecordId } : {}),
});

/**
 * The one interaction pipeline: trust -> address book -> treatment relation -> authorisation protocol ->
 * the definition's own step (holders and consent per holder, then fan-out; or delivery; or the index) ->
 * exactly one access-log entry, whether the interaction succeeds, is refused at any step, or fails
 * upstream. Every wire calls `run` with its own parse of the message and its own verified token.
 */
export function createPipeline(deps: PipelineDeps) {
  return async function run<Q, A>(def: InteractionDefinition<Q, A>, q: Q, signed: Signed): Promise<A> {
    const { client } = signed;
    const subject = def.subject(q, client);
    const prefix = def.describe?.(q) ?? '';
    const event: Omit<AccessEvent, 'outcome' | 'code' | 'explanation'> = {
      interaction: def.interaction,
      initialRequestId: signed.aorta.initialRequestId,
      requestId: signed.aorta.requestId,
      bsn: subject.bsn,
      ...(subject.category !== undefined ? { category: subject.category } : {}),
      clientSubject: client.subject,
      requesterApplicationId: subject.applicationId,
      requesterUra: client.ura,
      ...(subject.professional !== undefined
        ? { actingUzi: subject.professional.uziNumber, actingRole: subject.professional.roleCode }
        : {}),
      ...(subject.responsible !== undefined ? { responsibleUzi: subject.responsible.uziNumber } : {}),
      situation: subject.situation,
    };
    const write = (entry: Pick<AccessEvent, 'outcome' | 'code' | 'explanation' | 'sources' | 'emergency'>) =>
      deps.accessLog.write({ ...event, ...entry, explanation: `${prefix}${entry.explanation}` });
    const refuse = (code: 'CLIENT_NOT_ALLOWED' | 'UNKNOWN_SYSTEM' | 'NOT_AUTHORISED', decision: Decision) =>
      problem(code, decision.explanation, { decision: decisionOf(decision) });

    try {
      // 1 trust: the operator (for lookups), or a system in its own name with a professional's signed token.
      if (def.operatorMay && isAdmin(client)) {
        const acted = await def.act({ q, subject, signed, deps, categories: def.categories(q) });
        await write(acted.log);
        return acted.answer;
      }
      if (client.applicationId !== subject.applicationId) {
        throw refuse('CLIENT_NOT_ALLOWED', {
          code: 'CLIENT_NOT_ALLOWED',
          rule: 'TRUST-1: a system acts in its own name only',
          explanation: `The client certificate belongs to system ${client.applicationId}, but the message names system ${subject.applicationId}.`,
        });
      }
      const claims = await acceptAssertion(deps.assertions, client, await signed.token(), {
        interaction: def.interaction,
        bsn: subject.bsn,
        professional: subject.professional,
        responsible: subject.responsible,
      });
      Object.assign(event, {
        actingUzi: claims.sub,
        actingRole: claims.role,
        ...(claims.resp !== undefined ? { responsibleUzi: claims.resp.uziNumber } : {}),
      });

      // 2 address book, 3 treatment relation.
      const requester = await deps.book.get(subject.applicationId);
      if (requester === undefined) {
        throw refuse('UNKNOWN_SYSTEM', {
          code: 'UNKNOWN_SYSTEM',
          rule: 'LSP-AUTH-1: only systems in the address book may ask or send',
          explanation: `System ${subject.applicationId} is not in the address book.`,
        });
      }
      if (subject.treatmentRelation === false) {
        throw refuse('NOT_AUTHORISED', {
          code: 'NO_TREATMENT_RELATION',
          rule: 'LSP-AUTH-2: the requester must assert a treatment relation',
          explanation: 'The requester did not assert a treatment relation with the patient.',
        });
      }

      // 4 the authorisation protocol, per category asked; a lookup keeps the categories it may see.
      const asked = def.categories(q);
      const decisions = asked.map((category) => ({
        category,
        ...authorise(deps.protocol, {
          roleCode: claims.role,
          organisationType: requester.organisationType,
          category,
          situation: subject.situation,
        }),
      }));
      const permitted = decisions.filter((d) => d.permitted);
      if (permitted.length === 0) {
        // Refused whatever the index holds, so a refusal tells nothing about whether the patient is known.
        const deciding =
          decisions.find((d) => d.code === 'PROTOCOL_DENY') ?? (asked.length === 1 ? decisions[0] : undefined);
        throw refuse(
          'NOT_AUTHORISED',
          deciding ?? {
            code: 'PROTOCOL_NO_ROW',
            rule: 'AP-DEFAULT: what no row allows is refused',
            explanation:
              'Refused: no row of the authorisation protocol lets this professional see any of the data categories asked.',
          },
        );
      }
      const [first] = permitted;
      const decision: Decision =
        permitted.length === 1 && first !== undefined
          ? decisionOf(first)
          : {
              code: 'PROTOCOL_ALLOW',
              rule: permitted.map((d) => d.rule.split(':')[0]).join(', '),
              explanation: `Allowed: ${permitted.map((d) => d.category).join(', ')}.`,
            };

      // 5 the interaction's own step, and its one log entry.
      const acted = await def.act({
        q,
        subject,
        signed,
        deps,
        professional: { claims, requester, decision },
        categories: permitted.map((d) => d.category),
      });
      await write(acted.log);
      return acted.answer;
    } catch (err) {
      if (err instanceof Stop) {
        await write(err.log);
        throw err.problem;
      }
      if (err instanceof ProblemError) {
        const p = err.problem;
        await write({
          outcome: 'refused',
          code: p.decision?.code ?? p.code,
          explanation: `${p.decision?.explanation ?? p.detail ?? p.title} [${p.decision?.rule ?? 'TRUST'}]`,
        });
      } else {
        // A bug: the caller gets a bare 500 from the error handler, the patient's log still says something happened.
        await write({
          outcome: 'failed',
          code: 'INTERNAL_ERROR',
          explanation: 'The switch point could not complete the request.',
        });
      }
      throw err;
    }
  };
}
export type Pipeline = ReturnType<typeof createPipeline>;
