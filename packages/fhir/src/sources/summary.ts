import { randomUUID } from 'node:crypto';
import {
  SourceSummaryAnswer,
  TREATMENT_LIMITS,
  type AcuteCareFeedback,
  type Decision,
  type ProfessionalSummary,
} from '@schakel/contracts';
import type { Bundle, Coding, Extension, OperationOutcome, Organization, Reference, Resource } from '../types.js';
import type {
  AllergyIntolerance,
  Composition,
  Condition,
  Consent,
  Flag,
  MedicationRequest,
  Observation,
  Patient,
  Practitioner,
} from './r4.js';
import { SYSTEM } from '../systems.js';
import { byIdentifier, narrative, textOfNarrative } from './bundle.js';
import { CODE_SYSTEM, EXTENSION, UUID_SYSTEM } from './systems.js';

/**
 * The GP's professional summary (QUPC_IN990002NL content) as a FHIR document Bundle, after the zibs the
 * items are (nl-core profiles): a Composition first (the summary, LOINC 60591-5 patient summary), the
 * Patient by BSN and the practice by URA, a Condition per open episode (zib Probleem, ICPC-1NL), a
 * Composition per journal entry (SOEP lines as sections, the contact's ICPC and episode as its event), an
 * Observation per measurement (LOINC where known), a MedicationRequest per current prescription
 * (G-Standaard), an AllergyIntolerance per allergy, a Flag per contra-indication and per note for the
 * covering GP, a Consent per behandelgrens (zib BehandelAanwijzing, as nl-core-TreatmentDirective2), and a
 * Composition per processed observation report from the acute chain. What no R4 element holds (an
 * episode's attention flag, when an item was recorded) travels in Schakel extensions. Read back, it is the
 * same ProfessionalSummary the JSON and HL7v3 legs give, checked against the same contract.
 *
 * A practice that declines to share (GP-SHARE-1) answers a collection Bundle holding one OperationOutcome
 * with the decision; an unknown patient an empty collection.
 */

const PATIENT: Reference<Patient> = { reference: 'Patient/patient' };
const PRACTICE: Reference<Organization> = { reference: 'Organization/practice' };
const ext = (url: string, value: string | boolean | undefined): Extension[] =>
  value === undefined ? [] : [typeof value === 'boolean' ? { url, valueBoolean: value } : { url, valueString: value }];
const recordedAt = (at: string): Extension[] => [{ url: EXTENSION.recordedAt, valueDateTime: at }];
const icpcCoding = (icpc: { code: string; title: string }): Coding => ({
  system: CODE_SYSTEM.icpc,
  code: icpc.code,
  display: icpc.title,
});
const kind = (code: string) => [{ coding: [{ system: CODE_SYSTEM.itemKind, code }] }];
const soepSection = (code: string, title: string, text: string | undefined) =>
  text === undefined || text.trim() === ''
    ? []
    : [{ title, code: { coding: [{ system: CODE_SYSTEM.soep, code }] }, text: narrative(text) }];
const productCoding = (p: ProfessionalSummary['medication'][number]['product']): Coding[] =>
  (['gpk', 'prk', 'hpk', 'zi', 'atc'] as const).flatMap((k) =>
    p[k] !== undefined ? [{ system: CODE_SYSTEM[k], code: p[k] }] : [],
  );

function prescriberContained(p: { name: string; agb?: string | undefined; big?: string | undefined }): Practitioner {
  return {
    resourceType: 'Practitioner',
    id: 'prescriber',
    identifier: [
      ...(p.agb !== undefined ? [{ system: SYSTEM.agb, value: p.agb }] : []),
      ...(p.big !== undefined ? [{ system: SYSTEM.big, value: p.big }] : []),
    ],
    name: [{ text: p.name }],
  };
}

