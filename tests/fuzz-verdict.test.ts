import { describe, expect, it } from 'vitest';
import { textBody } from './fuzz/bodies.js';
import type { FuzzCase } from './fuzz/cases.js';
import type { Answer } from './fuzz/send.js';
import { RULES, judge } from './fuzz/verdict.js';

/** The fuzzer's own rules, on made-up answers: a fuzz that passes must not pass because a rule never fires. */
const PROBLEM = 'application/problem+json; charset=utf-8';
const aCase = (over: Partial<FuzzCase> = {}): FuzzCase => ({
  service: 'lsp',
  operation: 'POST /queries/medication',
  kind: 'well-formed',
  mutation: 'none',
  identity: 'admin',
  method: 'POST',
  target: '/queries/medication',
  headers: { 'content-type': 'application/json' },
  body: textBody('{}'),
  ...over,
});
const answer = (
  status: number,
  body: unknown,
  headers: Record<string, string> = { 'content-type': PROBLEM },
): Answer => ({ kind: 'response', status, headers, text: JSON.stringify(body), ms: 1 });
const rules = (c: FuzzCase, a: Answer) => judge(c, a).map((f) => f.rule);

describe('the fuzz verdict', () => {
  it('passes a problem with a listed code and its listed status', () => {
    expect(rules(aCase(), answer(400, { code: 'VALIDATION_ERROR', status: 400 }))).toEqual([]);
  });

  it('fails a 5xx, a socket error and a refusal that is not problem+json', () => {
    expect(rules(aCase(), answer(500, { code: 'INTERNAL_ERROR', status: 500 }))).toContain(RULES.serverError);
    expect(rules(aCase(), { kind: 'socket error', error: 'EPIPE', ms: 1 })).toEqual([RULES.noAnswer]);
    expect(rules(aCase(), answer(400, { error: 'Bad Request' }, { 'content-type': 'application/json' }))).toEqual([
      RULES.notProblem,
    ]);
  });

  it('fails a code that is not in ERROR_CODES, and a status that is not the code’s', () => {
    expect(rules(aCase(), answer(400, { code: 'FST_ERR_BAD_URL', status: 400 }))).toEqual([RULES.unlistedCode]);
    expect(rules(aCase(), answer(414, { code: 'VALIDATION_ERROR', status: 414 }))).toEqual([RULES.statusDiffers]);
  });

  it('wants 415 for a body in another media type, unless the certificate was refused first', () => {
    const c = aCase({ kind: 'wrong media type', headers: { 'content-type': 'text/plain' } });
    expect(rules(c, answer(400, { code: 'VALIDATION_ERROR', status: 400 }))).toEqual([RULES.not415]);
    expect(rules(c, answer(415, { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 }))).toEqual([]);
    expect(rules(c, answer(401, { code: 'CLIENT_CERT_REQUIRED', status: 401 }))).toEqual([]);
  });

  it('wants 405 with Allow for a method the path does not have', () => {
    const c = aCase({ kind: 'method not allowed', method: 'PATCH' });
    expect(rules(c, answer(404, { code: 'ROUTE_NOT_FOUND', status: 404 }))).toEqual([RULES.not405]);
    expect(rules(c, answer(405, { code: 'ROUTE_NOT_FOUND', status: 405 }))).toContain(RULES.noAllow);
  });

  it('wants 413 for a body over the limit, and never a 2xx for malformed JSON', () => {
    expect(rules(aCase({ kind: 'huge body' }), answer(400, { code: 'VALIDATION_ERROR', status: 400 }))).toEqual([
      RULES.not413,
    ]);
    expect(
      rules(
        aCase({ kind: 'malformed body', mutation: 'malformed JSON' }),
        answer(201, {}, { 'content-type': 'application/json' }),
      ),
    ).toEqual([RULES.malformedAccepted]);
  });
});
