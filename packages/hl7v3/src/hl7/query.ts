import { OID } from '@schakel/contracts';
import { el, type XElement } from '../xml/build.js';
import type { Reader } from '../xml/read.js';
import { CODE_SYSTEM } from '../oids.js';
import { bl, ivlDate, readBl, readEnum, readIdExtension, readIvlDate } from './datatypes.js';

/**
 * The queryByParameter of the medication and summary queries. patientID (the BSN) and the dispense period
 * follow the HL7 query-by-parameter pattern (<param><value/><semanticsText/></param>); the consent-related
 * parameters (treatment relation, care situation, verbal consent, patient cannot consent) are Schakel's
 * additions in the same pattern, because the JSON query carries them too.
 */
export interface QueryParameters {
  bsn: string;
  from?: string;
  to?: string;
  latestPerProduct?: boolean;
  treatmentRelation?: boolean;
  situation?: 'regular' | 'acute';
  verbalConsent?: boolean;
  patientCannotConsent?: boolean;
}

const param = (name: string, semantics: string, value: XElement) =>
  el(name, null, value, el('semanticsText', null, semantics));

export function queryByParameter(p: QueryParameters): XElement {
  return el(
    'queryByParameter',
    null,
    el('statusCode', { code: 'new' }),
    param('patientID', 'Patient.id', el('value', { root: OID.bsn, extension: p.bsn })),
    (p.from !== undefined || p.to !== undefined) &&
      param(
        'medicationDispenseEventEffectiveTime',
        'MedicationDispenseEvent.effectiveTime',
        ivlDate('value', p.from, p.to)!,
      ),
    p.latestPerProduct !== undefined &&
      param('latestDispensePerProduct', 'MedicationDispenseEvent.latestPerProduct', bl('value', p.latestPerProduct)),
    p.treatmentRelation !== undefined &&
      param('treatmentRelationIndicator', 'TreatmentRelation.asserted', bl('value', p.treatmentRelation)),
    p.situation !== undefined &&
      param(
        'careSituation',
        'Query.careSituation',
        el('value', { code: p.situation, codeSystem: CODE_SYSTEM.situation }),
      ),
    p.verbalConsent !== undefined &&
      param('verbalConsentIndicator', 'Consent.verbalOnTheSpot', bl('value', p.verbalConsent)),
    p.patientCannotConsent !== undefined &&
      param('patientCannotConsentIndicator', 'Consent.patientCannotConsent', bl('value', p.patientCannotConsent)),
  );
}

export function readQueryByParameter(act: Reader): QueryParameters {
  const q = act.need('queryByParameter');
  const bsn = readIdExtension(q.need('patientID').need('value'), OID.bsn);
  const period = q.child('medicationDispenseEventEffectiveTime');
  const { low, high } = period !== undefined ? readIvlDate(period.need('value')) : {};
  const flag = (name: string) => {
    const p = q.child(name);
    return p === undefined ? undefined : readBl(p.need('value'));
  };
  const situation = q.child('careSituation');
  const out: QueryParameters = { bsn };
  if (low !== undefined) out.from = low;
  if (high !== undefined) out.to = high;
  const latest = flag('latestDispensePerProduct');
  if (latest !== undefined) out.latestPerProduct = latest;
  const relation = flag('treatmentRelationIndicator');
  if (relation !== undefined) out.treatmentRelation = relation;
  if (situation !== undefined)
    out.situation = readEnum(situation.need('value'), CODE_SYSTEM.situation, ['regular', 'acute'] as const);
  const verbal = flag('verbalConsentIndicator');
  if (verbal !== undefined) out.verbalConsent = verbal;
  const cannot = flag('patientCannotConsentIndicator');
  if (cannot !== undefined) out.patientCannotConsent = cannot;
  return out;
}
