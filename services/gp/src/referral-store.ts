import { z } from 'zod';
import { IsoDateTime, ReferralLetter, ReportRouting, realNowIso } from '@schakel/contracts';
import { OutboxState, leasedDeliveries, type DeliveryQueue, type DueMessage } from '@schakel/consult';
import { nowIso, type Kysely, type Selectable } from '@schakel/service-kit';
import type { GpDatabase } from './migrations.js';

/**
 * A referral as the practice keeps it: the letter as it went out, the items the patient objected to (ids
 * only; they never leave the practice), and where the letter is on its way (the outbox states of the
 * observation report: queued, delivering, retrying, delivered, rejected).
 */
export const Referral = z
  .object({
    id: z.uuid(),
    letter: ReferralLetter,
    objectedItems: z
      .array(z.string())
      .describe('Record items the GP chose and the patient objected to: left out of the letter, kept here'),
    state: OutboxState,
    attempts: z.number().int(),
    nextAttemptAt: IsoDateTime.nullable(),
    lastError: z.string().nullable(),
    createdAt: IsoDateTime,
    deliveredAt: IsoDateTime.nullable(),
    acknowledgement: ReportRouting.nullable(),
    rejection: z.object({ code: z.string(), reason: z.string() }).nullable(),
  })
  .meta({ id: 'Referral', description: 'A referral to a specialist, its letter and the letter’s delivery state' });
export type Referral = z.infer<typeof Referral>;

type Row = Selectable<GpDatabase['referrals']>;
const toReferral = (r: Row): Referral => ({
  id: r.id,
  letter: ReferralLetter.parse(JSON.parse(r.letter)),
  objectedItems: z.array(z.string()).parse(JSON.parse(r.objected_items)),
  state: OutboxState.parse(r.state),
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  acknowledgement: r.acknowledgement === null ? null : ReportRouting.parse(JSON.parse(r.acknowledgement)),
  rejection: r.reject_code === null ? null : { code: r.reject_code, reason: r.reject_reason ?? '' },
});

/**
 * The practice's referrals; also the delivery queue of their letters (packages/consult's delivery loop). The
 * retry schedule (next_attempt_at) is on real time, as in the observation reports' outbox; when a letter was
 * written and delivered is domain time (docs/control.md, "Clock").
 */
export function createReferralStore(db: Kysely<GpDatabase>) {
  const leases = leasedDeliveries<Selectable<GpDatabase['referrals']>>(db, 'referrals', 'message_id');
  const queue: DeliveryQueue<ReferralLetter> = {
    async claimDue(limit: number, leaseMs: number): Promise<DueMessage<ReferralLetter>[]> {
      return (await leases.claim(limit, leaseMs)).map((r) => ({
        messageId: r.message_id,
        attempts: r.attempts,
        submission: ReferralLetter.parse(JSON.parse(r.letter)),
      }));
    },
    nextDue: leases.nextDue,
    async delivered(messageId, ack) {
      await db
        .updateTable('referrals')
        .set({
          state: 'delivered',
          delivered_at: nowIso(),
          acknowledgement: JSON.stringify(ack),
          next_attempt_at: null,
          last_error: null,
        })
        .where('message_id', '=', messageId)
        .execute();
    },
    async rejected(messageId, code, reason, ack) {
      await db
        .updateTable('referrals')
        .set({
          state: 'rejected',
          reject_code: code,
          reject_reason: reason,
          acknowledgement: ack === undefined ? null : JSON.stringify(ack),
          next_attempt_at: null,
        })
        .where('message_id', '=', messageId)
        .execute();
    },
    retry: leases.retry,
  };
  return {
    queue,
    /** Store the referral and its letter before anything goes on the wire. */
    async create(id: string, letter: ReferralLetter, objectedItems: string[]): Promise<void> {
      await db
        .insertInto('referrals')
        .values({
          id,
          message_id: letter.messageId,
          bsn: letter.bsn,
          letter: JSON.stringify(letter),
          objected_items: JSON.stringify(objectedItems),
          state: 'queued',
          next_attempt_at: realNowIso(),
          created_at: letter.writtenAt,
        })
        .execute();
    },
    async get(id: string): Promise<Referral | undefined> {
      const row = await db.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toReferral(row);
    },
    async forPatient(bsn: string): Promise<Referral[]> {
      const rows = await db
        .selectFrom('referrals')
        .selectAll()
        .where('bsn', '=', bsn)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toReferral);
    },
    /** An attempt under way when the practice stopped, its claim lapsed: tried again (the hospital de-duplicates). */
    recover: () => leases.recover('this system stopped during an attempt'),
  };
}
export type ReferralStore = ReturnType<typeof createReferralStore>;
