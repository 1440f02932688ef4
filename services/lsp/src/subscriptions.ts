import { randomUUID } from 'node:crypto';
import { realNowIso, type ConsentRecord } from '@schakel/contracts';
import {
  leasedDeliveries,
  startDeliveryWorker,
  type AttemptResult,
  type DeliveryQueue,
  type DeliveryWorker,
  type DueMessage,
  type ReportConfig,
} from '@schakel/consult';
import { consentFromRecord, notificationBundle, FHIR_CONTENT_TYPE } from '@schakel/fhir';
import { CallError, nowIso, type App, type Kysely, type Selectable, type ServiceClient } from '@schakel/service-kit';
import type { LspDatabase } from './migrations.js';
import type { ConsentStore } from './consent.js';

/**
 * Holders subscribe to changes of a patient's consent profile (FHIR Subscription, rest-hook) and are
 * notified by a POST to their own system over the switch point's mutual TLS. A change is a recorded choice
 * (through FHIR, the portal, a holder's desk or an accepted portal request) that concerns the subscriber:
 * it names the subscriber's organisation, its organisation type, or every holder. Each change becomes one
 * notification per subscription in a durable outbox (a unique row per subscription and consent record, so
 * never two for one change), delivered by the same loop as the observation reports (packages/consult,
 * delivery.ts): retried with backoff while the subscriber is down, final on a 4xx. The event number counts
 * per subscription, so a subscriber that got an attempt whose answer was lost drops the repeat.
 */
export interface Subscription {
  id: string;
  subscriberApplicationId: string;
  subscriberUra: string;
  subscriberType: string;
  bsn: string;
  criteria: string;
  reason: string;
  endpoint: string;
  payload: 'full-resource' | 'empty';
  status: 'active' | 'error' | 'off';
  error: string | null;
  events: number;
  createdAt: string;
}
type Row = Selectable<LspDatabase['subscriptions']>;
const toSubscription = (r: Row): Subscription => ({
  id: r.id,
  subscriberApplicationId: r.subscriber_application_id,
  subscriberUra: r.subscriber_ura,
  subscriberType: r.subscriber_type,
  bsn: r.bsn,
  criteria: r.criteria,
  reason: r.reason,
  endpoint: r.endpoint,
  payload: r.payload as Subscription['payload'],
  status: r.status as Subscription['status'],
  error: r.error,
  events: r.events,
  createdAt: r.created_at,
});

/** One notification to deliver: which subscription, which change, its event number. */
export interface Notification {
  notificationId: string;
  subscriptionId: string;
  eventNumber: number;
  consentRecordId: number;
}

/** Does this choice concern this subscriber? Its organisation, its organisation type, or every holder. */
export const concerns = (r: ConsentRecord, s: Pick<Subscription, 'subscriberUra' | 'subscriberType'>) =>
  'ura' in r.holder
    ? r.holder.ura === s.subscriberUra
    : 'organisationType' in r.holder
      ? r.holder.organisationType === s.subscriberType
      : true;

export function createSubscriptionStore(db: Kysely<LspDatabase>) {
  const leases = leasedDeliveries<Selectable<LspDatabase['subscription_notifications']>>(
    db,
    'subscription_notifications',
    'id',
  );
  const queue: DeliveryQueue<Notification, { status: number }> = {
    async claimDue(limit, leaseMs) {
      return (await leases.claim(limit, leaseMs)).map((r): DueMessage<Notification> => ({
        messageId: r.id,
        attempts: r.attempts,
        submission: {
          notificationId: r.id,
          subscriptionId: r.subscription_id,
          eventNumber: r.event_number,
          consentRecordId: r.consent_record_id,
        },
      }));
    },
    nextDue: leases.nextDue,
    async delivered(id) {
      await db
        .updateTable('subscription_notifications')
        .set({ state: 'delivered', delivered_at: nowIso(), next_attempt_at: null, last_error: null })
        .where('id', '=', id)
        .execute();
    },
    async rejected(id, code, reason) {
      await db
        .updateTable('subscription_notifications')
        .set({ state: 'rejected', next_attempt_at: null, last_error: `${code}: ${reason}` })
        .where('id', '=', id)
        .execute();
    },
    retry: leases.retry,
  };

  return {
    queue,
    async create(s: Omit<Subscription, 'id' | 'status' | 'error' | 'events' | 'createdAt'>): Promise<Subscription> {
      const row = {
        id: randomUUID(),
        subscriber_application_id: s.subscriberApplicationId,
        subscriber_ura: s.subscriberUra,
        subscriber_type: s.subscriberType,
        bsn: s.bsn,
        criteria: s.criteria,
        reason: s.reason,
        endpoint: s.endpoint,
        payload: s.payload,
        status: 'active',
        error: null,
        events: 0,
        created_at: nowIso(),
      };
      await db.insertInto('subscriptions').values(row).execute();
      return toSubscription(row);
    },
    async get(id: string): Promise<Subscription | undefined> {
      const r = await db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      return r === undefined ? undefined : toSubscription(r);
    },
    async off(id: string): Promise<void> {
      await db.updateTable('subscriptions').set({ status: 'off' }).where('id', '=', id).execute();
    },
    async error(id: string, error: string): Promise<void> {
      await db.updateTable('subscriptions').set({ status: 'error', error }).where('id', '=', id).execute();
    },
    /**
     * A choice was recorded: one notification per active subscription it concerns, each with the next
     * event number of its subscription, in one transaction (the outbox row exists before anything is sent).
     */
    async changed(record: ConsentRecord): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const subs = (
          await trx
            .selectFrom('subscriptions')
            .selectAll()
            .where('bsn', '=', record.bsn)
            .where('status', '=', 'active')
            .execute()
        )
          .map(toSubscription)
          .filter((s) => concerns(record, s));
        for (const s of subs) {
          const events = s.events + 1;
          await trx.updateTable('subscriptions').set({ events }).where('id', '=', s.id).execute();
          await trx
            .insertInto('subscription_notifications')
            .values({
              id: randomUUID(),
              subscription_id: s.id,
              event_number: events,
              consent_record_id: record.id,
              state: 'queued',
              attempts: 0,
              next_attempt_at: realNowIso(),
              last_error: null,
              created_at: nowIso(),
              delivered_at: null,
            })
            .onConflict((oc) => oc.columns(['subscription_id', 'consent_record_id']).doNothing())
            .execute();
        }
        return subs.length;
      });
    },
    /** A subscription's notifications, oldest first (for the subscriber's and the operator's view). */
    async notifications(subscriptionId: string) {
      return (
        await db
          .selectFrom('subscription_notifications')
          .selectAll()
          .where('subscription_id', '=', subscriptionId)
          .orderBy('event_number')
          .execute()
      ).map((r) => ({
        eventNumber: r.event_number,
        consentRecordId: r.consent_record_id,
        state: r.state,
        attempts: r.attempts,
        lastError: r.last_error,
        deliveredAt: r.delivered_at,
      }));
    },
    /** Attempts under way when a switch point stopped, their claims lapsed, go again (leases in @schakel/consult). */
    recover: () => leases.recover('the switch point stopped'),
  };
}
export type SubscriptionStore = ReturnType<typeof createSubscriptionStore>;

