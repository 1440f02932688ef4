import {
  type AcuteCareFeedback,
  type Allergy,
  type ContraIndication,
  type CoveringNote,
  type Episode,
  type Icpc,
  type JournalEntry,
  type Measurement,
  type Prescription,
  type ProfessionalSummary,
  type TreatmentLimit,
} from '@schakel/contracts';
import { el, type XChild, type XElement } from '../xml/build.js';
import { wireError, type Reader } from '../xml/read.js';
import { CODE_SYSTEM, recordIdRoot } from '../oids.js';
import { readNumber, readTsDate, readTsDateTime, tsDate, tsDateTime, xsiType } from '../hl7/datatypes.js';
import { assignedPerson, readProfessional } from '../hl7/control-act.js';
import {
  encounterComponents,
  readEncounterComponents,
  readSoepLines,
  readTreatmentLimitContent,
  soepLine,
  treatmentLimitElement,
} from '../hl7/encounter.js';
import {
  medicationKind,
  prescriberElement,
  quantity,
  readMedicationKind,
  readPrescriber,
  readQuantity,
} from '../hl7/product.js';

/**
 * The items of a professional summary, one component each. Every item has its id under the practice's URA
 * arc, availabilityTime (when it was recorded) and, where it belongs to an episode, an episodeRef. Codes:
 * ICPC-1NL for episodes, evaluations and contra-indications, LOINC for measurements, G-Standaard and ATC
 * for products, HL7 ActCode ALG/INT for allergy or intolerance, HL7 severity L/M/H; Schakel's own code
 * systems for the SOEP lines, the contact type and the treatment limits.
 *
 * Feedback from the acute chain (acuteCareFeedback: an observation report the GP processed) is an
 * acuteCareFeedback act rendered as the report itself is (hl7/encounter.ts): its id is the report's message
 * id under the practice's arc (kind 29), availabilityTime when the GP processed it, the author as an
 * AssignedPerson with the reporting organisation (type and name: the summary has no URA for it), then the
 * encounter, episode proposal and handover note components. A treatment limit that came with such a report
 * (reportedIn) carries a reportRef: the same id as that feedback item, the encounter's time as
 * effectiveTime and the reporting organisation's name.
 */
type Items = Pick<
  ProfessionalSummary,
  | 'openEpisodes'
  | 'journal'
  | 'measurements'
  | 'medication'
  | 'allergies'
  | 'contraIndications'
  | 'coveringNotes'
  | 'treatmentLimits'
  | 'acuteCareFeedback'
>;

const KIND = {
  episode: 21,
  journal: 22,
  measurement: 23,
  prescription: 24,
  allergy: 25,
  contraIndication: 26,
  note: 27,
  limit: 28,
  feedback: 29,
} as const;
const SOEP = ['S', 'O', 'E', 'P'] as const;
const SEVERITY = { mild: 'L', moderate: 'M', severe: 'H' } as const;
const SEVERITY_BACK = { L: 'mild', M: 'moderate', H: 'severe' } as const;

function recorded(
  ura: string,
  kind: number,
  item: { id: string; recordedAt: string; shielded: boolean },
  what: string,
): XChild[] {
  // Shielding is the patient's right: a shielded item that reaches the codec is a bug upstream.
  if (item.shielded)
    throw wireError(
      `${what}.${item.id}`,
      'INVALID_VALUE',
      'items that are not shielded',
      'a shielded item never leaves the GP system',
    );
  return [
    el('id', { root: recordIdRoot(ura, kind), extension: item.id }),
    tsDateTime('availabilityTime', item.recordedAt),
  ];
}

const icpcCode = (name: string, c: Icpc) =>
  el(name, { code: c.code, codeSystem: CODE_SYSTEM.icpc, displayName: c.title });
const episodeRef = (ura: string, episodeId: string | undefined) =>
  episodeId !== undefined &&
  el('episodeRef', null, el('id', { root: recordIdRoot(ura, KIND.episode), extension: episodeId }));
const component = (item: XElement) => el('component', null, item);

function episode(ura: string, e: Episode): XElement {
  return el(
    'episode',
    { classCode: 'CONC', moodCode: 'EVN' },
    recorded(ura, KIND.episode, e, 'openEpisodes'),
    icpcCode('code', e.icpc),
    el('title', null, e.title),
    el('statusCode', { code: e.status === 'open' ? 'active' : 'completed' }),
    el('effectiveTime', null, tsDate('low', e.startDate), e.endDate !== undefined && tsDate('high', e.endDate)),
    e.attention &&
      el('priorityCode', { code: 'attention', codeSystem: CODE_SYSTEM.attentionFlag, displayName: 'attentiewaarde' }),
  );
}

