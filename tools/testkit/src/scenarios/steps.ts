import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { nowSeconds } from '@schakel/contracts';
import { decodeAcknowledgement, decodeBatch, parseEnvelope, problemFromAcknowledgement } from '@schakel/hl7v3';
import { signedQueryEnvelope } from '@schakel/topology';
import { signAssertion } from '@schakel/trust/assertion';
import { openPki } from '@schakel/trust/pki';
import { httpCaller, type Answer, type CallerTls } from '../http.js';
import { bsnOf, cardOf, freshScenarioBsn, ok, orgOf, professionalOf, urlOf, type ScenarioContext } from './context.js';
import type { Actions, Check, Checks, Step } from './format.js';
import { recordConsent, setFault, setPolicies } from './given.js';
import { mismatches } from './match.js';

const ENCOUNTER = {
  complaint: 'Koorts en keelpijn',
  findings: 'Temp 39,1; tonsillen rood',
  actions: 'Paracetamol-advies',
  episodeProposal: { code: 'R74', title: 'Acute infectie bovenste luchtwegen' },
  handover: 'Bij aanhouden terugzien',
};

const named = (ctx: ScenarioContext, name: string) => {
  const id = ctx.ids.get(name);
  if (id === undefined) throw new Error(`Nothing was named ${name} (with as:) before this step`);
  return id;
};

/** Who acts in a step on a named consult: the professional who opened it. */
const actingOn = (c: { by?: string }) => (c.by !== undefined ? { uziNumber: c.by } : {});

/** Carry out one action of `when`. Refusals are answers, not failures: a check says what was expected. */
export async function act(ctx: ScenarioContext, step: Exclude<Step, Check>): Promise<void> {
  const fo = ctx.frontOffice;
  switch (step.kind) {
    case 'consult': {
      const v: Actions['consult'] = step.value;
      const professional = professionalOf(ctx, v.at, v.by);
      const r = ok(
        `consult at ${v.at}`,
        await fo.call(
          v.at,
          'POST',
          '/consults',
          {
            bsn: bsnOf(ctx, v.patient),
            professional,
            ...(v.situation !== undefined ? { situation: v.situation } : {}),
            ...(v.patientCannotConsent !== undefined ? { patientCannotConsent: v.patientCannotConsent } : {}),
          },
          { uziNumber: v.by },
        ),
      );
      ctx.ids.set(v.as, { org: v.at, id: String(r.json.id), by: v.by });
      return;
    }
    case 'medication':
    case 'summary': {
      const v = step.value;
      const c = named(ctx, v.consult);
      const body = v.verbalConsent !== undefined ? { verbalConsent: v.verbalConsent } : {};
      ctx.answers.set(v.as, await fo.call(c.org, 'POST', `/consults/${c.id}/${step.kind}`, body, actingOn(c)));
      return;
    }
    case 'sendReport': {
      const v = step.value;
      const c = named(ctx, v.consult);
      ok(
        'the encounter',
        await fo.call(c.org, 'PUT', `/consults/${c.id}/encounter`, v.encounter ?? ENCOUNTER, actingOn(c)),
      );
      const sent = ok('sending the report', await fo.call(c.org, 'POST', `/consults/${c.id}/report`, {}, actingOn(c)));
      ctx.ids.set(v.as, { org: c.org, id: String(sent.json.messageId) });
      ctx.answers.set(v.as, sent);
      return;
    }
    case 'consent':
      return recordConsent(ctx, step.value.patient, step.value.at, step.value.state);
    case 'portalChoice': {
      const v = step.value;
      const bsn = bsnOf(ctx, v.patient);
      const sp = ctx.target.switchPoint;
      const http = ctx.admin;
      const login = ok(
        'portal login',
        await http.call('POST', `${sp}/portal/login`, { body: { bsn, code: '123456' } }),
      );
      const holder = 'at' in v.holder ? { ura: orgOf(ctx, v.holder.at).ura } : v.holder;
      const r = await http.call('POST', `${sp}/portal/choices`, {
        body: { state: v.state, holder, ...(v.category !== undefined ? { category: v.category } : {}) },
        headers: { authorization: `Bearer ${login.json.token as string}` },
      });
      ok('portal choice', r);
      ctx.answers.set(v.as, r);
      if (r.json?.request?.id !== undefined) ctx.ids.set(v.as, { org: 'portal', id: String(r.json.request.id) });
      return;
    }
    case 'processRequest': {
      const v = step.value;
      const request = named(ctx, v.request);
      ok(
        `processing request ${v.request} at ${v.at}`,
        await fo.call(v.at, 'POST', `/consent-requests/${request.id}/process`, { accept: v.accept }),
      );
      return;
    }
    case 'query':
      ctx.answers.set(step.value.as, await directQuery(ctx, step.value));
      return;
    case 'aortaQuery':
      ctx.answers.set(step.value.as, await aortaQuery(ctx, step.value));
      return;
    case 'stop':
    case 'pause':
      urlOf(ctx, step.value);
      await ctx.control[step.kind](step.value);
      ctx.undo.push(() => (step.kind === 'pause' ? ctx.control.resume(step.value) : ctx.control.start(step.value)));
      return;
    case 'start':
    case 'restart':
    case 'resume':
      await ctx.control[step.kind](step.value);
      return;
    case 'fault':
      return setFault(ctx, step.value);
    case 'clearFault':
      await ctx.control.clearFault(step.value);
      return;
    case 'clearJournal':
      await ctx.control.clearJournal(step.value);
      return;
    case 'policies':
      return setPolicies(ctx, step.value);
    case 'wait':
      await new Promise((r) => setTimeout(r, step.value));
      return;
  }
}