function feedbackComposition(f: AcuteCareFeedback): Composition {
  const e = f.encounter;
  return {
    resourceType: 'Composition',
    id: `report-${f.messageId}`,
    identifier: { system: UUID_SYSTEM, value: `urn:uuid:${f.messageId}` },
    status: 'final',
    type: { coding: [{ system: CODE_SYSTEM.itemKind, code: 'observation-report' }], text: 'Waarneemverslag' },
    category: [{ coding: [{ system: CODE_SYSTEM.situation, code: f.situation }] }],
    subject: PATIENT,
    date: f.processedAt,
    author: [
      {
        ...byIdentifier('Practitioner', SYSTEM.uziPerson, f.author.uziNumber, f.author.name),
        extension: [
          {
            url: EXTENSION.role,
            valueCodeableConcept: { coding: [{ system: CODE_SYSTEM.uziRole, code: f.author.roleCode }] },
          },
        ],
      },
    ],
    title: `Waarneemverslag ${f.from.organisationName}`,
    custodian: {
      display: f.from.organisationName,
      extension: [
        {
          url: EXTENSION.organisationType,
          valueCodeableConcept: { coding: [{ system: CODE_SYSTEM.organisationType, code: f.from.organisationType }] },
        },
      ],
    },
    event: [
      {
        period: { start: e.at },
        ...(e.episodeProposal !== undefined ? { code: [{ coding: [icpcCoding(e.episodeProposal)] }] } : {}),
      },
    ],
    section: [
      ...soepSection('complaint', 'Reden van komst', e.complaint),
      ...soepSection('findings', 'Bevindingen', e.findings),
      ...soepSection('actions', 'Beleid', e.actions),
      ...soepSection('handover', 'Overdracht', e.handover),
    ],
  };
}

