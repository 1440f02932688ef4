import type {
  Cio,
  Dispense,
  MedicationQuery,
  ObservationReportDelivery,
  ObservationReportSubmission,
  Professional,
  ProfessionalSummary,
  QueryBatch,
  SummaryQuery,
} from '@schakel/contracts';

/**
 * Our own fixtures, after the README's demo: Jan Jansen (999900146) with dispenses at two pharmacies and a
 * rich GP summary at De Linde, Fatima el Amrani (999900523) who objected at Apotheek Zuid, and the covering
 * GP Dr. H. de Wit at Huisartsenpost Midden. All identifiers are synthetic test values.
 */
export const JAN = '999900146';
export const FATIMA = '999900523';
export const HAP = { applicationId: '300001', ura: '03000001', name: 'Huisartsenpost Midden' };
export const LSP = { applicationId: '1' };
export const DE_VIJZEL = { applicationId: '200001', ura: '02000001', name: 'Apotheek De Vijzel' };
export const ZUID = { applicationId: '200002', ura: '02000002', name: 'Apotheek Zuid' };
export const DE_LINDE = { applicationId: '100001', ura: '01000001', name: 'Huisartsenpraktijk De Linde' };
export const HET_ANKER = { applicationId: '100002', ura: '01000002', name: 'Huisartsenpraktijk Het Anker' };
export const DR_DE_WIT: Professional = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. H. de Wit' };
export const DR_VISSER: Professional = { uziNumber: '900000002', roleCode: '01.015', name: 'Dr. A. Visser' };
export const NURSE_BAKKER: Professional = { uziNumber: '900000003', roleCode: '30.000', name: 'S. Bakker' };
export const RAV = { applicationId: '400001', ura: '04000001', name: 'Ambulancezorg Midden' };
/** The message id of the HAP's observation report (submission, delivery) that De Linde processed into the summary. */
const REPORT_ID = '3f0c6d2e-6a4b-4c2a-9f3e-2b8e5d7a1c90';
export const GP = { uziNumber: '900000001', roleCode: '01.015', ura: HAP.ura, name: 'Dr. H. de Wit' };

export const medicationQuery: MedicationQuery = {
  bsn: FATIMA,
  requester: { applicationId: HAP.applicationId, professional: DR_DE_WIT, responsible: DR_VISSER },
  treatmentRelation: true,
  situation: 'acute',
  verbalConsent: false,
  patientCannotConsent: true,
  from: '2026-05-01',
  to: '2026-11-22',
  latestPerProduct: true,
};

export const summaryQuery: SummaryQuery = {
  bsn: JAN,
  requester: { applicationId: HAP.applicationId, professional: DR_DE_WIT },
  treatmentRelation: true,
  situation: 'regular',
  verbalConsent: true,
  patientCannotConsent: false,
};

export const omeprazol: Dispense = {
  id: 'vz-2026-000311',
  bsn: JAN,
  pharmacy: { ura: DE_VIJZEL.ura, name: DE_VIJZEL.name },
  product: {
    name: 'Omeprazol 20 mg capsule maagsapresistent',
    zi: '14977222',
    hpk: '2112876',
    prk: '28479',
    gpk: '21946',
    atc: 'A02BC01',
    strength: '20 mg',
  },
  amount: { value: 30, unit: 'stuk' },
  dosageInstruction: '1 maal per dag 1 capsule, voor het ontbijt',
  dispensedOn: '2026-10-14',
  prescriber: { name: 'Dr. P. Jansen', agb: '01012345', big: '19012345601' },
};

export const metformine: Dispense = {
  id: 'vz-2026-000312',
  bsn: JAN,
  pharmacy: { ura: DE_VIJZEL.ura, name: DE_VIJZEL.name },
  product: { name: 'Metformine HCl 500 mg tablet', gpk: '12345', atc: 'A10BA02' },
  amount: { value: 90.5, unit: 'stuk' },
  dosageInstruction: '2 maal per dag 1 tablet bij de maaltijd & "zo nodig" <extra> bij hoge suiker',
  dispensedOn: '2026-11-02',
  prescriber: { name: 'Huisarts De Linde' },
};

export const cios: Cio[] = [
  {
    id: 'cio-1',
    bsn: JAN,
    kind: 'contra-indication',
    name: 'Verminderde nierfunctie',
    code: '1236',
    recordedOn: '2025-03-01',
  },
  { id: 'cio-2', bsn: JAN, kind: 'intolerance', name: 'Penicillines', atc: 'J01C', recordedOn: '2019-07-12' },
];