function journal(ura: string, j: JournalEntry): XElement {
  return el(
    'journalEntry',
    { classCode: 'ENC', moodCode: 'EVN' },
    recorded(ura, KIND.journal, j, 'journal'),
    el('code', { code: j.contactType, codeSystem: CODE_SYSTEM.contactType }),
    tsDate('effectiveTime', j.date),
    j.icpc !== undefined && icpcCode('reasonCode', j.icpc),
    j.author !== undefined && el('author', null, el('assignedPerson', null, el('name', null, j.author))),
    SOEP.map((k) => j[k] !== undefined && soepLine(k, j[k])),
    episodeRef(ura, j.episodeId),
  );
}

function measurement(ura: string, m: Measurement): XElement {
  const value =
    typeof m.value === 'number'
      ? el('value', { 'xsi:type': 'PQ', value: String(m.value), unit: m.unit })
      : el('value', { 'xsi:type': 'ST' }, m.value);
  return el(
    'observation',
    { classCode: 'OBS', moodCode: 'EVN' },
    recorded(ura, KIND.measurement, m, 'measurements'),
    el(
      'code',
      m.loinc !== undefined
        ? { code: m.loinc, codeSystem: CODE_SYSTEM.loinc, displayName: m.name }
        : { nullFlavor: 'OTH' },
      el('originalText', null, m.name),
    ),
    tsDate('effectiveTime', m.date),
    value,
    // A text value has no unit attribute in HL7; Schakel keeps the unit beside it.
    typeof m.value === 'string' && m.unit !== undefined && el('valueUnit', { code: m.unit }),
    m.referenceRange !== undefined &&
      el('referenceRange', null, el('observationRange', null, el('text', null, m.referenceRange))),
    episodeRef(ura, m.episodeId),
  );
}

function prescription(ura: string, p: Prescription): XElement {
  return el(
    'prescription',
    { classCode: 'SBADM', moodCode: 'RQO' },
    recorded(ura, KIND.prescription, p, 'medication'),
    el('text', { mediaType: 'text/plain' }, p.dosageInstruction),
    el('effectiveTime', null, tsDate('low', p.startDate), p.endDate !== undefined && tsDate('high', p.endDate)),
    p.amount !== undefined && quantity('quantity', p.amount),
    el('product', null, medicationKind(p.product)),
    el('author', null, prescriberElement(p.prescriber)),
    episodeRef(ura, p.episodeId),
  );
}

function allergy(ura: string, a: Allergy): XElement {
  return el(
    'allergyIntolerance',
    { classCode: 'OBS', moodCode: 'EVN' },
    recorded(ura, KIND.allergy, a, 'allergies'),
    el('code', { code: a.kind === 'allergy' ? 'ALG' : 'INT', codeSystem: CODE_SYSTEM.actCode }),
    a.reaction !== undefined && el('text', null, a.reaction),
    tsDate('effectiveTime', a.recordedOn),
    el(
      'value',
      a.atc !== undefined
        ? { 'xsi:type': 'CD', code: a.atc, codeSystem: CODE_SYSTEM.atc, displayName: a.substance }
        : { 'xsi:type': 'CD', nullFlavor: 'OTH' },
      el('originalText', null, a.substance),
    ),
    a.severity !== undefined &&
      el('interpretationCode', {
        code: SEVERITY[a.severity],
        codeSystem: CODE_SYSTEM.severity,
        displayName: a.severity,
      }),
  );
}

function contraIndication(ura: string, c: ContraIndication): XElement {
  return el(
    'contraIndication',
    { classCode: 'OBS', moodCode: 'EVN' },
    recorded(ura, KIND.contraIndication, c, 'contraIndications'),
    c.icpc !== undefined ? icpcCode('code', c.icpc) : el('code', { nullFlavor: 'OTH' }),
    el('text', null, c.description),
    tsDate('effectiveTime', c.recordedOn),
  );
}

function coveringNote(ura: string, n: CoveringNote): XElement {
  return el(
    'coveringNote',
    { classCode: 'ACT', moodCode: 'EVN' },
    recorded(ura, KIND.note, n, 'coveringNotes'),
    el('text', null, n.text),
    el('effectiveTime', null, tsDate('low', n.recordedOn), n.validUntil !== undefined && tsDate('high', n.validUntil)),
  );
}

