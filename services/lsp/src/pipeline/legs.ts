import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { AortaId } from '@schakel/contracts';
import {
  LSP_APPLICATION_ID,
  actionOf,
  buildEnvelope,
  decodeAcknowledgement,
  parseEnvelope,
  problemFromAcknowledgement,
  uuidOf,
  type TransmissionInput,
  type WireInteraction,
  type XmlInput,
} from '@schakel/hl7v3';
import { CallError, type ServiceClient } from '@schakel/service-kit';
import { FHIR_CONTENT_TYPE, REQUESTER_HEADER, problemFromOutcome, type OperationOutcome } from '@schakel/fhir';
import type { Wire } from '@schakel/contracts';
import { compileCheck, type CompiledCheck } from './compiled.js';

/**
 * One leg from the switch point to a source or a GP (a medication or summary query, a report delivery),
 * on the wire the address book says the other side speaks: its JSON leg (`<base URL><jsonPath>`),
 * HL7v3 in SOAP to its AORTA endpoint (the base URL is the endpoint), or a FHIR search below its FHIR
 * base (the base URL is the base). Whatever the wire, the caller gets the same contract type back, or a
 * CallError with the one vocabulary of failures (pipeline/upstream.ts).
 */
export interface Leg<Req, Res> {
  jsonPath: string;
  answerSchema: z.ZodType<Res>;
  interaction: WireInteraction;
  encode: (request: Req, transmission: TransmissionInput) => string;
  decode: (body: XmlInput) => Res;
  /**
   * The FHIR rendering (packages/fhir): the search below the base with the requester header, and the
   * reader of the Bundle, which throws on anything that does not make a valid answer. A leg without one
   * (the report delivery) cannot be taken to a system that speaks only FHIR.
   */
  fhir?: { search: (request: Req) => { path: string; requester: string }; read: (bundle: unknown) => Res };
}

export interface Target {
  applicationId: string;
  baseUrl: string;
  wire: Wire;
}

const SWITCH_POINT = { applicationId: LSP_APPLICATION_ID.production };

/** What a source answers on its JSON leg is checked by a validator compiled once per answer schema. */
const checks = new WeakMap<object, CompiledCheck<unknown>>();
function answerCheck<Res>(schema: z.ZodType<Res>): CompiledCheck<Res> {
  let check = checks.get(schema);
  if (check === undefined) {
    check = compileCheck(schema);
    checks.set(schema, check);
  }
  return check as CompiledCheck<Res>;
}