const at = '2026-11-20T09:30:00.000Z';
export const summary: ProfessionalSummary = {
  bsn: JAN,
  patient: {
    name: 'Jan Jansen',
    birthDate: '1948-02-29',
    address: { street: 'Lindelaan', houseNumber: '12a', postalCode: '3511 AB', city: 'Utrecht' },
  },
  practice: { ura: DE_LINDE.ura, name: DE_LINDE.name },
  generatedAt: '2026-11-22T21:04:13.512+01:00',
  journalFrom: '2026-07-22',
  openEpisodes: [
    {
      id: 'ep-1',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      title: 'Diabetes mellitus type 2',
      icpc: { code: 'T90.02', title: 'Diabetes mellitus type 2' },
      startDate: '2015-04-01',
      attention: true,
      status: 'open',
    },
    {
      id: 'ep-2',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      title: 'Hypertensie',
      icpc: { code: 'K86', title: 'Hypertensie zonder orgaanbeschadiging' },
      startDate: '2012-01-10',
      endDate: '2026-12-31',
      attention: false,
      status: 'open',
    },
  ],
  journal: [
    {
      id: 'j-9',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      date: '2026-11-03',
      episodeId: 'ep-1',
      icpc: { code: 'T90.02', title: 'Diabetes mellitus type 2' },
      contactType: 'consult',
      author: 'Dr. K. de Linde',
      S: 'Dorst, vaker plassen.',
      O: 'Glucose nuchter 9,8 mmol/l.',
      E: 'DM2 matig ingesteld',
      P: 'Metformine ophogen; over 3 maanden HbA1c.',
    },
    {
      id: 'j-8',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      date: '2026-09-14',
      contactType: 'telefonisch',
      P: 'Herhaalrecept omeprazol.',
    },
  ],
  measurements: [
    {
      id: 'm-1',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      date: '2026-11-03',
      episodeId: 'ep-1',
      name: 'HbA1c',
      loinc: '4548-4',
      value: 61,
      unit: 'mmol/mol',
      referenceRange: '< 53',
    },
    {
      id: 'm-2',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      date: '2026-11-03',
      name: 'Glucose urine',
      value: 'positief',
    },
    {
      id: 'm-3',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      date: '2026-10-01',
      name: 'eGFR',
      loinc: '62238-1',
      value: '> 90',
      unit: 'ml/min/1.73m2',
    },
    { id: 'm-4', bsn: JAN, shielded: false, recordedAt: at, date: '2026-10-01', name: 'Gewicht', value: 88.4 },
  ],
  medication: [
    {
      id: 'rx-1',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      episodeId: 'ep-1',
      product: { name: 'Metformine HCl 500 mg tablet', prk: '27065', atc: 'A10BA02' },
      amount: { value: 180, unit: 'stuk' },
      dosageInstruction: '2 maal per dag 2 tabletten',
      startDate: '2026-11-03',
      prescriber: { name: 'Dr. K. de Linde', agb: '01099887' },
    },
    {
      id: 'rx-2',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      product: { name: 'Omeprazol 20 mg' },
      dosageInstruction: 'zo nodig 1 capsule',
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      prescriber: { name: 'Dr. K. de Linde' },
    },
  ],
  allergies: [
    {
      id: 'a-1',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      kind: 'allergy',
      substance: 'Penicilline',
      atc: 'J01C',
      reaction: 'Urticaria',
      severity: 'severe',
      recordedOn: '2019-07-12',
    },
    {
      id: 'a-2',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      kind: 'intolerance',
      substance: 'Pleisters',
      recordedOn: '2021-02-02',
    },
  ],
  contraIndications: [
    {
      id: 'ci-1',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      description: 'Verminderde nierfunctie',
      icpc: { code: 'U99', title: 'Andere ziekte urinewegen' },
      recordedOn: '2025-03-01',
    },
    { id: 'ci-2', bsn: JAN, shielded: false, recordedAt: at, description: 'Geen NSAID’s', recordedOn: '2025-03-01' },
  ],
  coveringNotes: [
    {
      id: 'n-1',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      text: 'Woont alleen; dochter (06-12345678) is mantelzorger.',
      recordedOn: '2026-06-01',
      validUntil: '2027-06-01',
    },
  ],
  treatmentLimits: [
    {
      id: 't-1',
      bsn: JAN,
      shielded: false,
      recordedAt: at,
      kind: 'niet-reanimeren',
      agreedOn: '2025-12-01',
      agreedWith: 'patiënt en dochter',
      note: 'Schriftelijke wilsverklaring in dossier',
    },
    { id: 't-2', bsn: JAN, shielded: false, recordedAt: at, kind: 'geen-ic-opname', agreedOn: '2025-12-01' },
    // Not in the GP's own record: they came with the HAP's report (submission below), which De Linde processed.
    {
      id: `${REPORT_ID}:0`,
      bsn: JAN,
      shielded: false,
      recordedAt: '2026-11-23T08:12:00Z',
      kind: 'geen-ziekenhuisopname',
      agreedOn: '2026-11-22',
      agreedWith: 'patiënt en dochter',
      note: 'Liever thuis behandeld',
      reportedIn: { messageId: REPORT_ID, organisationName: HAP.name, at: '2026-11-22T23:40:00+01:00' },
    },
    {
      id: `${REPORT_ID}:1`,
      bsn: JAN,
      shielded: false,
      recordedAt: '2026-11-23T08:12:00Z',
      kind: 'niet-reanimeren',
      agreedOn: '2025-12-01',
      reportedIn: { messageId: REPORT_ID, organisationName: HAP.name, at: '2026-11-22T23:40:00+01:00' },
    },
  ],
  acuteCareFeedback: [
    {
      messageId: REPORT_ID,
      from: { organisationName: HAP.name, organisationType: 'N6' },
      author: DR_DE_WIT,
      situation: 'acute',
      encounter: {
        at: '2026-11-22T23:40:00+01:00',
        complaint: 'Koorts en keelpijn sinds 2 dagen',
        findings: 'Temp 39,1; keel rood, geen beslag',
        actions: 'Paracetamol-advies; bij benauwdheid terugbellen',
        episodeProposal: { code: 'R74', title: 'Acute infectie bovenste luchtwegen' },
        handover: 'Bij aanhouden koorts na 3 dagen terugzien',
      },
      processedAt: '2026-11-23T08:12:00Z',
    },
    {
      messageId: '7a9b3c1d-2e4f-4a6b-8c0d-1e2f3a4b5c6d',
      from: { organisationName: RAV.name, organisationType: 'SCHAKEL-RAV' },
      author: NURSE_BAKKER,
      situation: 'regular',
      encounter: {
        at: '2026-09-30T14:05:00.250+02:00',
        complaint: 'Gevallen in de badkamer',
        actions: 'Wond gehecht & verbonden; niet vervoerd <geen indicatie>',
      },
      processedAt: '2026-10-01T09:00:00+02:00',
    },
  ],
};