/**
 * A query sent straight to the switch point as a connected system, with its own certificate (or none, or
 * one from another CA) and a signed assertion (or none, a stale one, one for another patient, a replay).
 */
async function directQuery(ctx: ScenarioContext, v: Actions['query']): Promise<Answer> {
  const org = orgOf(ctx, v.system);
  const professional = professionalOf(ctx, v.system, v.by);
  const bsn = bsnOf(ctx, v.patient);
  const interaction = v.kind === 'summary' ? 'QUPC_IN990001NL' : 'QURX_IN990011NL';
  const card = cardOf(ctx, v.system, v.by);
  const now = nowSeconds();
  const jws =
    v.assertion === 'missing'
      ? undefined
      : await signAssertion(card, {
          interaction,
          bsn: v.assertion === 'other-patient' ? freshScenarioBsn() : bsn,
          ...(v.assertion === 'expired' ? { notBefore: now - 900, lifetimeSeconds: 300 } : {}),
        });
  const ca = readFileSync(ctx.target.pki.rootCa, 'utf8');
  let tls: CallerTls = { ca };
  let otherPki: string | undefined;
  if (v.certificate === 'own') {
    const files = ctx.target.pki.systems[v.system];
    if (files === undefined) throw new Error(`No certificate for ${v.system}`);
    tls = { ca, cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
  } else if (v.certificate === 'other-ca') {
    // The same identity, issued by a CA the switch point does not trust.
    otherPki = mkdtempSync(join(tmpdir(), 'schakel-other-ca-'));
    const pki = await openPki(otherPki);
    const pair = await pki.issueSystem({ id: org.id, name: org.name, ura: org.ura, applicationId: org.applicationId });
    tls = { ca, ...pair };
  }
  const http = httpCaller(tls);
  try {
    const send = () =>
      http.call('POST', `${ctx.target.switchPoint}/queries/${v.kind}`, {
        body: {
          bsn,
          requester: {
            applicationId: (v.onBehalfOf !== undefined ? orgOf(ctx, v.onBehalfOf) : org).applicationId,
            professional: { uziNumber: professional.uziNumber, roleCode: professional.roleCode },
          },
          treatmentRelation: v.treatmentRelation,
          ...(v.situation !== undefined ? { situation: v.situation } : {}),
          ...(v.verbalConsent !== undefined ? { verbalConsent: v.verbalConsent } : {}),
          ...(v.patientCannotConsent !== undefined ? { patientCannotConsent: v.patientCannotConsent } : {}),
        },
        ...(jws !== undefined ? { headers: { authorization: `Bearer ${jws}` } } : {}),
      });
    // A connection refused during the TLS handshake is an answer too: status 0 with the reason.
    const attempt = async (): Promise<Answer> =>
      send().catch((err: unknown) => ({
        status: 0,
        headers: {},
        json: { code: 'TLS_REFUSED', detail: (err as Error).message },
        text: (err as Error).message,
      }));
    if (v.assertion === 'replayed') await attempt();
    return await attempt();
  } finally {
    await http.close();
    if (otherPki !== undefined) rmSync(otherPki, { recursive: true, force: true });
  }
}

/**
 * The query as an HL7v3 system sends it (AORTA): a SOAP envelope with the card holder's signed header,
 * over mutual TLS with the system's certificate. The answer is read back into the JSON the checks know: a
 * batch (MCCI_IN200101) as the JSON batch, a refusal (MCCI_IN000002) as its problem, each with
 * `acknowledgement` (AA, AE, AR).
 */
async function aortaQuery(ctx: ScenarioContext, v: Actions['aortaQuery']): Promise<Answer> {
  const org = orgOf(ctx, v.system);
  const files = ctx.target.pki.systems[v.system];
  if (files === undefined) throw new Error(`No certificate for ${v.system}`);
  const envelope = signedQueryEnvelope({
    card: cardOf(ctx, v.system, v.by),
    bsn: bsnOf(ctx, v.patient),
    interaction: v.kind === 'summary' ? 'QUPC_IN990001NL' : 'QURX_IN990011NL',
    applicationId: org.applicationId,
    lspUrl: ctx.target.switchPoint,
  });
  const pem = (f: string) => readFileSync(f, 'utf8');
  const http = httpCaller({ ca: pem(ctx.target.pki.rootCa), cert: pem(files.cert), key: pem(files.key) });
  try {
    const r = await http.call('POST', `${ctx.target.switchPoint}/aorta/query`, {
      raw: envelope,
      headers: { 'content-type': 'application/soap+xml' },
    });
    if (!r.headers['content-type']?.toString().includes('xml')) return r;
    const answer = parseEnvelope(r.text, { maxBytes: 16 * 1024 * 1024 });
    if (answer.bodyName === 'MCCI_IN200101') {
      const message = decodeBatch(answer.body);
      return { ...r, json: { ...message.batch, acknowledgement: message.acknowledgement.typeCode } };
    }
    if (answer.bodyName === 'MCCI_IN000002') {
      const ack = decodeAcknowledgement(answer.body);
      return {
        ...r,
        json: {
          ...problemFromAcknowledgement(ack.transmission),
          acknowledgement: ack.transmission.acknowledgement.typeCode,
        },
      };
    }
    return r;
  } finally {
    await http.close();
  }
}

/** Run one check; answers what differs (empty: it holds). Waits where the thing checked settles later. */
export async function check(ctx: ScenarioContext, step: Check): Promise<string[]> {
  switch (step.kind) {
    case 'answer': {
      const v: Checks['answer'] = step.value;
      const a = ctx.answers.get(v.of);
      if (a === undefined) return [`no answer named ${v.of}`];
      const expected: Record<string, unknown> = {};
      if (v.status !== undefined) expected['status'] = v.status;
      const body: Record<string, unknown> = (v.body as Record<string, unknown> | undefined) ?? {};
      if (v.code !== undefined) body['code'] = v.code;
      if (v.decision !== undefined) body['decision'] = decision(v.decision);
      if (v.complete !== undefined) body['complete'] = v.complete;
      const out = mismatches({ status: a.status }, expected, v.of);
      out.push(...mismatches(a.json, body, `${v.of}.body`));
      for (const [org, e] of Object.entries(v.sources ?? {})) {
        const applicationId = orgOf(ctx, org).applicationId;
        const source = (a.json?.sources as { applicationId: string }[] | undefined)?.find(
          (s) => s.applicationId === applicationId,
        );
        if (source === undefined) out.push(`${v.of}.sources: ${org} is not in the batch`);
        else out.push(...mismatches(source, withDecision(e), `${v.of}.sources.${org}`));
      }
      return out;
    }
    case 'accessLog': {
      const v = step.value;
      const r = ok(
        'the access log',
        await ctx.admin.call('GET', `${ctx.target.switchPoint}/access-log?bsn=${bsnOf(ctx, v.patient)}`),
      );
      const entries = r.json.entries as unknown[];
      const out: string[] = [];
      if (v.count !== undefined) out.push(...mismatches(entries.length, v.count, 'accessLog.count'));
      if (v.last !== undefined) out.push(...mismatches(entries.at(-1), v.last, 'accessLog.last'));
      if (v.entries !== undefined) out.push(...mismatches(entries, v.entries, 'accessLog.entries'));
      return out;
    }
    case 'inbox': {
      const v = step.value;
      const r = ok(
        `the inbox of ${v.at}`,
        await ctx.frontOffice.call(v.at, 'GET', `/inbox?bsn=${bsnOf(ctx, v.patient)}`),
      );
      const reports = r.json.reports as { messageId: string }[];
      const out: string[] = [];
      if (v.count !== undefined) out.push(...mismatches(reports.length, v.count, 'inbox.count'));
      for (const name of v.has ?? []) {
        const id = named(ctx, name).id;
        const n = reports.filter((x) => x.messageId === id).length;
        if (n !== 1) out.push(`inbox: report ${name} is there ${n} times, expected once`);
      }
      if (v.reports !== undefined) out.push(...mismatches(reports, v.reports, 'inbox.reports'));
      return out;
    }
    case 'report': {
      const v = step.value;
      const sent = named(ctx, v.of);
      const until = Date.now() + v.within;
      let report: { state?: string; rejection?: { code?: string } };
      for (;;) {
        report = (await ctx.frontOffice.call(sent.org, 'GET', `/reports/${sent.id}`)).json ?? {};
        if (report.state === v.state || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      return mismatches(
        report,
        { state: v.state, ...(v.rejection !== undefined ? { rejection: { code: v.rejection } } : {}) },
        `report ${v.of}`,
      );
    }
    case 'journal': {
      const v = step.value;
      const entries = await ctx.control.journal(v.at);
      const out: string[] = [];
      if (v.count !== undefined) out.push(...mismatches(entries.length, v.count, `journal of ${v.at}.count`));
      if (v.entries !== undefined) out.push(...mismatches(entries, v.entries, `journal of ${v.at}`));
      return out;
    }
  }
}

/** In expectations a decision may be written as its code alone. */
const decision = (d: unknown) => (typeof d === 'string' ? { code: d } : d);
const withDecision = (e: unknown) =>
  e !== null && typeof e === 'object' && 'decision' in e ? { ...(e as object), decision: decision(e.decision) } : e;