/** The resources of a summary, the document's Composition first. */
export function summaryResources(s: ProfessionalSummary): Resource[] {
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'patient',
    identifier: [{ system: SYSTEM.bsn, value: s.bsn }],
    ...(s.patient !== undefined
      ? {
          name: [{ text: s.patient.name }],
          birthDate: s.patient.birthDate,
          ...(s.patient.address !== undefined
            ? {
                address: [
                  {
                    line: [`${s.patient.address.street} ${s.patient.address.houseNumber}`],
                    postalCode: s.patient.address.postalCode,
                    city: s.patient.address.city,
                    country: 'NL',
                    extension: [
                      { url: EXTENSION.street, valueString: s.patient.address.street },
                      { url: EXTENSION.houseNumber, valueString: s.patient.address.houseNumber },
                    ],
                  },
                ],
              }
            : {}),
        }
      : {}),
  };
  const practice: Organization = {
    resourceType: 'Organization',
    id: 'practice',
    identifier: [{ system: SYSTEM.ura, value: s.practice.ura }],
    name: s.practice.name,
  };
  const episodes: Condition[] = s.openEpisodes.map((e) => ({
    resourceType: 'Condition',
    id: e.id,
    // R4 con-4: an abated condition is not active, so an open episode's end date (planned) is an extension.
    extension: [
      ...ext(EXTENSION.attention, e.attention),
      ...(e.status === 'open' && e.endDate !== undefined ? [{ url: EXTENSION.endDate, valueDateTime: e.endDate }] : []),
    ],
    clinicalStatus: {
      coding: [{ system: CODE_SYSTEM.conditionClinical, code: e.status === 'open' ? 'active' : 'resolved' }],
    },
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] },
    ],
    code: { coding: [icpcCoding(e.icpc)], text: e.title },
    subject: PATIENT,
    onsetDateTime: e.startDate,
    ...(e.status !== 'open' && e.endDate !== undefined ? { abatementDateTime: e.endDate } : {}),
    recordedDate: e.recordedAt,
  }));
  const journal: Composition[] = s.journal.map((j) => ({
    resourceType: 'Composition',
    id: j.id,
    status: 'final',
    type: { coding: [{ system: CODE_SYSTEM.contactType, code: j.contactType }], text: 'Journaalregel' },
    category: kind('journal-entry'),
    subject: PATIENT,
    date: j.recordedAt,
    author: [j.author !== undefined ? { display: j.author } : PRACTICE],
    title: 'Journaalregel',
    event: [
      {
        period: { start: j.date },
        ...(j.icpc !== undefined ? { code: [{ coding: [icpcCoding(j.icpc)] }] } : {}),
        ...(j.episodeId !== undefined ? { detail: [{ reference: `Condition/${j.episodeId}` }] } : {}),
      },
    ],
    section: [
      ...soepSection('S', 'Subjectief', j.S),
      ...soepSection('O', 'Objectief', j.O),
      ...soepSection('E', 'Evaluatie', j.E),
      ...soepSection('P', 'Plan', j.P),
    ],
  }));
  const measurements: Observation[] = s.measurements.map((m) => ({
    resourceType: 'Observation',
    id: m.id,
    // A value such as "> 90" is a string, which has no unit in R4: the unit goes in an extension then.
    extension: [
      ...recordedAt(m.recordedAt),
      ...(typeof m.value === 'string' && m.unit !== undefined ? ext(EXTENSION.unit, m.unit) : []),
    ],
    status: 'final',
    code: {
      ...(m.loinc !== undefined ? { coding: [{ system: CODE_SYSTEM.loinc, code: m.loinc }] } : {}),
      text: m.name,
    },
    subject: PATIENT,
    ...(m.episodeId !== undefined ? { focus: [{ reference: `Condition/${m.episodeId}` }] } : {}),
    effectiveDateTime: m.date,
    ...(typeof m.value === 'number'
      ? { valueQuantity: { value: m.value, ...(m.unit !== undefined ? { unit: m.unit } : {}) } }
      : { valueString: m.value }),
    ...(m.referenceRange !== undefined ? { referenceRange: [{ text: m.referenceRange }] } : {}),
  }));
  const medication: MedicationRequest[] = s.medication.map((p) => {
    const coding = productCoding(p.product);
    return {
      resourceType: 'MedicationRequest',
      id: p.id,
      extension: recordedAt(p.recordedAt),
      contained: [prescriberContained(p.prescriber)],
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: {
        ...(coding.length > 0 ? { coding } : {}),
        text: p.product.name,
        ...(p.product.strength !== undefined
          ? { extension: [{ url: EXTENSION.strength, valueString: p.product.strength }] }
          : {}),
      },
      subject: PATIENT,
      authoredOn: p.startDate,
      requester: { reference: '#prescriber' },
      ...(p.episodeId !== undefined ? { reasonReference: [{ reference: `Condition/${p.episodeId}` }] } : {}),
      dosageInstruction: [{ text: p.dosageInstruction }],
      dispenseRequest: {
        validityPeriod: { start: p.startDate, ...(p.endDate !== undefined ? { end: p.endDate } : {}) },
        ...(p.amount !== undefined ? { quantity: { value: p.amount.value, unit: p.amount.unit } } : {}),
      },
    };
  });
  const allergies: AllergyIntolerance[] = s.allergies.map((a) => ({
    resourceType: 'AllergyIntolerance',
    id: a.id,
    extension: recordedAt(a.recordedAt),
    clinicalStatus: { coding: [{ system: CODE_SYSTEM.allergyClinical, code: 'active' }] },
    type: a.kind,
    code: { ...(a.atc !== undefined ? { coding: [{ system: CODE_SYSTEM.atc, code: a.atc }] } : {}), text: a.substance },
    patient: PATIENT,
    recordedDate: a.recordedOn,
    ...(a.reaction !== undefined || a.severity !== undefined
      ? {
          reaction: [
            {
              manifestation: [
                a.reaction !== undefined
                  ? { text: a.reaction }
                  : {
                      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown' }],
                    },
              ],
              ...(a.severity !== undefined ? { severity: a.severity } : {}),
            },
          ],
        }
      : {}),
  }));
  const flags: Flag[] = [
    ...s.contraIndications.map((c): Flag => ({
      resourceType: 'Flag',
      id: c.id,
      extension: recordedAt(c.recordedAt),
      status: 'active',
      category: kind('contra-indication'),
      code: { ...(c.icpc !== undefined ? { coding: [icpcCoding(c.icpc)] } : {}), text: c.description },
      subject: PATIENT,
      period: { start: c.recordedOn },
    })),
    ...s.coveringNotes.map((n): Flag => ({
      resourceType: 'Flag',
      id: n.id,
      extension: recordedAt(n.recordedAt),
      status: 'active',
      category: kind('covering-note'),
      code: { text: n.text },
      subject: PATIENT,
      period: { start: n.recordedOn, ...(n.validUntil !== undefined ? { end: n.validUntil } : {}) },
    })),
  ];
  const limits: Consent[] = s.treatmentLimits.map((l) => ({
    resourceType: 'Consent',
    id: l.id,
    extension: [
      ...recordedAt(l.recordedAt),
      ...(l.note !== undefined ? [{ url: EXTENSION.comment, valueString: l.note }] : []),
    ],
    status: 'active',
    scope: { coding: [{ system: CODE_SYSTEM.consentScope, code: 'treatment' }] },
    category: [
      { coding: [{ system: 'http://snomed.info/sct', code: '11291000146105', display: 'Treatment instructions' }] },
    ],
    patient: PATIENT,
    dateTime: l.agreedOn,
    ...(l.agreedWith !== undefined ? { performer: [{ display: l.agreedWith }] } : {}),
    ...(l.reportedIn !== undefined
      ? {
          sourceReference: {
            identifier: { system: UUID_SYSTEM, value: `urn:uuid:${l.reportedIn.messageId}` },
            display: l.reportedIn.organisationName,
            extension: [{ url: EXTENSION.encounterAt, valueDateTime: l.reportedIn.at }],
          },
        }
      : {}),
    policyRule: { text: 'Behandelgrens (zib BehandelAanwijzing)' },
    provision: {
      type: 'deny',
      code: [{ coding: [{ system: CODE_SYSTEM.treatmentLimit, code: l.kind }], text: TREATMENT_LIMITS[l.kind] }],
    },
  }));
  const feedback = s.acuteCareFeedback.map(feedbackComposition);
  const items: Resource[] = [
    ...episodes,
    ...journal,
    ...measurements,
    ...medication,
    ...allergies,
    ...flags,
    ...limits,
    ...feedback,
  ];
  const composition: Composition = {
    resourceType: 'Composition',
    id: 'summary',
    status: 'final',
    type: { coding: [{ system: CODE_SYSTEM.loinc, code: '60591-5', display: 'Patient summary Document' }] },
    category: kind('professional-summary'),
    subject: PATIENT,
    date: s.generatedAt,
    author: [PRACTICE],
    title: 'Professionele samenvatting (huisartswaarneemgegevens)',
    custodian: PRACTICE,
    event: [{ period: { start: s.journalFrom } }],
    ...(items.length > 0
      ? { section: [{ title: 'Items', entry: items.map((r) => ({ reference: `${r.resourceType}/${r.id ?? ''}` })) }] }
      : {}),
  };
  return [composition, patient, practice, ...items];
}