export const submission: ObservationReportSubmission = {
  messageId: REPORT_ID,
  bsn: JAN,
  sender: { applicationId: HAP.applicationId, professional: DR_DE_WIT, responsible: DR_VISSER },
  situation: 'acute',
  encounter: {
    at: '2026-11-22T23:40:00+01:00',
    complaint: 'Koorts en keelpijn sinds 2 dagen',
    findings: 'Temp 39,1; keel rood, geen beslag',
    actions: 'Paracetamol-advies; bij benauwdheid terugbellen',
    episodeProposal: { code: 'R74', title: 'Acute infectie bovenste luchtwegen' },
    handover: 'Bij aanhouden koorts na 3 dagen terugzien',
    treatmentLimits: [
      {
        kind: 'geen-ziekenhuisopname',
        agreedOn: '2026-11-22',
        agreedWith: 'patiënt en dochter',
        note: 'Liever thuis behandeld',
      },
      { kind: 'niet-reanimeren', agreedOn: '2025-12-01' },
    ],
  },
  writtenAt: '2026-11-22T23:55:12.000Z',
};

export const delivery: ObservationReportDelivery = {
  messageId: submission.messageId,
  bsn: JAN,
  sender: { applicationId: HAP.applicationId, ura: HAP.ura, organisationName: HAP.name, organisationType: 'N6' },
  author: DR_DE_WIT,
  situation: 'regular',
  encounter: { at: '2026-11-22T23:40:00Z', complaint: 'Hoofdpijn', actions: 'Uitleg gegeven' },
  writtenAt: '2026-11-22T23:55:12Z',
};

const AORTA_ID =
  'initialRequestID=0b0f5a5e-6a29-4c36-8c3e-52d2b0a4f1de; requestID=9e1f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

