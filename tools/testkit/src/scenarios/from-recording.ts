import type { Recording, RecordedExchange } from '@schakel/service-kit';
import type { Topology } from '@schakel/topology';

/**
 * A recording as a scenario (docs/control.md, "Record and replay"): `given` the pseudonymous patients with
 * what the sources answered (their dispenses, their open episodes, the consents the decisions name), `when`
 * each recorded query again, sent as the recorded system and professional to the switch point, `then` the
 * recorded status and, per source, the recorded status, contact and decision. A source that failed in the
 * recording (time-out, unreachable, error) gets the matching fault for that one query.
 *
 * What a batch cannot tell is left out and said in `notes`: a decision other than consent or objection
 * (a policy, the corona opt-in), queries on the HL7v3 wire, and every other exchange (registrations,
 * reports). The patients are fresh on each run, so a replay can run again on the same Schakel.
 */
const QUERY_ROUTES: Record<string, 'medication' | 'summary'> = {
  '/queries/medication': 'medication',
  '/queries/summary': 'summary',
};
/** A source's status in the recording, and the fault that gives it back for one query. */
const FAULT_FOR: Record<string, Record<string, unknown> | undefined> = {
  timeout: { kind: 'hang', times: 1 },
  unreachable: { kind: 'drop', times: 1 },
  error: { kind: 'error', times: 1 },
};

interface QueryRequest {
  bsn?: string;
  requester?: { applicationId?: string; professional?: { uziNumber?: string; roleCode?: string; name?: string } };
  treatmentRelation?: boolean;
  situation?: string;
  verbalConsent?: boolean;
  patientCannotConsent?: boolean;
}
interface BatchSource {
  applicationId: string;
  status: string;
  contacted?: boolean;
  decision?: { code?: string };
  error?: { code?: string };
  dispenses?: { product?: { name?: string } }[];
  summary?: {
    patient?: { name?: string; birthDate?: string };
    openEpisodes?: { title?: string; icpc?: { code?: string; title?: string } }[];
  };
}
interface PatientGiven {
  name?: string;
  birthDate?: string;
  gp?: string;
  episodes?: { code: string; title: string }[];
  pharmacies?: Record<string, string[]>;
}

