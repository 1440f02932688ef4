import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testBsns } from '@schakel/topology';
import type { ControlClient } from '../control.js';
import { frontOffices, type FrontOffices } from '../front-office.js';
import { httpCaller, type Answer, type HttpCaller } from '../http.js';
import type { Schakel } from '../schakel.js';

/** What a scenario runs against: a Schakel from the testkit, or one found with --lsp-url/--data-dir. */
export type Target = Pick<Schakel, 'topology' | 'urls' | 'switchPoint' | 'pki' | 'control'>;

/**
 * One scenario's world while it runs: its patients' BSNs, the answers and reports it named, and what it
 * changed for everyone (policies, faults, processes, opt-ins), so that the runner can undo that after.
 */
export interface ScenarioContext {
  target: Target;
  control: ControlClient;
  frontOffice: FrontOffices;
  /** The operator: mutual TLS with the admin certificate. */
  admin: HttpCaller;
  bsns: Map<string, string>;
  answers: Map<string, Answer>;
  /**
   * Names given with `as` to consults, reports and portal requests: their ids, and for a consult the
   * professional who opened it, who also acts in the steps that use it (a front office acts as its user).
   */
  ids: Map<string, { org: string; id: string; by?: string }>;
  undo: (() => Promise<unknown>)[];
}

/** A run's shared callers; one per runner, closed at the end. */
export function callers(target: Target) {
  const ca = readFileSync(target.pki.rootCa, 'utf8');
  const frontOffice = frontOffices({ topology: target.topology, urls: target.urls, ca });
  const admin = httpCaller({
    ca,
    cert: readFileSync(target.pki.admin.cert, 'utf8'),
    key: readFileSync(target.pki.admin.key, 'utf8'),
  });
  return {
    frontOffice,
    admin,
    close: async () => {
      await frontOffice.close();
      await admin.close();
    },
  };
}

// Fresh patients per scenario, from a different stretch of the test range on each run, so that a run
// against a long-lived stack does not meet the patients of an earlier run.
let nextBsn = 1_500 + Math.floor(Math.random() * 6_000);
export const freshScenarioBsn = (): string => testBsns(1, nextBsn++)[0] as string;

export function bsnOf(ctx: ScenarioContext, patient: string): string {
  const bsn = ctx.bsns.get(patient);
  if (bsn === undefined) throw new Error(`No patient ${patient} in given.patients`);
  return bsn;
}

export function urlOf(ctx: ScenarioContext, org: string): string {
  const url = ctx.target.urls[org];
  if (url === undefined) throw new Error(`No organisation ${org} in this Schakel`);
  return url;
}

export function orgOf(ctx: ScenarioContext, org: string) {
  const o = ctx.target.topology.organisations.find((x) => x.id === org);
  if (o === undefined) throw new Error(`No organisation ${org} in the topology`);
  return o;
}

export function professionalOf(ctx: ScenarioContext, org: string, uziNumber: string) {
  const p = orgOf(ctx, org).professionals.find((x) => x.uziNumber === uziNumber);
  if (p === undefined) throw new Error(`${org} has no professional ${uziNumber} in the topology`);
  return p;
}

export function cardOf(ctx: ScenarioContext, org: string, uziNumber: string) {
  const dir = ctx.target.pki.cards[org];
  if (dir === undefined) throw new Error(`No cards for ${org}`);
  return {
    cert: readFileSync(join(dir, `${uziNumber}.cert.pem`), 'utf8'),
    key: readFileSync(join(dir, `${uziNumber}.key.pem`), 'utf8'),
  };
}

/** Fail a step unless the call went through (2xx), with what came back. */
export function ok(what: string, r: Answer): Answer {
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}
