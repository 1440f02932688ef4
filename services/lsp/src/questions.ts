import { z } from 'zod';
import {
  Bsn,
  DataCategory,
  Decision,
  OrganisationType,
  Ura,
  UziRoleCode,
  problem,
  type AortaId,
} from '@schakel/contracts';
import { pick, type App, type ClientIdentity } from '@schakel/service-kit';
import { Situation } from './authorisation/protocol.js';
import { caller } from './auth.js';
import { wouldShare } from './interactions/lookups.js';
import type { PipelineDeps } from './pipeline/pipeline.js';

const Answer = z.object({ permitted: z.boolean(), decision: Decision });

/**
 * The closed question of the consent model (Mitz): "may role R of organisation type T see category C held
 * by H for BSN B?", permit or deny per category, with the deciding rule; logged. (The open question tells
 * where a patient is in care, so it is a localisation and runs the pipeline: interactions/lookups.ts.)
 */
export interface ClosedQuestion {
  bsn: string;
  roleCode: string;
  organisationType: string;
  holderUra: string;
  categories: DataCategory[];
  situation: Situation;
}
type QuestionDeps = Pick<PipelineDeps, 'book' | 'protocol' | 'consents' | 'policies' | 'accessLog'>;

/**
 * The closed question, whichever wire asked it (JSON here, FHIR `$closed-question`): the protocol, then the
 * consent rules per category (wouldShare), and one access-log entry naming every answer.
 */
export async function closedQuestion(
  deps: QuestionDeps,
  q: ClosedQuestion,
  asker: { client: ClientIdentity; aorta: AortaId },
  /** Where the holder is named in the asker's message, for the problem when it is unknown. */
  holderField = 'body.holderUra',
): Promise<{ bsn: string; holderUra: string; answers: (z.infer<typeof Answer> & { category: DataCategory })[] }> {
  const holderSystem = (await deps.book.byUra(q.holderUra))[0];
  if (holderSystem === undefined)
    throw problem('UNKNOWN_ORGANISATION', `Organisation ${q.holderUra} is not in the address book`, {
      field: holderField,
      expected: 'the URA of an organisation in the address book',
    });
  const holder = {
    ura: q.holderUra,
    organisationType: holderSystem.organisationType,
    name: holderSystem.organisationName,
  };
  const answers = [];
  for (const category of q.categories)
    answers.push({ category, ...(await wouldShare(deps, q.bsn, q, holder, category)) });
  const client = asker.client;
  await deps.accessLog.write({
    interaction: 'CLOSED_QUESTION',
    initialRequestId: asker.aorta.initialRequestId,
    requestId: asker.aorta.requestId,
    bsn: q.bsn,
    clientSubject: client.subject,
    requesterApplicationId: client.applicationId,
    requesterUra: client.ura,
    actingRole: q.roleCode,
    situation: q.situation,
    outcome: answers.some((a) => a.permitted) ? 'permitted' : 'refused',
    code: 'CONSENT_QUESTION',
    explanation: answers
      .map((a) => `${a.category}: ${a.permitted ? 'permit' : 'deny'} (${a.decision.code})`)
      .join('; '),
  });
  return { bsn: q.bsn, holderUra: q.holderUra, answers };
}

export function questionRoutes(app: App, deps: QuestionDeps): void {
  app.post(
    '/questions/closed',
    {
      config: { interaction: 'CLOSED_QUESTION' },
      schema: {
        tags: ['consent'],
        summary: 'Closed question: may role R of organisation type T see these categories held by H for BSN B?',
        body: z
          .object({
            bsn: Bsn,
            roleCode: UziRoleCode,
            organisationType: OrganisationType,
            holderUra: Ura,
            categories: z.array(DataCategory).min(1).max(20),
            situation: Situation.default('regular'),
          })
          .strict(),
        response: {
          200: z.object({ bsn: Bsn, holderUra: Ura, answers: z.array(Answer.extend({ category: DataCategory })) }),
          ...pick(400, 404),
        },
      },
    },
    async (request) => closedQuestion(deps, request.body, { client: caller(request), aorta: request.aorta }),
  );
}