/** A medication batch with every kind of source status. */
export const medicationBatch: QueryBatch = {
  interaction: 'QURX_IN990013NL',
  batch: 'MCCI_IN200101',
  batchId: '5d2c1a7e-1f3b-4d4e-9a8b-7c6d5e4f3a2b',
  aortaId: AORTA_ID,
  bsn: JAN,
  category: 'MEDVERSTREKKING',
  complete: false,
  sources: [
    {
      applicationId: DE_VIJZEL.applicationId,
      ura: DE_VIJZEL.ura,
      organisationName: DE_VIJZEL.name,
      organisationType: 'J8',
      status: 'ok',
      contacted: true,
      durationMs: 42,
      decision: {
        code: 'CONSENT_GIVEN',
        rule: 'LSP-CONSENT-1: the patient consented to sharing by this holder',
        consentRecordId: 3,
        explanation: 'Consent recorded at Apotheek De Vijzel on 2026-01-05',
      },
      dispenses: [omeprazol, metformine],
      contraIndications: cios,
    },
    {
      applicationId: ZUID.applicationId,
      ura: ZUID.ura,
      organisationName: ZUID.name,
      organisationType: 'J8',
      status: 'refused',
      contacted: false,
      decision: {
        code: 'CONSENT_OBJECTION',
        rule: 'LSP-CONSENT-2: an objection is never overridden',
        consentRecordId: 7,
        explanation: 'The patient objected to sharing by Apotheek Zuid',
      },
    },
    {
      applicationId: '200003',
      ura: '02000003',
      organisationName: 'Apotheek Noord',
      organisationType: 'J8',
      status: 'timeout',
      contacted: true,
      durationMs: 5000,
      decision: { code: 'CONSENT_GIVEN', rule: 'LSP-CONSENT-1', explanation: 'Consent recorded' },
      error: { code: 'UPSTREAM_TIMEOUT', detail: 'No answer within 5000 ms' },
    },
    {
      applicationId: '200004',
      ura: '02000004',
      organisationName: 'Apotheek West',
      organisationType: 'J8',
      status: 'no-data',
      contacted: true,
      durationMs: 12,
      decision: { code: 'PRESUMED_CONSENT', rule: 'LSP-EMERGENCY-1', explanation: 'Emergency: presumed consent' },
      contraIndications: [],
    },
    {
      applicationId: '200005',
      ura: '02000005',
      organisationName: 'Apotheek Oost',
      organisationType: 'J8',
      status: 'unreachable',
      contacted: true,
      decision: { code: 'CONSENT_GIVEN', rule: 'LSP-CONSENT-1', explanation: 'Consent recorded' },
      error: { code: 'UPSTREAM_UNREACHABLE', detail: 'connect ECONNREFUSED 127.0.0.1:7205' },
    },
    {
      applicationId: '200006',
      ura: '02000006',
      organisationName: 'Apotheek Centrum',
      organisationType: 'J8',
      status: 'error',
      contacted: true,
      durationMs: 30,
      decision: { code: 'CONSENT_GIVEN', rule: 'LSP-CONSENT-1', explanation: 'Consent recorded' },
      error: { code: 'UPSTREAM_ERROR', detail: 'The pharmacy answered 500' },
    },
  ],
};

export const summaryBatch: QueryBatch = {
  interaction: 'QUPC_IN990002NL',
  batch: 'MCCI_IN200101',
  batchId: 'b-77',
  aortaId: AORTA_ID,
  bsn: JAN,
  category: 'WAARNEEMGEGEVENS',
  complete: true,
  sources: [
    {
      applicationId: DE_LINDE.applicationId,
      ura: DE_LINDE.ura,
      organisationName: DE_LINDE.name,
      organisationType: 'Z3',
      status: 'ok',
      contacted: true,
      durationMs: 88,
      decision: {
        code: 'CORONA_VERBAL_CONSENT',
        rule: 'LSP-CORONA-1',
        explanation: 'Verbal consent on the spot (corona opt-in)',
      },
      summary,
    },
    {
      applicationId: HET_ANKER.applicationId,
      ura: HET_ANKER.ura,
      organisationName: HET_ANKER.name,
      organisationType: 'Z3',
      status: 'no-data',
      contacted: true,
      durationMs: 9,
      decision: { code: 'CONSENT_GIVEN', rule: 'LSP-CONSENT-1', explanation: 'Consent recorded' },
    },
  ],
};
