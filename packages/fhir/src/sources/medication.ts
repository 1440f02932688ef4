import { z } from 'zod';
import { SourceMedicationAnswer, type Cio, type Dispense } from '@schakel/contracts';
import { SYSTEM } from '../systems.js';
import type { Bundle, Coding, Resource } from '../types.js';
import type {
  AllergyIntolerance,
  Flag,
  Medication,
  MedicationDispense,
  MedicationRequest,
  Practitioner,
} from './r4.js';
import {
  ConceptR,
  ExtensionR,
  IdentifierR,
  ReferenceR,
  bsnOf,
  byIdentifier,
  codeOf,
  dateOf,
  extensionValue,
  identifierValue,
  patientByBsn,
  readBundle,
  searchsetWith,
} from './bundle.js';
import { CODE_SYSTEM, EXTENSION } from './systems.js';

/**
 * The pharmacy's medication answer (QURX_IN990013NL content) as FHIR R4, after the zib/nl-core medication
 * profiles: a MedicationDispense per dispense (zib Verstrekking) with its Medication (zib
 * FarmaceutischProduct: G-Standaard GPK/PRK/HPK/ZI and ATC codings), the prescriber in a contained
 * MedicationRequest, the pharmacy as performer by URA; an AllergyIntolerance per intolerance and a Flag
 * per contra-indication (zib MedicatieContraIndicatie). And the way back, for the switch point: a Bundle
 * read into the same SourceMedicationAnswer the JSON and HL7v3 legs give.
 */

const medicationId = (d: Dispense) => `med-${d.id}`;

export function medicationOf(d: Dispense): Medication {
  const p = d.product;
  const coding: Coding[] = [
    ...(p.gpk !== undefined ? [{ system: CODE_SYSTEM.gpk, code: p.gpk }] : []),
    ...(p.prk !== undefined ? [{ system: CODE_SYSTEM.prk, code: p.prk }] : []),
    ...(p.hpk !== undefined ? [{ system: CODE_SYSTEM.hpk, code: p.hpk }] : []),
    ...(p.zi !== undefined ? [{ system: CODE_SYSTEM.zi, code: p.zi }] : []),
    ...(p.atc !== undefined ? [{ system: CODE_SYSTEM.atc, code: p.atc }] : []),
  ];
  return {
    resourceType: 'Medication',
    id: medicationId(d),
    ...(p.strength !== undefined ? { extension: [{ url: EXTENSION.strength, valueString: p.strength }] } : {}),
    code: { ...(coding.length > 0 ? { coding } : {}), text: p.name },
  };
}

export function medicationDispenseOf(d: Dispense): MedicationDispense {
  const prescriber: Practitioner = {
    resourceType: 'Practitioner',
    id: 'prescriber',
    identifier: [
      ...(d.prescriber.agb !== undefined ? [{ system: SYSTEM.agb, value: d.prescriber.agb }] : []),
      ...(d.prescriber.big !== undefined ? [{ system: SYSTEM.big, value: d.prescriber.big }] : []),
    ],
    name: [{ text: d.prescriber.name }],
  };
  const prescription: MedicationRequest = {
    resourceType: 'MedicationRequest',
    id: 'prescription',
    status: 'completed',
    intent: 'order',
    medicationReference: { reference: `Medication/${medicationId(d)}` },
    subject: patientByBsn(d.bsn),
    requester: { reference: '#prescriber' },
  };
  return {
    resourceType: 'MedicationDispense',
    id: d.id,
    contained: [prescriber, prescription],
    status: 'completed',
    medicationReference: { reference: `Medication/${medicationId(d)}`, display: d.product.name },
    subject: patientByBsn(d.bsn),
    performer: [{ actor: byIdentifier('Organization', SYSTEM.ura, d.pharmacy.ura, d.pharmacy.name) }],
    authorizingPrescription: [{ reference: '#prescription' }],
    quantity: { value: d.amount.value, unit: d.amount.unit },
    whenHandedOver: d.dispensedOn,
    dosageInstruction: [{ text: d.dosageInstruction }],
  };
}

/** An intolerance is an AllergyIntolerance; a contra-indication (zib MedicatieContraIndicatie) a Flag. */
export function cioResource(c: Cio): AllergyIntolerance | Flag {
  const coding: Coding[] = [
    ...(c.code !== undefined ? [{ system: CODE_SYSTEM.gstdThesaurus, code: c.code }] : []),
    ...(c.atc !== undefined ? [{ system: CODE_SYSTEM.atc, code: c.atc }] : []),
  ];
  const code = { ...(coding.length > 0 ? { coding } : {}), text: c.name };
  if (c.kind === 'intolerance')
    return {
      resourceType: 'AllergyIntolerance',
      id: c.id,
      clinicalStatus: { coding: [{ system: CODE_SYSTEM.allergyClinical, code: 'active' }] },
      type: 'intolerance',
      category: ['medication'],
      code,
      patient: patientByBsn(c.bsn),
      recordedDate: c.recordedOn,
    };
  return {
    resourceType: 'Flag',
    id: c.id,
    status: 'active',
    category: [{ coding: [{ system: CODE_SYSTEM.itemKind, code: 'contra-indication' }] }],
    code,
    subject: patientByBsn(c.bsn),
    period: { start: c.recordedOn },
  };
}