/** The organisation that reported, by what the summary knows of it: no URA, so no id. */
const reportingOrganisation = (name: string, type: string) =>
  el(
    'Organization',
    { classCode: 'ORG', determinerCode: 'INSTANCE' },
    type !== '' && el('code', { code: type, codeSystem: CODE_SYSTEM.organisationType }),
    name !== '' && el('name', null, name),
  );

function treatmentLimit(ura: string, t: TreatmentLimit): XElement {
  const from = t.reportedIn;
  return treatmentLimitElement(t, recorded(ura, KIND.limit, t, 'treatmentLimits'), [
    from !== undefined &&
      el(
        'reportRef',
        null,
        el('id', { root: recordIdRoot(ura, KIND.feedback), extension: from.messageId }),
        tsDateTime('effectiveTime', from.at),
        el('author', null, reportingOrganisation(from.organisationName, '')),
      ),
  ]);
}

function acuteCareFeedback(ura: string, f: AcuteCareFeedback): XElement {
  const person = assignedPerson(f.author);
  return el(
    'acuteCareFeedback',
    { classCode: 'DOCCLIN', moodCode: 'EVN' },
    el('id', { root: recordIdRoot(ura, KIND.feedback), extension: f.messageId }),
    tsDateTime('availabilityTime', f.processedAt),
    el(
      'author',
      { typeCode: 'AUT' },
      el(
        person.name,
        person.attrs,
        ...person.children,
        reportingOrganisation(f.from.organisationName, f.from.organisationType),
      ),
    ),
    encounterComponents(f.situation, f.encounter),
  );
}

export function itemElements(s: ProfessionalSummary): XElement[] {
  const ura = s.practice.ura;
  return [
    ...s.openEpisodes.map((x) => component(episode(ura, x))),
    ...s.journal.map((x) => component(journal(ura, x))),
    ...s.measurements.map((x) => component(measurement(ura, x))),
    ...s.medication.map((x) => component(prescription(ura, x))),
    ...s.allergies.map((x) => component(allergy(ura, x))),
    ...s.contraIndications.map((x) => component(contraIndication(ura, x))),
    ...s.coveringNotes.map((x) => component(coveringNote(ura, x))),
    ...s.treatmentLimits.map((x) => component(treatmentLimit(ura, x))),
    ...s.acuteCareFeedback.map((x) => component(acuteCareFeedback(ura, x))),
  ];
}

// ---- reading ----

function base(r: Reader, bsn: string) {
  return {
    id: r.need('id').needAttr('extension'),
    bsn,
    shielded: false,
    recordedAt: readTsDateTime(r.need('availabilityTime')),
  };
}

function readIcpc(r: Reader): Icpc {
  return { code: r.needAttr('code'), title: r.attr('displayName') ?? '' };
}

function readEpisodeId(r: Reader): { episodeId?: string } {
  const id = r.child('episodeRef')?.need('id').needAttr('extension');
  return id !== undefined ? { episodeId: id } : {};
}

const opt = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

