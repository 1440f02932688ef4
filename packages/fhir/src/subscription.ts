import { Bsn, problem } from '@schakel/contracts';
import {
  CONSENT_SYSTEMS as S,
  type NotificationBundle,
  type ConsentResource,
  type SubscriptionResource,
} from './consent-systems.js';

/**
 * FHIR R4 Subscription for changes to a patient's consent profile: criteria `Consent?patient=<bsn system>|<bsn>`
 * (also `patient:identifier=` and `patient.identifier=`), channel rest-hook. The notification is a history
 * Bundle shaped after the R4 Subscriptions Backport: a Parameters with the subscription status and the
 * event number first (the subscriber de-duplicates on it), then the Consent that changed when the payload
 * asks for resources (docs/fhir.md, "Subscriptions").
 */
export interface SubscriptionRequest {
  bsn: string;
  criteria: string;
  reason: string;
  endpoint: string;
  /** `full-resource`: the Consent is in the notification (payload application/fhir+json); `empty`: no body. */
  payload: 'full-resource' | 'empty';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const invalid = (field: string, expected: string, detail: string) =>
  problem('INVALID_VALUE', detail, { field: `body.${field}`, expected });

/** The BSN a criteria string asks about, or a problem naming what is supported. */
export function bsnOfCriteria(criteria: string, field = 'body.criteria'): string {
  const expected = `Consent?patient=${S.bsn}|<BSN>`;
  const [type, query, ...rest] = criteria.split('?');
  const params = new URLSearchParams(query ?? '');
  const keys = [...params.keys()];
  const key = keys[0];
  if (type !== 'Consent' || rest.length > 0 || keys.length !== 1 || key === undefined)
    throw problem('INVALID_VALUE', 'Only changes to one patient’s Consents can be subscribed to', { field, expected });
  if (!['patient', 'patient:identifier', 'patient.identifier'].includes(key))
    throw problem('INVALID_VALUE', `Search parameter ${key} is not supported in criteria`, { field, expected });
  const [system, value, ...more] = (params.get(key) ?? '').split('|');
  if (system !== S.bsn || more.length > 0)
    throw problem('INVALID_VALUE', 'The patient is named by a BSN token (system|value)', { field, expected });
  if (!Bsn.safeParse(value).success)
    throw problem('INVALID_BSN', 'The BSN in the criteria is not valid', {
      field,
      expected: '9 digits passing the 11-proef',
    });
  return value as string;
}

/** Read a Subscription a holder registers (status requested or active; R4 has the server activate it). */
export function readSubscription(body: unknown): SubscriptionRequest {
  if (!isObject(body) || body['resourceType'] !== 'Subscription')
    throw invalid('resourceType', 'Subscription', 'The body is not a Subscription resource');
  if (body['status'] !== 'requested' && body['status'] !== 'active')
    throw invalid('status', 'requested', 'A new Subscription is requested (or active)');
  const reason = body['reason'];
  if (typeof reason !== 'string' || reason.length === 0 || reason.length > 500)
    throw invalid('reason', 'a short text (R4: reason is required)', 'Say why you subscribe (reason)');
  const criteria = body['criteria'];
  if (typeof criteria !== 'string' || criteria.length > 300)
    throw invalid('criteria', `Consent?patient=${S.bsn}|<BSN>`, 'criteria is required');
  const bsn = bsnOfCriteria(criteria);
  const channel = isObject(body['channel']) ? body['channel'] : undefined;
  if (channel?.['type'] !== 'rest-hook')
    throw invalid('channel.type', 'rest-hook', 'Only rest-hook channels are delivered');
  let endpoint: URL | undefined;
  try {
    endpoint = typeof channel['endpoint'] === 'string' ? new URL(channel['endpoint']) : undefined;
  } catch {
    endpoint = undefined;
  }
  if (endpoint?.protocol !== 'https:' || endpoint.username !== '' || endpoint.password !== '')
    throw invalid(
      'channel.endpoint',
      'an https URL of your own system',
      'Notifications go over mutual TLS to an https endpoint',
    );
  if (channel['header'] !== undefined)
    throw invalid(
      'channel.header',
      'absent: the switch point authenticates with its certificate',
      'Channel headers are not sent',
    );
  const payload = channel['payload'];
  if (payload !== undefined && payload !== 'application/fhir+json')
    throw invalid(
      'channel.payload',
      'application/fhir+json, or absent for an empty notification',
      'Unsupported payload',
    );
  return {
    bsn,
    criteria,
    reason,
    endpoint: endpoint.href,
    payload: payload === undefined ? 'empty' : 'full-resource',
  };
}

export function subscriptionResource(s: {
  id: string;
  status: 'active' | 'error' | 'off';
  criteria: string;
  reason: string;
  endpoint: string;
  payload: 'full-resource' | 'empty';
  error: string | null;
}): SubscriptionResource {
  return {
    resourceType: 'Subscription',
    id: s.id,
    status: s.status,
    reason: s.reason,
    criteria: s.criteria,
    ...(s.error !== null ? { error: s.error } : {}),
    channel: {
      type: 'rest-hook',
      endpoint: s.endpoint,
      ...(s.payload === 'full-resource' ? { payload: 'application/fhir+json' } : {}),
    },
  };
}

/** The notification of one change: the subscription's status with this event's number, then the Consent. */
export function notificationBundle(n: {
  notificationId: string;
  subscriptionId: string;
  eventNumber: number;
  at: string;
  consent: ConsentResource | undefined;
}): NotificationBundle {
  const focus = n.consent?.id !== undefined ? `Consent/${n.consent.id}` : undefined;
  return {
    resourceType: 'Bundle',
    id: n.notificationId,
    type: 'history',
    timestamp: n.at,
    entry: [
      {
        fullUrl: `urn:uuid:${n.notificationId}`,
        resource: {
          resourceType: 'Parameters',
          parameter: [
            { name: 'subscription', valueReference: { reference: `Subscription/${n.subscriptionId}` } },
            { name: 'status', valueCode: 'active' },
            { name: 'type', valueCode: 'event-notification' },
            { name: 'events-since-subscription-start', valueString: String(n.eventNumber) },
            {
              name: 'notification-event',
              part: [
                { name: 'event-number', valueString: String(n.eventNumber) },
                { name: 'timestamp', valueInstant: n.at },
                ...(focus !== undefined ? [{ name: 'focus', valueReference: { reference: focus } }] : []),
              ],
            },
          ],
        },
        request: { method: 'GET', url: `Subscription/${n.subscriptionId}/$status` },
        response: { status: '200' },
      },
      ...(n.consent !== undefined
        ? [
            {
              resource: n.consent,
              request: { method: 'POST' as const, url: 'Consent' },
              response: { status: '201' },
            },
          ]
        : []),
    ],
  };
}