/** A summary answer as a Bundle: a document of the summary, a decline's OperationOutcome, or nothing. */
export function summaryBundle(
  base: string,
  answer: { summary: ProfessionalSummary | null; declined?: Decision | undefined },
): Bundle {
  const entries = (resources: Resource[]) =>
    resources.map((r) => ({ fullUrl: `${base}/${r.resourceType}/${r.id ?? ''}`, resource: r }));
  if (answer.summary !== null)
    return {
      resourceType: 'Bundle',
      type: 'document',
      identifier: { system: UUID_SYSTEM, value: `urn:uuid:${randomUUID()}` },
      timestamp: answer.summary.generatedAt,
      entry: entries(summaryResources(answer.summary)),
    };
  const outcome: OperationOutcome[] =
    answer.declined === undefined
      ? []
      : [
          {
            resourceType: 'OperationOutcome',
            id: 'declined',
            issue: [
              {
                severity: 'information',
                code: 'suppressed',
                details: {
                  coding: [{ system: CODE_SYSTEM.decision, code: answer.declined.code }],
                  text: answer.declined.explanation,
                },
                diagnostics: answer.declined.rule,
              },
            ],
          },
        ];
  return { resourceType: 'Bundle', type: 'collection', entry: entries(outcome) };
}

// ---- the way back ----