export function scenarioFromRecording(
  recording: Recording,
  topology: Topology,
  options: { title?: string } = {},
): { scenario: Record<string, unknown>; notes: string[] } {
  const notes: string[] = [];
  const orgByApp = new Map(topology.organisations.map((o) => [o.applicationId, o]));
  const patients = new Map<string, { alias: string; given: PatientGiven }>();
  const consents = new Map<string, { patient: string; at: string; state: 'consent' | 'objection' }>();
  const professionals = new Map<string, Record<string, string>>();
  const when: Record<string, unknown>[] = [];
  const then: Record<string, unknown>[] = [];

  const patientOf = (bsn: string) => {
    let p = patients.get(bsn);
    if (p === undefined) {
      p = { alias: `patient${patients.size + 1}`, given: {} };
      patients.set(bsn, p);
    }
    return p;
  };
  const skipped = new Map<string, number>();
  const queries = recording.exchanges.filter((e) => {
    const replayable = e.leg === 'requester' && QUERY_ROUTES[e.route] !== undefined;
    if (!replayable && e.leg === 'requester') {
      const what = `${e.method} ${e.route}`;
      skipped.set(what, (skipped.get(what) ?? 0) + 1);
    }
    return replayable;
  });
  for (const [what, n] of skipped) notes.push(`not replayed: ${n} × ${what} (only JSON queries are)`);

  queries.forEach((e: RecordedExchange, i) => {
    const kind = QUERY_ROUTES[e.route] as 'medication' | 'summary';
    const request = (e.request ?? {}) as QueryRequest;
    const system = orgByApp.get(request.requester?.applicationId ?? '');
    const professional = request.requester?.professional;
    if (request.bsn === undefined || system === undefined || professional?.uziNumber === undefined) {
      notes.push(`query ${i + 1} (${e.route}): no patient, known system or professional in the recording; skipped`);
      return;
    }
    const patient = patientOf(request.bsn);
    if (!system.professionals.some((p) => p.uziNumber === professional.uziNumber))
      professionals.set(`${system.id}/${professional.uziNumber}`, {
        uziNumber: professional.uziNumber,
        roleCode: professional.roleCode ?? '',
        name: professional.name ?? 'Pseudoniem',
        at: system.id,
      });
    const as = `q${i + 1}`;
    const response = (e.response ?? {}) as { code?: string; sources?: BatchSource[] };
    const expected: Record<string, unknown> = { of: as, status: e.status };
    if (response.code !== undefined) expected['code'] = response.code;
    const sources: Record<string, unknown> = {};
    for (const s of response.sources ?? []) {
      const org = orgByApp.get(s.applicationId);
      if (org === undefined) {
        notes.push(`query ${i + 1}: source ${s.applicationId} is not in the topology; not checked`);
        continue;
      }
      const decision = s.decision?.code;
      if (decision === 'CONSENT_GIVEN')
        consents.set(`${request.bsn}/${org.id}`, { patient: patient.alias, at: org.id, state: 'consent' });
      else if (decision === 'CONSENT_OBJECTION')
        consents.set(`${request.bsn}/${org.id}`, { patient: patient.alias, at: org.id, state: 'objection' });
      else {
        notes.push(
          `query ${i + 1}: ${org.id} decided ${decision ?? '(none)'}, which a replay cannot set up; not checked`,
        );
        continue;
      }
      // The holder knows the patient; what it answered becomes what it holds.
      if (org.service === 'pharmacy') {
        const held = (patient.given.pharmacies ??= {});
        held[org.id] ??= [];
        for (const d of s.dispenses ?? [])
          if (d.product?.name !== undefined && !held[org.id]?.includes(d.product.name))
            held[org.id]?.push(d.product.name);
      } else if (org.service === 'gp') {
        patient.given.gp = org.id;
        const episodes = (s.summary?.openEpisodes ?? []).map((x) => ({
          code: x.icpc?.code ?? 'A99',
          title: x.title ?? x.icpc?.title ?? '',
        }));
        if (s.summary !== undefined || patient.given.episodes === undefined) patient.given.episodes = episodes;
      }
      if (s.summary?.patient?.name !== undefined) patient.given.name = s.summary.patient.name;
      if (s.summary?.patient?.birthDate !== undefined) patient.given.birthDate = s.summary.patient.birthDate;
      const fault = FAULT_FOR[s.status];
      if (fault !== undefined)
        when.push({
          fault: {
            at: org.id,
            ...fault,
            ...(s.error?.code !== undefined && fault['kind'] === 'error' ? { code: s.error.code } : {}),
          },
        });
      sources[org.id] = { status: s.status, contacted: s.contacted ?? false, decision };
    }
    if (Object.keys(sources).length > 0) expected['sources'] = sources;
    when.push({
      say: `${system.name} asks for the ${kind} of ${patient.alias}, as recorded`,
      query: {
        system: system.id,
        by: professional.uziNumber,
        patient: patient.alias,
        kind,
        as,
        ...(request.situation !== undefined ? { situation: request.situation } : {}),
        ...(request.verbalConsent !== undefined ? { verbalConsent: request.verbalConsent } : {}),
        ...(request.patientCannotConsent !== undefined ? { patientCannotConsent: request.patientCannotConsent } : {}),
        ...(request.treatmentRelation !== undefined ? { treatmentRelation: request.treatmentRelation } : {}),
      },
    });
    then.push({ answer: expected });
  });

  const pseudonyms = [...patients.entries()].map(([bsn, p]) => `${p.alias} = ${bsn}`).join(', ');
  return {
    scenario: {
      scenario: options.title ?? `Replay of the recording of ${recording.startedAt}`,
      description:
        `Recorded ${recording.startedAt} to ${recording.stoppedAt}: ${queries.length} queries through the switch point. ` +
        `Pseudonymous patients (fresh BSNs on each run): ${pseudonyms || 'none'}.`,
      tags: ['replay'],
      given: {
        ...(professionals.size > 0 ? { professionals: [...professionals.values()] } : {}),
        patients: Object.fromEntries(
          [...patients.values()].map((p) => [
            p.alias,
            { ...p.given, ...(p.given.name === undefined ? { name: `Pseudoniem ${p.alias}` } : {}) },
          ]),
        ),
        consents: [...consents.values()],
      },
      when,
      then,
    },
    notes,
  };
}
