import { z } from 'zod';

/**
 * Identifier primitives of the Dutch healthcare infrastructure (docs/domain.md section 3).
 * Each failed check carries a stable `code` and an `expected` text in the issue's params, which the
 * service kit turns into the problem+json `code`, `field` and `expected` members.
 */

export interface IssueParams {
  code: string;
  expected: string;
}

function digitsCheck(code: string, expected: string, length: number, extra?: (v: string) => boolean) {
  const pattern = new RegExp(`^\\d{${length}}$`);
  return z.string().check((ctx) => {
    if (!pattern.test(ctx.value) || (extra !== undefined && !extra(ctx.value))) {
      ctx.issues.push({
        code: 'custom',
        message: `expected ${expected}`,
        input: ctx.value,
        params: { code, expected } satisfies IssueParams,
      });
    }
  });
}

/** The 11-proef: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 must be divisible by 11 and not 0. */
export function passesElevenTest(bsn: string): boolean {
  if (!/^\d{9}$/.test(bsn)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(bsn[i]);
  sum -= Number(bsn[8]);
  return sum !== 0 && sum % 11 === 0;
}

export const OID = {
  bsn: '2.16.840.1.113883.2.4.6.3',
  uziPerson: '2.16.528.1.1007.3.1',
  uziSystem: '2.16.528.1.1007.3.2',
  ura: '2.16.528.1.1007.3.3',
  agb: '2.16.840.1.113883.2.4.6.1',
  applicationId: '2.16.840.1.113883.2.4.6.6',
  uziRole: '2.16.840.1.113883.2.4.15.111',
  organisationType: '2.16.840.1.113883.2.4.15.1060',
  dataCategory: '2.16.840.1.113883.2.4.3.111.15.3',
} as const;

export const Bsn = digitsCheck('INVALID_BSN', '9 digits passing the 11-proef', 9, passesElevenTest).meta({
  id: 'Bsn',
  description: `Burgerservicenummer (OID ${OID.bsn}): 9 digits passing the 11-proef`,
  examples: ['999900146'],
});
export const Ura = digitsCheck('INVALID_URA', '8 digits (URA, UZI register)', 8).meta({
  id: 'Ura',
  description: `URA, organisation number in the UZI register (OID ${OID.ura}): 8 digits`,
  examples: ['00001111'],
});
export const Agb = digitsCheck('INVALID_AGB', '8 digits (AGB code)', 8).meta({
  id: 'Agb',
  description: `AGB code (OID ${OID.agb}): 8 digits`,
});
export const UziNumber = digitsCheck('INVALID_UZI_NUMBER', '9 digits (UZI number)', 9).meta({
  id: 'UziNumber',
  description: `UZI number of a person (OID ${OID.uziPerson}) or system (OID ${OID.uziSystem}): 9 digits`,
  examples: ['900000001'],
});
export const BigNumber = digitsCheck('INVALID_BIG_NUMBER', '11 digits (BIG number)', 11).meta({
  id: 'BigNumber',
  description: 'BIG register number of a registered professional: 11 digits',
});
/**
 * GBZ application id (OID 2.16.840.1.113883.2.4.6.6). The real numbering is assigned by the LSP operator;
 * its exact format is unverified, so we accept 1 to 12 digits.
 */
export const ApplicationId = z
  .string()
  .check((ctx) => {
    if (!/^\d{1,12}$/.test(ctx.value)) {
      ctx.issues.push({
        code: 'custom',
        message: 'expected 1 to 12 digits (GBZ application id)',
        input: ctx.value,
        params: {
          code: 'INVALID_APPLICATION_ID',
          expected: '1 to 12 digits (GBZ application id)',
        } satisfies IssueParams,
      });
    }
  })
  .meta({ id: 'ApplicationId', description: `GBZ application id (OID ${OID.applicationId})`, examples: ['100001'] });

/** UZI role codes (OID 2.16.840.1.113883.2.4.15.111), the selection named in docs/domain.md. */
export const UZI_ROLES = {
  '01.015': 'huisarts',
  '01.004': 'apotheekhoudend huisarts',
  '01.047': 'specialist ouderengeneeskunde',
  '01.056': 'arts verstandelijk gehandicapten',
  '01.071': 'SEH-arts',
  '01.010': 'cardioloog',
  '01.016': 'internist',
  '01.019': 'kinderarts',
  '01.026': 'neuroloog',
  '01.008': 'bedrijfsarts',
  '01.048': 'verzekeringsarts',
  '17.000': 'apotheker',
  '17.075': 'openbaar apotheker',
  '17.060': 'ziekenhuisapotheker',
  '30.000': 'verpleegkundige',
  '80.000': 'bachelor medisch hulpverlener (ambulance)',
  '81.000': 'physician assistant',
  '83.000': 'apothekersassistent',
} as const;
export type KnownUziRole = keyof typeof UZI_ROLES;

/** Any code of the form NN.NNN is accepted: the UZI register has more roles than the list above. */
export const UziRoleCode = z
  .string()
  .check((ctx) => {
    if (!/^\d{2}\.\d{3}$/.test(ctx.value)) {
      ctx.issues.push({
        code: 'custom',
        message: 'expected a UZI role code of the form NN.NNN, e.g. 01.015',
        input: ctx.value,
        params: {
          code: 'INVALID_ROLE_CODE',
          expected: 'a UZI role code NN.NNN, e.g. 01.015 (huisarts)',
        } satisfies IssueParams,
      });
    }
  })
  .meta({
    id: 'UziRoleCode',
    description: `UZI role code (OID ${OID.uziRole}), e.g. 01.015 huisarts, 17.075 openbaar apotheker`,
  });

export function roleName(code: string): string {
  return (UZI_ROLES as Record<string, string>)[code] ?? `role ${code}`;
}

/**
 * Schakel's own code for an ambulance service (regionale ambulancevoorziening, RAV). The official list of
 * organisation types (OID 2.16.840.1.113883.2.4.15.1060, RoleCodeNL care-provider types) has no code for
 * one: checked against the list as the Nictiz HL7-mappings repository carries it (util/constants.xsl,
 * orgRoleCodeMap). A1 there is "Apotheekinstelling", a pharmacy institution. This code is marked as local
 * and has a dash, which no code of the real list has, so it can never name another kind of organisation
 * (docs/decisions.md 20). Replace it here, the one place, once a code is assigned.
 */
export const AMBULANCE_SERVICE_TYPE = 'SCHAKEL-RAV' as const;

/** Organisation types (OID 2.16.840.1.113883.2.4.15.1060), named as in the official list. */
export const ORGANISATION_TYPES = {
  Z3: 'huisartspraktijk (GP practice)',
  K3: 'apotheekhoudende huisartspraktijk (dispensing GP practice)',
  N6: 'huisartsenpost (after-hours GP post)',
  J8: 'openbare apotheek (community pharmacy)',
  V4: 'ziekenhuis (hospital)',
  V5: 'universitair medisch centrum (university hospital)',
  G5: 'geestelijke gezondheidszorg (mental health)',
  X3: 'verpleging en verzorging (nursing and home care)',
  A1: 'apotheekinstelling (pharmacy institution)',
  [AMBULANCE_SERVICE_TYPE]:
    'ambulancedienst (ambulance service, RAV): a local Schakel code, the official list has none',
} as const;
export const OrganisationType = z
  .enum(Object.keys(ORGANISATION_TYPES) as [keyof typeof ORGANISATION_TYPES, ...(keyof typeof ORGANISATION_TYPES)[]])
  .meta({ id: 'OrganisationType', description: `Organisation type (OID ${OID.organisationType})` });
export type OrganisationType = z.infer<typeof OrganisationType>;

/**
 * Data categories (AORTA list, OID 2.16.840.1.113883.2.4.3.111.15.3). WAARNEEMGEGEVENS, the GP's
 * professional summary, is our name for the category; the real code is unverified.
 */
export const DATA_CATEGORIES = {
  MEDVERSTREKKING: 'medication dispenses (medicatiegegevens)',
  MEDOVERZICHT: 'medication overview',
  MEDAFSPRAAK: 'medication agreements',
  ALLERGIEINTOLERANTIE: 'allergies and intolerances',
  ALERT: 'alerts and contra-indications',
  CONTACTVERSLAG: 'contact reports',
  BEHAANWIJZING: 'treatment limits',
  WAARNEEMGEGEVENS: 'GP observation data / professional summary (huisartswaarneemgegevens)',
} as const;
export const DataCategory = z
  .enum(Object.keys(DATA_CATEGORIES) as [keyof typeof DATA_CATEGORIES, ...(keyof typeof DATA_CATEGORIES)[]])
  .meta({ id: 'DataCategory', description: `Data category (OID ${OID.dataCategory})` });
export type DataCategory = z.infer<typeof DataCategory>;