type Loose<T> = T & Record<string, unknown>;
const code = (c: { coding?: Coding[] } | undefined, system: string) =>
  c?.coding?.find((x) => x.system === system)?.code;
const extOf = (r: { extension?: Extension[] } | undefined, url: string) => r?.extension?.find((e) => e.url === url);
const refId = (ref: Reference | undefined, type: string) =>
  ref?.reference?.startsWith(`${type}/`) === true ? ref.reference.slice(type.length + 1) : undefined;
const icpcOf = (c: { coding?: Coding[] } | undefined) => {
  const x = c?.coding?.find((y) => y.system === CODE_SYSTEM.icpc);
  return x === undefined ? undefined : { code: x.code, title: x.display };
};
const kindOf = (r: { category?: { coding?: Coding[] }[] }) => code(r.category?.[0], CODE_SYSTEM.itemKind);
const opt = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
const sectionText = (c: Composition, soep: string) =>
  textOfNarrative(c.section?.find((s) => code(s.code, CODE_SYSTEM.soep) === soep)?.text?.div);
const prescriberOf = (r: MedicationRequest) => {
  const p = r.contained?.find(
    (c): c is Practitioner => c.resourceType === 'Practitioner' && `#${c.id}` === r.requester?.reference,
  );
  const agb = p?.identifier?.find((i) => i.system === SYSTEM.agb)?.value;
  const big = p?.identifier?.find((i) => i.system === SYSTEM.big)?.value;
  return { name: p?.name?.[0]?.text, ...opt('agb', agb), ...opt('big', big) };
};

/** What a summary Bundle holds, by type (the reader's view). */
type SummaryResource =
  | Patient
  | Organization
  | Condition
  | Composition
  | Observation
  | MedicationRequest
  | AllergyIntolerance
  | Flag
  | Consent;

