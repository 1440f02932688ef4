import type { FastifyBaseLogger } from 'fastify';
import type { AortaId, DataCategory, Decision, Interaction, ProblemError, SystemEntry } from '@schakel/contracts';
import type { ClientIdentity } from '@schakel/service-kit';
import type { AssertionClaims, VerifyResult } from '@schakel/trust/assertion';
import type { AccessEvent } from '../access-log.js';
import type { Situation } from '../authorisation/protocol.js';
import type { PipelineDeps } from './pipeline.js';

/**
 * One definition per interaction (docs/architecture.md, "One interaction pipeline"): what it is called,
 * what it answers, which data
 * category the protocol is asked about, whether the operator may ask it, and the one step that differs
 * (fan out to the holders, deliver to the GP, read the index). The pipeline (pipeline.ts) runs every
 * definition through the same steps; each wire (JSON, HL7v3) only translates at the edges.
 */
export interface InteractionDefinition<Q, A> {
  interaction: Interaction;
  /** The answer's interaction id (in a batch, or MCCI_IN000002). */
  answer: string;
  /** The categories the protocol is asked about: one for queries and reports, all for a lookup. */
  categories: (q: Q) => DataCategory[];
  /** The lookups: the operator may ask without a professional, and every category is decided apart. */
  operatorMay: boolean;
  /** Who and what the message names. */
  subject: (q: Q, client: ClientIdentity) => Subject;
  /** A prefix for every access-log explanation of this interaction (e.g. the report's message id). */
  describe?: (q: Q) => string;
  /** The step after trust, address book, treatment relation and protocol. */
  act: (ctx: Authorised<Q>) => Promise<Acted<A>>;
}

export interface Subject {
  bsn: string;
  /** The system the message says it comes from (must be the connection's own). */
  applicationId: string;
  /** The acting professional as the message names them; a lookup names none and takes the assertion's. */
  professional?: { uziNumber: string; roleCode: string } | undefined;
  responsible?: { uziNumber: string; roleCode: string } | undefined;
  situation: Situation;
  /** Queries assert a treatment relation; undefined: not asked (reports, lookups). */
  treatmentRelation?: boolean;
  /** The category the message asks about, for the access log. */
  category?: DataCategory | undefined;
}

/** What a wire hands the pipeline: the connection, the conversation, and the professional's token. */
export interface Signed {
  client: ClientIdentity;
  aorta: AortaId;
  log: FastifyBaseLogger;
  /** The wire's own verification of the signed token (JWS or XML-DSig); undefined when there is none. */
  token: () => Promise<VerifyResult | undefined>;
}

export interface Authorised<Q> {
  q: Q;
  subject: Subject;
  signed: Signed;
  deps: PipelineDeps;
  /** Undefined when the operator asks (no professional). */
  professional?: { claims: AssertionClaims; requester: SystemEntry; decision: Decision };
  /** The categories the protocol allowed (all of `categories(q)` for the operator). */
  categories: DataCategory[];
}

/** The answer and its one access-log entry. */
export interface Acted<A> {
  answer: A;
  log: Pick<AccessEvent, 'outcome' | 'code' | 'explanation' | 'sources' | 'emergency'>;
}

/**
 * A step that ends the interaction with an answer the caller gets as a problem, logged as `log` says
 * (e.g. a delivery that failed upstream: outcome `failed`, with the GP's status).
 */
export class Stop extends Error {
  constructor(
    readonly problem: ProblemError,
    readonly log: Pick<AccessEvent, 'outcome' | 'code' | 'explanation' | 'sources'>,
  ) {
    super(problem.message);
  }
}