/** A refusal no retry changes (the subscriber does not want it); time-outs, 408, 429 and 5xx are tried again. */
const FINAL = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * Deliver every queued notification in the background while the switch point runs. Log lines name the
 * subscription and event number only: never the patient (the criteria hold the BSN).
 */
export function notifySubscribers(
  app: App,
  deps: {
    subscriptions: SubscriptionStore;
    consents: ConsentStore;
    client: ServiceClient;
    config: ReportConfig;
  },
): void {
  const { subscriptions, consents, client } = deps;
  let worker: DeliveryWorker | undefined;
  consents.onRecorded(async (record) => {
    try {
      if ((await subscriptions.changed(record)) > 0) worker?.kick();
    } catch (err) {
      // The choice is recorded and in force; only its notifications are lost, which the log says.
      app.log.error({ err, consentRecordId: record.id }, 'could not queue subscription notifications');
    }
  });
  const attempt = async (n: Notification): Promise<AttemptResult<{ status: number }>> => {
    const s = await subscriptions.get(n.subscriptionId);
    if (s === undefined || s.status !== 'active')
      return { kind: 'rejected', code: 'SUBSCRIPTION_ENDED', reason: 'the subscription is no longer active' };
    const found = s.payload === 'full-resource' ? await consents.get(n.consentRecordId) : undefined;
    const bundle = notificationBundle({
      notificationId: n.notificationId,
      subscriptionId: s.id,
      eventNumber: n.eventNumber,
      at: nowIso(),
      consent: found === undefined ? undefined : consentFromRecord(found.record, found.inForce),
    });
    const url = new URL(s.endpoint);
    try {
      const r = await client.send(url.origin, {
        path: `${url.pathname}${url.search}`,
        body: JSON.stringify(bundle),
        contentType: FHIR_CONTENT_TYPE,
        aorta: { initialRequestId: n.notificationId },
        timeoutMs: deps.config.REPORT_DELIVERY_TIMEOUT_MS,
      });
      return { kind: 'delivered', ack: { status: r.status } };
    } catch (err) {
      const status = err instanceof CallError ? (err.detail.status ?? 0) : 0;
      if (FINAL(status)) {
        const reason = `the subscriber answered ${status}`;
        await subscriptions.error(s.id, reason);
        return { kind: 'rejected', code: 'SUBSCRIBER_REFUSED', reason };
      }
      return {
        kind: 'retry',
        error: err instanceof Error ? err.message.replace(url.href, 'the endpoint') : String(err),
      };
    }
  };
  app.addHook('onReady', async () => {
    const recovered = await subscriptions.recover();
    if (recovered > 0) app.log.warn({ recovered }, 'subscription notifications interrupted by a stop are tried again');
    worker = startDeliveryWorker<Notification, { status: number }>({
      outbox: subscriptions.queue,
      attempt,
      config: deps.config,
      what: 'subscription notification',
      describeAck: (ack) => ({ status: ack.status }),
      log: app.log,
    });
  });
  app.addHook('preClose', async () => worker?.stop());
}