function summaryFrom(resources: Loose<Resource>[]): unknown {
  const of = <T extends SummaryResource['resourceType']>(type: T) =>
    resources.filter((r) => r.resourceType === type) as unknown as Extract<SummaryResource, { resourceType: T }>[];
  const [composition, ...compositions] = of('Composition');
  if (composition === undefined || kindOf(composition) !== 'professional-summary')
    throw new Error('a document Bundle whose first Composition is not the professional summary');
  const patient = of('Patient')[0];
  const practice = of('Organization')[0];
  const bsn = patient?.identifier?.find((i) => i.system === SYSTEM.bsn)?.value;
  const address = patient?.address?.[0];
  const recorded = (r: { id?: string; extension?: Extension[] }) => ({
    id: r.id,
    bsn,
    shielded: false,
    recordedAt: extOf(r, EXTENSION.recordedAt)?.valueDateTime,
  });
  const flags = of('Flag');
  return {
    bsn,
    ...(patient?.name !== undefined
      ? {
          patient: {
            name: patient.name[0]?.text,
            birthDate: patient.birthDate,
            ...(address !== undefined
              ? {
                  address: {
                    street: extOf(address, EXTENSION.street)?.valueString,
                    houseNumber: extOf(address, EXTENSION.houseNumber)?.valueString,
                    postalCode: address.postalCode,
                    city: address.city,
                  },
                }
              : {}),
          },
        }
      : {}),
    practice: { ura: practice?.identifier?.find((i) => i.system === SYSTEM.ura)?.value, name: practice?.name },
    generatedAt: composition.date,
    journalFrom: composition.event?.[0]?.period?.start,
    openEpisodes: of('Condition').map((c) => ({
      id: c.id,
      bsn,
      shielded: false,
      recordedAt: c.recordedDate,
      title: c.code?.text,
      icpc: icpcOf(c.code),
      startDate: c.onsetDateTime,
      ...opt('endDate', c.abatementDateTime ?? extOf(c, EXTENSION.endDate)?.valueDateTime),
      attention: extOf(c, EXTENSION.attention)?.valueBoolean ?? false,
      status: code(c.clinicalStatus, CODE_SYSTEM.conditionClinical) === 'active' ? 'open' : 'closed',
    })),
    journal: compositions
      .filter((c) => kindOf(c) === 'journal-entry')
      .map((c) => {
        const event = c.event?.[0];
        return {
          id: c.id,
          bsn,
          shielded: false,
          recordedAt: c.date,
          date: event?.period?.start,
          ...opt('episodeId', refId(event?.detail?.[0], 'Condition')),
          ...opt('icpc', icpcOf(event?.code?.[0])),
          contactType: code(c.type, CODE_SYSTEM.contactType),
          ...opt('author', c.author[0]?.reference === undefined ? c.author[0]?.display : undefined),
          ...opt('S', sectionText(c, 'S')),
          ...opt('O', sectionText(c, 'O')),
          ...opt('E', sectionText(c, 'E')),
          ...opt('P', sectionText(c, 'P')),
        };
      }),
    measurements: of('Observation').map((o) => ({
      ...recorded(o),
      date: o.effectiveDateTime,
      ...opt('episodeId', refId(o.focus?.[0], 'Condition')),
      name: o.code.text,
      ...opt('loinc', code(o.code, CODE_SYSTEM.loinc)),
      value: o.valueQuantity?.value ?? o.valueString,
      ...opt('unit', o.valueQuantity?.unit ?? extOf(o, EXTENSION.unit)?.valueString),
      ...opt('referenceRange', o.referenceRange?.[0]?.text),
    })),
    medication: of('MedicationRequest').map((r) => {
      const c = r.medicationCodeableConcept;
      const product = {
        name: c?.text,
        ...Object.fromEntries(
          (['gpk', 'prk', 'hpk', 'zi', 'atc'] as const).flatMap((k) => {
            const v = code(c, CODE_SYSTEM[k]);
            return v === undefined ? [] : [[k, v]];
          }),
        ),
        ...opt('strength', extOf(c, EXTENSION.strength)?.valueString),
      };
      const quantity = r.dispenseRequest?.quantity;
      return {
        ...recorded(r),
        ...opt('episodeId', refId(r.reasonReference?.[0], 'Condition')),
        product,
        ...(quantity !== undefined ? { amount: { value: quantity.value, unit: quantity.unit } } : {}),
        dosageInstruction: r.dosageInstruction?.[0]?.text,
        startDate: r.dispenseRequest?.validityPeriod?.start ?? r.authoredOn,
        ...opt('endDate', r.dispenseRequest?.validityPeriod?.end),
        prescriber: prescriberOf(r),
      };
    }),
    allergies: of('AllergyIntolerance').map((a) => ({
      ...recorded(a),
      kind: a.type,
      substance: a.code?.text,
      ...opt('atc', code(a.code, CODE_SYSTEM.atc)),
      ...opt('reaction', a.reaction?.[0]?.manifestation[0]?.text),
      ...opt('severity', a.reaction?.[0]?.severity),
      recordedOn: a.recordedDate,
    })),
    contraIndications: flags
      .filter((f) => kindOf(f) === 'contra-indication')
      .map((f) => ({
        ...recorded(f),
        description: f.code.text,
        ...opt('icpc', icpcOf(f.code)),
        recordedOn: f.period?.start,
      })),
    coveringNotes: flags
      .filter((f) => kindOf(f) === 'covering-note')
      .map((f) => ({
        ...recorded(f),
        text: f.code.text,
        recordedOn: f.period?.start,
        ...opt('validUntil', f.period?.end),
      })),
    treatmentLimits: of('Consent').map((l) => {
      const source = l.sourceReference;
      return {
        ...recorded(l),
        kind: code(l.provision?.code?.[0], CODE_SYSTEM.treatmentLimit),
        agreedOn: l.dateTime,
        ...opt('agreedWith', l.performer?.[0]?.display),
        ...opt('note', extOf(l, EXTENSION.comment)?.valueString),
        ...(source !== undefined
          ? {
              reportedIn: {
                messageId: source.identifier?.value?.replace(/^urn:uuid:/, ''),
                organisationName: source.display,
                at: extOf(source, EXTENSION.encounterAt)?.valueDateTime,
              },
            }
          : {}),
      };
    }),
    acuteCareFeedback: compositions
      .filter((c) => code(c.type, CODE_SYSTEM.itemKind) === 'observation-report')
      .map((c) => {
        const author = c.author[0];
        const proposal = icpcOf(c.event?.[0]?.code?.[0]);
        return {
          messageId: c.identifier?.value?.replace(/^urn:uuid:/, ''),
          from: {
            organisationName: c.custodian?.display,
            organisationType: code(
              extOf(c.custodian, EXTENSION.organisationType)?.valueCodeableConcept,
              CODE_SYSTEM.organisationType,
            ),
          },
          author: {
            uziNumber: author?.identifier?.value,
            roleCode: code(extOf(author, EXTENSION.role)?.valueCodeableConcept, CODE_SYSTEM.uziRole),
            ...opt('name', author?.display),
          },
          situation: code(c.category?.[0], CODE_SYSTEM.situation),
          encounter: {
            at: c.event?.[0]?.period?.start,
            complaint: sectionText(c, 'complaint'),
            ...opt('findings', sectionText(c, 'findings')),
            actions: sectionText(c, 'actions'),
            ...opt('episodeProposal', proposal),
            ...opt('handover', sectionText(c, 'handover')),
          },
          processedAt: c.date,
        };
      }),
  };
}