export async function askLeg<Req, Res>(
  client: ServiceClient,
  target: Target,
  leg: Leg<Req, Res>,
  request: Req,
  options: { aorta: AortaId; timeoutMs: number },
): Promise<{ body: Res; durationMs: number }> {
  if (target.wire === 'json') {
    const r = await client.call(target.baseUrl, {
      method: 'POST',
      path: leg.jsonPath,
      body: request,
      aorta: options.aorta,
      timeoutMs: options.timeoutMs,
    });
    // A source may be an integrator's system: its answer is held to the contract, refused as the kit's
    // client refuses a body that does not match (bad-response, the first issue named).
    const checked = answerCheck(leg.answerSchema)(r.body);
    if (!checked.ok) {
      const url = new URL(leg.jsonPath, target.baseUrl).href;
      throw new CallError(
        'bad-response',
        `${url} answered with a body that does not match the contract: ${checked.error.issues[0]?.message ?? ''}`,
        { status: r.status, url, cause: checked.error },
      );
    }
    return { body: checked.value, durationMs: r.durationMs };
  }
  if (target.wire === 'fhir') return askFhir(client, target, leg, request, options);
  const messageId = randomUUID();
  const envelope = buildEnvelope({
    action: actionOf(leg.interaction),
    messageId,
    to: target.baseUrl,
    body: leg.encode(request, {
      id: messageId,
      sender: SWITCH_POINT,
      receiver: { applicationId: target.applicationId },
    }),
  });
  const r = await client.send(target.baseUrl, {
    path: new URL(target.baseUrl).pathname,
    body: envelope,
    contentType: 'application/soap+xml; charset=utf-8',
    aorta: options.aorta,
    timeoutMs: options.timeoutMs,
  });
  try {
    const answer = parseEnvelope(r.text, { maxBytes: 16 * 1024 * 1024 });
    if (answer.bodyName === 'MCCI_IN000002') {
      // An acknowledgement of a query, or of this message itself (its MessageID, not a report's id: the
      // other side could not read it), is a refusal: that is its problem, passed on as such. A report's
      // acknowledgement targets the report's id and is the leg's answer (AA, AE or AR).
      const { transmission } = decodeAcknowledgement(answer.body);
      const acked = transmission.acknowledgement.targetMessageId;
      const ofThisMessage = uuidOf(acked.extension ?? acked.root) === messageId;
      const problem =
        leg.interaction !== 'REPC_IN990003NL' || ofThisMessage ? problemFromAcknowledgement(transmission) : undefined;
      if (problem !== undefined)
        throw new CallError('problem', `${target.baseUrl} refused ${leg.interaction}: ${problem.code}`, {
          status: problem.status,
          problem,
          url: target.baseUrl,
        });
    }
    return { body: leg.decode(answer.body), durationMs: r.durationMs };
  } catch (err) {
    if (err instanceof CallError) throw err;
    throw new CallError(
      'bad-response',
      `${target.baseUrl} answered ${leg.interaction} with a message that could not be read: ${err instanceof Error ? err.message : String(err)}`,
      { status: r.status, url: target.baseUrl },
    );
  }
}

/**
 * A FHIR source: GET the search below its FHIR base, read the Bundle back into the contract type. What the
 * source answers is untrusted (it may be an integrator's system): a body that is not a Bundle, or one that
 * does not make a valid answer, is a bad response (UPSTREAM_ERROR for that source), never a 5xx here; an
 * OperationOutcome with a code from the one list keeps its code, as a problem from a JSON source does.
 */
async function askFhir<Req, Res>(
  client: ServiceClient,
  target: Target,
  leg: Leg<Req, Res>,
  request: Req,
  options: { aorta: AortaId; timeoutMs: number },
): Promise<{ body: Res; durationMs: number }> {
  if (leg.fhir === undefined)
    throw new CallError(
      'bad-response',
      `${leg.interaction} has no FHIR rendering; ${target.baseUrl} speaks only FHIR`,
      {
        url: target.baseUrl,
      },
    );
  const { path, requester } = leg.fhir.search(request);
  const base = new URL(target.baseUrl);
  const r = await client.read(target.baseUrl, {
    path: `${base.pathname.replace(/\/$/, '')}/${path}`,
    accept: FHIR_CONTENT_TYPE,
    headers: { [REQUESTER_HEADER]: requester },
    aorta: options.aorta,
    timeoutMs: options.timeoutMs,
  });
  let json: unknown;
  try {
    json = JSON.parse(r.text) as unknown;
  } catch {
    json = undefined;
  }
  if (r.status >= 400) {
    const problem = isOutcome(json) ? problemFromOutcome(json, r.status) : undefined;
    throw new CallError(
      problem !== undefined ? 'problem' : 'bad-response',
      `${target.baseUrl} answered ${r.status}${problem !== undefined ? ` ${problem.code}` : ' without an OperationOutcome'}`,
      { status: r.status, url: target.baseUrl, ...(problem !== undefined ? { problem } : {}) },
    );
  }
  try {
    return { body: leg.fhir.read(json), durationMs: r.durationMs };
  } catch (err) {
    throw new CallError(
      'bad-response',
      `${target.baseUrl} answered ${leg.interaction} with a Bundle that could not be read: ${err instanceof Error ? err.message : String(err)}`,
      { status: r.status, url: target.baseUrl },
    );
  }
}

const isOutcome = (v: unknown): v is OperationOutcome =>
  typeof v === 'object' && v !== null && (v as { resourceType?: unknown }).resourceType === 'OperationOutcome';
