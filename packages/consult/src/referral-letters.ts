import { z } from 'zod';
import { Bsn, IsoDateTime, ReferralLetter, ReportAcknowledgement, notFound, problem } from '@schakel/contracts';
import { nowIso, pick, type Kysely, type RoutePlugin } from '@schakel/service-kit';
import type { ConsultDatabase } from './migrations.js';

export const ReceivedReferralLetter = z
  .object({ letter: ReferralLetter, receivedAt: IsoDateTime })
  .meta({ id: 'ReceivedReferralLetter', description: 'A referral letter as the hospital received it' });
export type ReceivedReferralLetter = z.infer<typeof ReceivedReferralLetter>;

/** The hospital's referral letters: kept once per message id, as received. */
export function createReferralLetterStore(db: Kysely<ConsultDatabase>) {
  const toLetter = (r: { body: string; received_at: string }): ReceivedReferralLetter => ({
    letter: ReferralLetter.parse(JSON.parse(r.body)),
    receivedAt: r.received_at,
  });
  return {
    /** Keep a letter; a message id seen before changes nothing and says when it first came. */
    async receive(letter: ReferralLetter): Promise<{ duplicate: boolean; receivedAt: string }> {
      const inserted = await db
        .insertInto('referral_letters')
        .values({
          message_id: letter.messageId,
          bsn: letter.bsn,
          from_application_id: letter.from.applicationId,
          body: JSON.stringify(letter),
          received_at: nowIso(),
        })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .executeTakeFirst();
      const row = await db
        .selectFrom('referral_letters')
        .select('received_at')
        .where('message_id', '=', letter.messageId)
        .executeTakeFirstOrThrow();
      return { duplicate: inserted.numInsertedOrUpdatedRows !== 1n, receivedAt: row.received_at };
    },
    async get(messageId: string): Promise<ReceivedReferralLetter | undefined> {
      const row = await db
        .selectFrom('referral_letters')
        .selectAll()
        .where('message_id', '=', messageId)
        .executeTakeFirst();
      return row === undefined ? undefined : toLetter(row);
    },
    async list(bsn: string | undefined): Promise<ReceivedReferralLetter[]> {
      let q = db.selectFrom('referral_letters').selectAll();
      if (bsn !== undefined) q = q.where('bsn', '=', bsn);
      return (await q.orderBy('received_at', 'desc').execute()).map(toLetter);
    },
  };
}
export type ReferralLetterStore = ReturnType<typeof createReferralLetterStore>;

/**
 * The referral inbox: a GP system sends the letter here directly, over mutual TLS with its system
 * certificate (registered in the `referrers` audience: GP systems only). Answered like an observation
 * report, MCCI_IN000002 AA, with `duplicate` for a message id received before (exactly once: the GP's
 * outbox may try again). A system sends in its own name only.
 */
export const referralInboxRoutes: RoutePlugin<{ letters: ReferralLetterStore; me: { applicationId: string } }> = async (
  app,
  { letters, me },
) => {
  app.post(
    '/referrals/letters',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Receive a referral letter (verwijsbrief) from a GP system',
        description:
          'Only a GP system (organisation type Z3, K3, H1) with its system certificate; the letter’s `from.applicationId` must be the certificate’s, and `to.applicationId` this hospital’s. Answers MCCI_IN000002 AA; again for the same message id with `duplicate: true`.',
        body: ReferralLetter,
        response: { 200: ReportAcknowledgement, ...pick(400, 403) },
      },
    },
    async (request) => {
      const letter = request.body;
      if (request.client !== undefined && request.client.applicationId !== letter.from.applicationId)
        throw problem(
          'CLIENT_NOT_ALLOWED',
          `System ${request.client.applicationId} may send letters in its own name only, not for ${letter.from.applicationId}`,
        );
      if (letter.to.applicationId !== me.applicationId)
        throw problem(
          'VALIDATION_ERROR',
          `This letter is addressed to ${letter.to.applicationId}, not to this system`,
          {
            field: 'body.to.applicationId',
            expected: me.applicationId,
          },
        );
      const { duplicate, receivedAt } = await letters.receive(letter);
      request.log.info({ messageId: letter.messageId, duplicate }, 'referral letter received');
      return {
        interaction: 'MCCI_IN000002' as const,
        messageId: letter.messageId,
        acknowledgement: 'AA' as const,
        duplicate,
        receivedAt,
      };
    },
  );
};

/** Front office: the referral letters received, newest first. */
export const referralLetterRoutes: RoutePlugin<{ letters: ReferralLetterStore }> = async (app, { letters }) => {
  app.get(
    '/referral-letters',
    {
      schema: {
        tags: ['referrals'],
        summary: 'The referral letters received from GPs, newest first',
        querystring: z.object({ bsn: Bsn.optional() }).strict(),
        response: { 200: z.object({ letters: z.array(ReceivedReferralLetter) }), ...pick(400) },
      },
    },
    async (request) => ({ letters: await letters.list(request.query.bsn) }),
  );
  app.get(
    '/referral-letters/:messageId',
    {
      schema: {
        tags: ['referrals'],
        summary: 'One referral letter as received',
        params: z.object({ messageId: z.uuid() }),
        response: { 200: ReceivedReferralLetter, ...pick(400, 404) },
      },
    },
    async (request) => {
      const l = await letters.get(request.params.messageId);
      if (l === undefined) throw notFound(`Referral letter ${request.params.messageId}`);
      return l;
    },
  );
};