/**
 * A GP's Bundle read back into the answer the other wires give (summary, or null with the decline), and
 * checked against the same contract: anything missing or malformed throws, for the switch point to make
 * it a source error.
 */
export function readSummaryBundle(bundle: unknown): SourceSummaryAnswer {
  let candidate: unknown;
  try {
    // Untrusted input: any shape may come, so every access is guarded and anything thrown is a bad answer.
    const b = bundle as Partial<Loose<Bundle>> | null | undefined;
    if (b?.resourceType !== 'Bundle' || (b.type !== 'document' && b.type !== 'collection'))
      throw new Error('not a document or collection Bundle');
    const resources = (b.entry ?? []).flatMap((e) => (e.resource === undefined ? [] : [e.resource as Loose<Resource>]));
    const declined = resources.find((r): r is Loose<OperationOutcome> => r.resourceType === 'OperationOutcome');
    if (declined !== undefined) {
      const issue = declined.issue[0];
      candidate = {
        interaction: 'QUPC_IN990002NL',
        summary: null,
        declined: {
          code: code(issue?.details, CODE_SYSTEM.decision),
          rule: issue?.diagnostics,
          explanation: issue?.details?.text,
        },
      };
    } else if (resources.length === 0) candidate = { interaction: 'QUPC_IN990002NL', summary: null };
    else candidate = { interaction: 'QUPC_IN990002NL', summary: summaryFrom(resources) };
  } catch (err) {
    throw new Error(`the Bundle does not make a summary answer: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const parsed = SourceSummaryAnswer.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the Bundle does not make a summary answer: ${issue?.path.join('.') ?? ''} ${issue?.message}`);
  }
  return parsed.data;
}
