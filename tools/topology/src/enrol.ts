import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { ApplicationId, DataCategory, OrganisationType, Ura, UziNumber, UziRoleCode, Wire } from '@schakel/contracts';
import { openPki } from '@schakel/trust/pki';
import { operatorClient } from './operator.js';

/** What `npm run enrol` takes: a new organisation's system, and the professionals it needs UZI cards for. */
export const EnrolmentInput = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes'),
    name: z.string().min(1),
    ura: Ura,
    applicationId: ApplicationId,
    organisationType: OrganisationType,
    baseUrl: z.url({ protocol: /^https$/ }).optional(),
    provides: z.array(DataCategory).default([]),
    /** How the switch point asks this system as a source: its JSON legs, HL7v3 in SOAP at the base URL itself, or FHIR searches below the base URL (its FHIR base). */
    wire: Wire.default('json'),
    professionals: z
      .array(z.object({ uziNumber: UziNumber, roleCode: UziRoleCode, name: z.string().min(1) }))
      .default([]),
    lspUrl: z.url({ protocol: /^https$/ }),
    pkiDir: z.string(),
  })
  .refine((i) => i.wire === 'json' || (i.baseUrl !== undefined && i.provides.length > 0), {
    path: ['wire'],
    error:
      'hl7v3 and fhir are how the switch point asks a source: give --base-url (your AORTA endpoint or FHIR base) and --provides (what it answers for)',
  });
export type EnrolmentInput = z.input<typeof EnrolmentInput>;

/**
 * Issues a system certificate and UZI card credentials from the running topology's test PKI into
 * <pki>/enrolled/<id>/, and enters the system in the switch point's address book with the operator's
 * certificate. Returns the folder and ready-to-paste examples.
 */
export async function enrol(raw: EnrolmentInput): Promise<{ folder: string; examples: string }> {
  const input = EnrolmentInput.parse(raw);
  if (!existsSync(join(input.pkiDir, 'root-ca.pem')))
    throw new Error(`No test PKI in ${input.pkiDir}: start the topology once first (npm start)`);
  const pki = await openPki(input.pkiDir);
  const folder = join(input.pkiDir, 'enrolled', input.id);
  mkdirSync(join(folder, 'cards'), { recursive: true });
  const system = await pki.issueSystem({
    id: input.id,
    name: input.name,
    ura: input.ura,
    applicationId: input.applicationId,
    organisationType: input.organisationType,
  });
  writeFileSync(join(folder, 'system.cert.pem'), system.cert);
  writeFileSync(join(folder, 'system.key.pem'), system.key, { mode: 0o600 });
  copyFileSync(pki.files.root, join(folder, 'root-ca.pem'));
  for (const p of input.professionals) {
    const card = await pki.issueProfessional({ ...p, ura: input.ura });
    writeFileSync(join(folder, 'cards', `${p.uziNumber}.cert.pem`), card.cert);
    writeFileSync(join(folder, 'cards', `${p.uziNumber}.key.pem`), card.key, { mode: 0o600 });
  }

  const lsp = await operatorClient(pki, input.lspUrl, 10_000);
  try {
    await lsp.registerSystem(input.applicationId, {
      ura: input.ura,
      organisationName: input.name,
      organisationType: input.organisationType,
      provides: input.provides,
      ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}),
      wire: input.wire,
    });
  } finally {
    await lsp.close();
  }

  const rel = relative(process.cwd(), folder) || '.';
  const first = input.professionals[0];
  const source =
    input.baseUrl !== undefined && input.provides.length > 0
      ? [
          '',
          input.wire === 'hl7v3'
            ? `As a source (${input.provides.join(', ')}), the switch point POSTs HL7v3 in SOAP 1.2 to ${input.baseUrl} over mutual TLS with its own certificate (application id 1): QUPC_IN990001NL -> answer QUPC_IN990002NL, QURX_IN990011NL -> QURX_IN990013NL, REPC_IN990003NL -> MCCI_IN000002 (see docs/hl7v3.md). Register patients with MFMT_IN002101 at ${input.lspUrl}/aorta/registration.`
            : input.wire === 'fhir'
              ? `As a source (${input.provides.join(', ')}), the switch point searches ${input.baseUrl} over mutual TLS with its own certificate: GET MedicationDispense?patient.identifier=http://fhir.nl/fhir/NamingSystem/bsn|<BSN> (with _include and _revinclude) -> a searchset Bundle, GET Patient/$summary?identifier=... -> a Bundle of the professional summary (see docs/fhir.md).`
              : `As a source (${input.provides.join(', ')}), the switch point POSTs JSON to ${input.baseUrl}/lsp/... over mutual TLS with its own certificate (see docs/api.md).`,
        ]
      : [];
  const examples = [
    `Enrolled ${input.name} (URA ${input.ura}, application id ${input.applicationId}, type ${input.organisationType}, wire ${input.wire}) in the address book of ${input.lspUrl}.`,
    `Files in ${rel}: system.cert.pem and system.key.pem (your system certificate, mutual TLS), root-ca.pem (trust this),`,
    `and cards/<UZI number>.{cert,key}.pem (UZI card credentials that sign professional assertions).`,
    '',
    'Who is in the address book (mutual TLS with your system certificate):',
    `  curl -s --cacert ${rel}/root-ca.pem --cert ${rel}/system.cert.pem --key ${rel}/system.key.pem ${input.lspUrl}/address-book/systems`,
    ...source,
    ...(first !== undefined
      ? [
          '',
          `Ask for a patient's medication as ${first.name} (a signed assertion, made fresh each time, valid 5 minutes):`,
          `  curl -s --cacert ${rel}/root-ca.pem --cert ${rel}/system.cert.pem --key ${rel}/system.key.pem \\`,
          `    -H "authorization: Bearer $(npm run -s schakel -- assertion --card ${rel}/cards/${first.uziNumber} --bsn 999900146)" \\`,
          `    -H 'content-type: application/json' -X POST ${input.lspUrl}/queries/medication \\`,
          `    -d '{"bsn":"999900146","requester":{"applicationId":"${input.applicationId}","professional":{"uziNumber":"${first.uziNumber}","roleCode":"${first.roleCode}"}},"treatmentRelation":true}'`,
          '',
          'The same from plain Node.js, no dependencies (read it: it shows the whole handshake and the JWS):',
          `  node examples/query-medication.mjs ${rel} ${input.applicationId} ${first.uziNumber} ${first.roleCode} 999900146 ${input.lspUrl}`,
        ]
      : []),
  ].join('\n');
  return { folder, examples };
}