/** The resources of one source's medication answer: dispenses (matches), their Medications and the CiO. */
export function medicationResources(answer: { dispenses: Dispense[]; contraIndications?: Cio[] | undefined }): {
  match: MedicationDispense[];
  include: Resource[];
} {
  return {
    match: answer.dispenses.map(medicationDispenseOf),
    include: [...answer.dispenses.map(medicationOf), ...(answer.contraIndications ?? []).map(cioResource)],
  };
}

/** A pharmacy's answer to a MedicationDispense search, as a searchset Bundle. */
export function medicationSearchset(
  base: string,
  answer: { dispenses: Dispense[]; contraIndications?: Cio[] | undefined },
  self?: string,
): Bundle {
  return searchsetWith(base, { ...medicationResources(answer), ...(self !== undefined ? { self } : {}) });
}

// ---- the way back ----

const MedicationR = z.looseObject({
  resourceType: z.literal('Medication'),
  code: ConceptR,
  extension: z.array(ExtensionR).optional(),
});
const ContainedR = z.looseObject({
  resourceType: z.string(),
  id: z.string().optional(),
  identifier: z.array(IdentifierR).optional(),
  name: z.array(z.looseObject({ text: z.string().optional() })).optional(),
  requester: ReferenceR.optional(),
});
const DispenseR = z.looseObject({
  id: z.string(),
  medicationReference: ReferenceR,
  subject: ReferenceR,
  contained: z.array(ContainedR).optional(),
  performer: z.array(z.looseObject({ actor: ReferenceR })).min(1),
  authorizingPrescription: z.array(ReferenceR).optional(),
  quantity: z.looseObject({ value: z.number(), unit: z.string() }),
  whenHandedOver: z.string(),
  dosageInstruction: z.array(z.looseObject({ text: z.string() })).min(1),
});
const CioR = z.looseObject({
  resourceType: z.enum(['AllergyIntolerance', 'Flag']),
  id: z.string(),
  code: ConceptR,
  patient: ReferenceR.optional(),
  subject: ReferenceR.optional(),
  recordedDate: z.string().optional(),
  period: z.looseObject({ start: z.string().optional() }).optional(),
});

/** The prescriber from the contained MedicationRequest's requester (a contained Practitioner). */
function prescriberOf(d: z.infer<typeof DispenseR>): Dispense['prescriber'] {
  const local = (ref: string | undefined) => d.contained?.find((c) => `#${c.id ?? ''}` === ref);
  const request = local(d.authorizingPrescription?.[0]?.reference);
  const practitioner = local(request?.requester?.reference);
  const name = practitioner?.name?.[0]?.text ?? request?.requester?.display;
  if (name === undefined) throw new Error(`MedicationDispense/${d.id} names no prescriber`);
  const agb = identifierValue(practitioner?.identifier, SYSTEM.agb);
  const big = identifierValue(practitioner?.identifier, SYSTEM.big);
  return { name, ...(agb !== undefined ? { agb } : {}), ...(big !== undefined ? { big } : {}) };
}

export function dispenseFrom(
  d: z.infer<typeof DispenseR>,
  medication: z.infer<typeof MedicationR> | undefined,
): unknown {
  const code = (system: string) => codeOf(medication?.code, system);
  const strength = extensionValue(medication?.extension, EXTENSION.strength);
  const product = {
    name: medication?.code.text ?? d.medicationReference.display,
    ...Object.fromEntries(
      (['gpk', 'prk', 'hpk', 'zi', 'atc'] as const)
        .map((k) => [k, code(CODE_SYSTEM[k])] as const)
        .filter(([, v]) => v !== undefined),
    ),
    ...(typeof strength === 'string' ? { strength } : {}),
  };
  const actor = d.performer[0]?.actor;
  return {
    id: d.id,
    bsn: bsnOf(d.subject),
    dispensedOn: dateOf(d.whenHandedOver),
    product,
    amount: { value: d.quantity.value, unit: d.quantity.unit },
    dosageInstruction: d.dosageInstruction[0]?.text,
    prescriber: prescriberOf(d),
    pharmacy: { ura: actor?.identifier?.value, name: actor?.display },
  };
}

export function cioFrom(r: z.infer<typeof CioR>): unknown {
  const code = codeOf(r.code, CODE_SYSTEM.gstdThesaurus);
  const atc = codeOf(r.code, CODE_SYSTEM.atc);
  return {
    id: r.id,
    bsn: bsnOf(r.patient ?? r.subject),
    kind: r.resourceType === 'AllergyIntolerance' ? 'intolerance' : 'contra-indication',
    name: r.code.text,
    ...(code !== undefined ? { code } : {}),
    ...(atc !== undefined ? { atc } : {}),
    recordedOn: dateOf(r.recordedDate ?? r.period?.start),
  };
}

/**
 * A pharmacy's searchset read back into the answer the other wires give, validated against the same
 * contract: anything missing or malformed throws (the switch point makes it a source error, never a 5xx).
 */
export function readMedicationSearchset(bundle: unknown): SourceMedicationAnswer {
  const r = readBundle(bundle);
  const dispenses = r
    .ofType('MedicationDispense', DispenseR)
    .map((d) => dispenseFrom(d, r.resolve(d.medicationReference.reference, MedicationR)));
  const cio = r.ofType(['AllergyIntolerance', 'Flag'], CioR).map(cioFrom);
  const parsed = SourceMedicationAnswer.safeParse({
    interaction: 'QURX_IN990013NL',
    dispenses,
    ...(cio.length > 0 ? { contraIndications: cio } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the Bundle does not make a medication answer: ${issue?.path.join('.') ?? ''} ${issue?.message}`);
  }
  return parsed.data;
}
