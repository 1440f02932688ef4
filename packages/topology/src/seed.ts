import type { DispenseInput } from '@schakel/contracts';
import { createServiceClient } from '@schakel/service-kit';
import type { RunningTopology } from './launcher.js';

/** Demo patients, all with test BSNs from domain.md. */
export const DEMO_PATIENTS = [
  { bsn: '999900146', name: 'Jan Jansen', birthDate: '1948-03-12', story: 'consented at both pharmacies: the batch has two sources with data' },
  { bsn: '999900523', name: 'Fatima el Amrani', birthDate: '1979-11-02', story: 'consented at Apotheek De Vijzel, objected at Apotheek Zuid: only De Vijzel is asked' },
  { bsn: '999901199', name: 'Kees de Vries', birthDate: '1990-06-25', story: 'never chose: not in the reference index, the query is refused (UNKNOWN_PATIENT)' },
] as const;

const prescriber = { name: 'Dr. A. Bakker', agb: '01012345' };
const product = (name: string, atc: string, gpk: string, zi: string, strength: string) => ({ name, atc, gpk, prk: String(Number(gpk) + 1000), zi, strength });

const DISPENSES: Record<string, Record<string, DispenseInput[]>> = {
  '999900146': {
    a: [
      { product: product('Metoprolol succinaat 47,5 mg tablet met gereguleerde afgifte', 'C07AB02', '68756', '14212595', '47,5 mg'), amount: { value: 90, unit: 'stuk' }, dosageInstruction: '1 maal per dag 1 tablet', dispensedOn: '2026-10-02', prescriber },
      { product: product('Simvastatine 40 mg tablet', 'C10AA01', '56065', '13520733', '40 mg'), amount: { value: 90, unit: 'stuk' }, dosageInstruction: '1 maal per dag 1 tablet, ’s avonds', dispensedOn: '2026-10-02', prescriber },
    ],
    b: [{ product: product('Paracetamol 500 mg tablet', 'N02BE01', '2194', '12345678', '500 mg'), amount: { value: 20, unit: 'stuk' }, dosageInstruction: 'zo nodig 4 maal per dag 2 tabletten', dispensedOn: '2026-11-20', prescriber: { name: 'Dr. S. Visser' } }],
  },
  '999900523': {
    a: [{ product: product('Omeprazol 20 mg capsule maagsapresistent', 'A02BC01', '15954', '14401223', '20 mg'), amount: { value: 30, unit: 'stuk' }, dosageInstruction: '1 maal per dag 1 capsule voor het ontbijt', dispensedOn: '2026-11-01', prescriber }],
    b: [{ product: product('Amlodipine 5 mg tablet', 'C08CA01', '45446', '14058642', '5 mg'), amount: { value: 30, unit: 'stuk' }, dosageInstruction: '1 maal per dag 1 tablet', dispensedOn: '2026-09-15', prescriber }],
  },
};
const CONSENT: Record<string, { a: 'consent' | 'objection' | 'no-choice'; b: 'consent' | 'objection' | 'no-choice' }> = {
  '999900146': { a: 'consent', b: 'consent' },
  '999900523': { a: 'consent', b: 'objection' },
  '999901199': { a: 'no-choice', b: 'no-choice' },
};

/**
 * Seeds the demo data through the services' own APIs, as a front office would. It skips patients a
 * pharmacy already knows, so a restart on the same data folder does not duplicate anything.
 */
export async function seedDemo(topology: RunningTopology): Promise<{ seeded: boolean }> {
  const pharmacies = [...topology.processes.values()].filter((p) => p.service === 'pharmacy');
  const gps = [...topology.processes.values()].filter((p) => p.service === 'gp');
  const [a, b] = pharmacies;
  if (a === undefined || b === undefined) throw new Error('The demo data needs two pharmacies in the topology');
  // The operator seeds through the front offices, over TLS with its admin certificate.
  const client = createServiceClient({ timeoutMs: 10_000, tls: topology.admin });
  let seeded = false;
  try {
    for (const patient of DEMO_PATIENTS) {
      const demographics = { name: patient.name, birthDate: patient.birthDate };
      const gp = gps[0];
      if (gp !== undefined) await client.call(gp.url, { method: 'PUT', path: `/patients/${patient.bsn}`, body: demographics });
      for (const [key, pharmacy] of [['a', a], ['b', b]] as const) {
        const known = await client.call(pharmacy.url, { path: `/patients/${patient.bsn}` }).then(
          () => true,
          () => false,
        );
        if (known) continue;
        seeded = true;
        await client.call(pharmacy.url, { method: 'PUT', path: `/patients/${patient.bsn}`, body: demographics });
        for (const d of DISPENSES[patient.bsn]?.[key] ?? []) await client.call(pharmacy.url, { method: 'POST', path: `/patients/${patient.bsn}/dispenses`, body: d });
        const state = CONSENT[patient.bsn]?.[key] ?? 'no-choice';
        if (state !== 'no-choice') await client.call(pharmacy.url, { method: 'PUT', path: `/patients/${patient.bsn}/consent`, body: { state } });
      }
    }
  } finally {
    await client.close();
  }
  return { seeded };
}
