import {
  Bsn,
  DataCategory,
  OrganisationType,
  Ura,
  problem,
  type ConsentHolder,
  type ConsentRecord,
  type ConsentRequest,
  type ConsentState,
} from '@schakel/contracts';
import {
  CHANNEL_EXTENSION,
  CONSENT_POLICY_URI,
  CONSENT_SYSTEMS as S,
  RECORDED_BY_EXTENSION,
  type ConsentResource,
} from './consent-systems.js';
import type { ConsentProvisionActor } from '@medplum/fhirtypes';
import type { CodeableConcept, Identifier, Organization, Reference } from './types.js';

/**
 * A choice of the consent profile (Mitz model: holder, data category, consumer category; consent or
 * objection) as an R4 Consent, and back. One truth, two faces: the switch point's consent records are the
 * store, this is only their shape on the FHIR wire (docs/fhir.md, "Consent in the Mitz model").
 *
 *  - provision.type: permit (consent) or deny (objection); a withdrawal (no-choice) has none and is inactive
 *  - provision.actor with role CST (custodian): the holder, a URA (named) or an organisation type
 *    (category); no custodian actor: every holder
 *  - provision.actor with role IRCP (information recipient): the consumer category; none: every consumer
 *  - provision.code: the data category (AORTA list); none: all data
 */
const role = (code: 'CST' | 'IRCP'): CodeableConcept => ({ coding: [{ system: S.participationType, code }] });
const orgType = (type: string): Reference<Organization> => ({
  type: 'Organization',
  identifier: { system: S.organisationType, value: type },
  display: `every organisation of type ${type}`,
});

export const bsnIdentifier = (bsn: string): Identifier => ({ system: S.bsn, value: bsn });
export const uraIdentifier = (ura: string): Identifier => ({ system: S.ura, value: ura });

/** The FHIR id of a pending portal request (a `proposed` Consent) next to the records' plain numbers. */
export const requestConsentId = (id: number) => `request-${id}`;

function provisionOf(
  c: Pick<ConsentRecord, 'state' | 'category' | 'consumerType'> & { holder: ConsentHolder },
): NonNullable<ConsentResource['provision']> {
  const actor: ConsentProvisionActor[] = [];
  if ('ura' in c.holder)
    actor.push({ role: role('CST'), reference: { type: 'Organization', identifier: uraIdentifier(c.holder.ura) } });
  else if ('organisationType' in c.holder)
    actor.push({ role: role('CST'), reference: orgType(c.holder.organisationType) });
  if (c.consumerType !== '*') actor.push({ role: role('IRCP'), reference: orgType(c.consumerType) });
  return {
    ...(c.state === 'consent' ? { type: 'permit' as const } : c.state === 'objection' ? { type: 'deny' as const } : {}),
    ...(actor.length > 0 ? { actor } : {}),
    ...(c.category !== '*' ? { code: [{ coding: [{ system: S.dataCategory, code: c.category }] }] } : {}),
  };
}

function base(
  id: string,
  status: ConsentResource['status'],
  bsn: string,
  state: ConsentState,
  at: string,
): ConsentResource {
  return {
    resourceType: 'Consent',
    id,
    meta: { lastUpdated: at },
    status,
    scope: { coding: [{ system: S.consentScope, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: S.loinc, code: '59284-0', display: 'Patient Consent' }] }],
    patient: { type: 'Patient', identifier: bsnIdentifier(bsn) },
    dateTime: at,
    policy: [{ uri: CONSENT_POLICY_URI }],
    ...(state !== 'no-choice'
      ? { policyRule: { coding: [{ system: S.actCode, code: state === 'consent' ? 'OPTIN' : 'OPTOUT' }] } }
      : {}),
  };
}

/**
 * A consent record as a Consent: `active` while it is the choice in force for its scope and says consent or
 * objection; `inactive` once a newer choice replaced it, or when it is a withdrawal (no-choice).
 */
export function consentFromRecord(r: ConsentRecord, inForce: boolean): ConsentResource {
  return {
    ...base(String(r.id), inForce && r.state !== 'no-choice' ? 'active' : 'inactive', r.bsn, r.state, r.recordedAt),
    extension: [
      { url: RECORDED_BY_EXTENSION, valueString: r.recordedBy },
      { url: CHANNEL_EXTENSION, valueCode: r.channel },
    ],
    provision: provisionOf(r),
  };
}

/** A portal choice for a named holder that waits for that holder to process it: a `proposed` Consent. */
export function consentFromRequest(r: ConsentRequest): ConsentResource {
  return {
    ...base(requestConsentId(r.id), 'proposed', r.bsn, r.state, r.requestedAt),
    extension: [
      { url: RECORDED_BY_EXTENSION, valueString: 'patient' },
      { url: CHANNEL_EXTENSION, valueCode: 'portal' },
    ],
    provision: provisionOf({ ...r, holder: { ura: r.holderUra } }),
  };
}

/** What a registered Consent asks to record: one choice for one patient. */
export interface ChoiceFromConsent {
  bsn: string;
  state: 'consent' | 'objection';
  holder: ConsentHolder;
  category: DataCategory | '*';
  consumerType: OrganisationType | '*';
}