export function readItems(summary: Reader, bsn: string): Items {
  const items: Items = {
    openEpisodes: [],
    journal: [],
    measurements: [],
    medication: [],
    allergies: [],
    contraIndications: [],
    coveringNotes: [],
    treatmentLimits: [],
    acuteCareFeedback: [],
  };
  for (const c of summary.all('component')) {
    for (const r of c.elements()) {
      switch (r.name) {
        case 'episode': {
          const period = r.need('effectiveTime');
          const high = period.child('high');
          items.openEpisodes.push({
            ...base(r, bsn),
            title: r.need('title').text(),
            icpc: readIcpc(r.need('code')),
            startDate: readTsDate(period.need('low')),
            ...opt('endDate', high !== undefined ? readTsDate(high) : undefined),
            attention: r.child('priorityCode')?.attr('code') === 'attention',
            status: r.need('statusCode').attr('code') === 'active' ? 'open' : 'closed',
          });
          break;
        }
        case 'journalEntry': {
          const lines = readSoepLines(r);
          const reason = r.child('reasonCode');
          items.journal.push({
            ...base(r, bsn),
            date: readTsDate(r.need('effectiveTime')),
            ...readEpisodeId(r),
            ...opt('icpc', reason !== undefined ? readIcpc(reason) : undefined),
            contactType: r.need('code').needAttr('code'),
            ...opt('author', r.child('author')?.child('assignedPerson')?.child('name')?.text()),
            ...Object.fromEntries(SOEP.filter((k) => lines.has(k)).map((k) => [k, lines.get(k)!])),
          });
          break;
        }
        case 'observation': {
          const code = r.need('code');
          const v = r.need('value');
          const numeric = xsiType(v) === 'PQ';
          items.measurements.push({
            ...base(r, bsn),
            date: readTsDate(r.need('effectiveTime')),
            ...readEpisodeId(r),
            name: code.child('originalText')?.text() ?? code.attr('displayName') ?? '',
            ...opt('loinc', code.attr('code')),
            value: numeric ? readNumber(v) : v.text(),
            ...opt('unit', numeric ? v.attr('unit') : r.child('valueUnit')?.attr('code')),
            ...opt('referenceRange', r.child('referenceRange')?.child('observationRange')?.child('text')?.text()),
          });
          break;
        }
        case 'prescription': {
          const period = r.need('effectiveTime');
          const high = period.child('high');
          const amount = r.child('quantity');
          items.medication.push({
            ...base(r, bsn),
            ...readEpisodeId(r),
            product: readMedicationKind(r.need('product').need('MedicationKind')),
            ...opt('amount', amount !== undefined ? readQuantity(amount) : undefined),
            dosageInstruction: r.need('text').text(),
            startDate: readTsDate(period.need('low')),
            ...opt('endDate', high !== undefined ? readTsDate(high) : undefined),
            prescriber: readPrescriber(r.need('author').need('AssignedPerson')),
          });
          break;
        }
        case 'allergyIntolerance': {
          const v = r.need('value');
          const severity = r.child('interpretationCode')?.attr('code') as keyof typeof SEVERITY_BACK | undefined;
          items.allergies.push({
            ...base(r, bsn),
            kind: r.need('code').attr('code') === 'ALG' ? 'allergy' : 'intolerance',
            substance: v.child('originalText')?.text() ?? v.attr('displayName') ?? '',
            ...opt('atc', v.attr('code')),
            ...opt('reaction', r.child('text')?.text()),
            ...opt('severity', severity !== undefined ? SEVERITY_BACK[severity] : undefined),
            recordedOn: readTsDate(r.need('effectiveTime')),
          });
          break;
        }
        case 'contraIndication': {
          const code = r.need('code');
          items.contraIndications.push({
            ...base(r, bsn),
            description: r.need('text').text(),
            ...opt('icpc', code.attr('code') !== undefined ? readIcpc(code) : undefined),
            recordedOn: readTsDate(r.need('effectiveTime')),
          });
          break;
        }
        case 'coveringNote': {
          const period = r.need('effectiveTime');
          const high = period.child('high');
          items.coveringNotes.push({
            ...base(r, bsn),
            text: r.need('text').text(),
            recordedOn: readTsDate(period.need('low')),
            ...opt('validUntil', high !== undefined ? readTsDate(high) : undefined),
          });
          break;
        }
        case 'treatmentLimit': {
          const ref = r.child('reportRef');
          items.treatmentLimits.push({
            ...base(r, bsn),
            ...readTreatmentLimitContent(r),
            ...opt(
              'reportedIn',
              ref !== undefined
                ? {
                    messageId: ref.need('id').needAttr('extension'),
                    organisationName: ref.child('author')?.child('Organization')?.child('name')?.text() ?? '',
                    at: readTsDateTime(ref.need('effectiveTime')),
                  }
                : undefined,
            ),
          });
          break;
        }
        case 'acuteCareFeedback': {
          const person = r.need('author').need('AssignedPerson');
          const org = person.child('Organization');
          items.acuteCareFeedback.push({
            messageId: r.need('id').needAttr('extension'),
            from: {
              organisationName: org?.child('name')?.text() ?? '',
              organisationType: org?.child('code')?.attr('code') ?? '',
            },
            author: readProfessional(person),
            ...readEncounterComponents(r),
            processedAt: readTsDateTime(r.need('availabilityTime')),
          });
          break;
        }
        default:
          throw wireError(
            r.path,
            'UNKNOWN_FIELD',
            'episode, journalEntry, observation, prescription, allergyIntolerance, contraIndication, coveringNote, treatmentLimit or acuteCareFeedback',
            `unknown summary item ${r.name}`,
          );
      }
    }
  }
  return items;
}