const invalid = (field: string, expected: string, detail: string) =>
  problem('INVALID_VALUE', detail, { field: `body.${field}`, expected });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function codeIn(cc: unknown, system: string, field: string): string {
  const codings = isObject(cc) && Array.isArray(cc['coding']) ? (cc['coding'] as unknown[]) : [];
  const hit = codings.find((c) => isObject(c) && c['system'] === system && typeof c['code'] === 'string');
  if (!isObject(hit)) throw invalid(field, `a coding in ${system}`, `${field} has no coding in ${system}`);
  return hit['code'] as string;
}

/** The organisation an actor names: a URA (a named holder) or an organisation type (a category). */
function actorTarget(ref: unknown, field: string): { ura: string } | { organisationType: OrganisationType } {
  const id = isObject(ref) && isObject(ref['identifier']) ? ref['identifier'] : undefined;
  const value = id?.['value'];
  if (id?.['system'] === S.ura) {
    if (!Ura.safeParse(value).success)
      throw problem('INVALID_URA', `${field} is not a valid URA`, {
        field: `body.${field}.identifier.value`,
        expected: '8 digits (URA, UZI register)',
      });
    return { ura: value as string };
  }
  if (id?.['system'] === S.organisationType) {
    const type = OrganisationType.safeParse(value);
    if (!type.success)
      throw invalid(`${field}.identifier.value`, 'an organisation type code', `${field} names no organisation type`);
    return { organisationType: type.data };
  }
  throw invalid(
    `${field}.identifier`,
    `an identifier in ${S.ura} (a named holder) or ${S.organisationType} (a category)`,
    `${field} names neither a URA nor an organisation type`,
  );
}

/**
 * Read a Consent a system registers: an active Consent with provision.type permit or deny. Anything the
 * consent profile cannot hold (nested provisions, several holders, data references, periods) is refused
 * rather than silently dropped, so a registered Consent means exactly what it says.
 */
export function choiceFromConsent(body: unknown): ChoiceFromConsent {
  if (!isObject(body) || body['resourceType'] !== 'Consent')
    throw invalid('resourceType', 'Consent', 'The body is not a Consent resource');
  if (body['status'] !== 'active')
    throw invalid(
      'status',
      'active',
      'Register a choice as an active Consent; withdraw one with DELETE /fhir/Consent/{id}',
    );
  const patient = isObject(body['patient']) && isObject(body['patient']['identifier']) ? body['patient'] : undefined;
  const pid = patient?.['identifier'] as Record<string, unknown> | undefined;
  if (pid?.['system'] !== S.bsn)
    throw invalid('patient.identifier.system', S.bsn, 'The patient is named by a BSN identifier');
  if (!Bsn.safeParse(pid['value']).success)
    throw problem('INVALID_BSN', 'The patient’s BSN is not valid', {
      field: 'body.patient.identifier.value',
      expected: '9 digits passing the 11-proef',
    });
  const provision = isObject(body['provision']) ? body['provision'] : undefined;
  const type = provision?.['type'];
  if (type !== 'permit' && type !== 'deny')
    throw invalid('provision.type', 'permit (consent) or deny (objection)', 'The Consent says neither permit nor deny');
  for (const unsupported of [
    'provision',
    'data',
    'period',
    'dataPeriod',
    'purpose',
    'securityLabel',
    'class',
    'action',
  ])
    if (provision?.[unsupported] !== undefined)
      throw invalid(
        `provision.${unsupported}`,
        'absent: a choice is holder, data category and consumer category only',
        `provision.${unsupported} cannot be held by the consent profile`,
      );

  let holder: ConsentHolder = { all: true };
  let consumerType: OrganisationType | '*' = '*';
  const seen = new Set<string>();
  const actors = Array.isArray(provision?.['actor']) ? (provision['actor'] as unknown[]) : [];
  for (const [i, a] of actors.entries()) {
    const field = `provision.actor[${i}]`;
    const code = codeIn(isObject(a) ? a['role'] : undefined, S.participationType, `${field}.role`);
    if (code !== 'CST' && code !== 'IRCP')
      throw invalid(
        `${field}.role`,
        'CST (the holder) or IRCP (the consumer category)',
        `Actor role ${code} is not known`,
      );
    if (seen.has(code)) throw invalid(field, `one ${code} actor at most`, `More than one ${code} actor`);
    seen.add(code);
    const target = actorTarget(isObject(a) ? a['reference'] : undefined, `${field}.reference`);
    if (code === 'CST') holder = target;
    else if ('organisationType' in target) consumerType = target.organisationType;
    else
      throw invalid(
        `${field}.reference.identifier.system`,
        S.organisationType,
        'The consumer is a category (an organisation type), not a named organisation',
      );
  }

  let category: DataCategory | '*' = '*';
  const codes = Array.isArray(provision?.['code']) ? (provision['code'] as unknown[]) : [];
  if (codes.length > 1)
    throw invalid('provision.code', 'one data category at most', 'Register one Consent per data category');
  if (codes.length === 1) {
    const parsed = DataCategory.safeParse(codeIn(codes[0], S.dataCategory, 'provision.code[0]'));
    if (!parsed.success)
      throw invalid('provision.code[0]', 'a data category of the AORTA list', 'The data category is not known');
    category = parsed.data;
  }
  return {
    bsn: pid['value'] as string,
    state: type === 'permit' ? 'consent' : 'objection',
    holder,
    category,
    consumerType,
  };
}
