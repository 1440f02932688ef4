import type { FastifyRequest } from 'fastify';
import type { ClientIdentity } from '@schakel/service-kit';
import type { App } from '@schakel/service-kit';
import type { BundleEntry, BundleEntryRequest, CapabilityStatementRest } from '@schakel/fhir';
import type { Verifier } from '@schakel/trust/assertion';
import type { Signed } from '../pipeline/definition.js';
import type { Pipeline, PipelineDeps } from '../pipeline/pipeline.js';
import type { NviDeps } from '../interactions/nvi.js';
import type { SubscriptionStore } from '../subscriptions.js';

/**
 * What every FHIR module at the switch point gets: the one pipeline and its stores (as the JSON and HL7v3
 * wires get them), and the professional's signed assertion as the JSON wire reads it (Authorization:
 * Bearer <JWS>). A module that needs a store of its own adds it here and in app.ts.
 */
export interface FhirDeps {
  run: Pipeline;
  pipeline: PipelineDeps;
  verifier: Verifier;
  /** The pipeline's view of a request: connection, AORTA-ID and the bearer assertion. */
  signed: (request: FastifyRequest) => Signed;
  /** The NVI store and the pseudonym service's forward direction (fhir/nvi.ts). */
  nvi: NviDeps;
  /** Subscriptions to patients' consent profiles and their notifications (consent module). */
  subscriptions: SubscriptionStore;
}

/**
 * One request entry of a transaction Bundle, with the resource type its request names. The entry is as
 * the wire validated it (wires/fhir.ts): its request is checked, its resource only for a resourceType;
 * the module that takes it validates the rest.
 */
export interface TransactionEntry {
  index: number;
  resourceType: string;
  entry: {
    fullUrl?: string | undefined;
    resource?: { resourceType: string; [element: string]: unknown } | undefined;
    request: { method: BundleEntryRequest['method']; url: string };
  };
}

/**
 * One FHIR module (NVI localisation, addressing, consent, ...): its routes under /fhir, what it adds to
 * the CapabilityStatement, and, if it takes part in transactions (POST /fhir), the resource type it
 * handles there. To add one: write services/lsp/src/fhir/<name>.ts exporting a FhirModule and add it to
 * FHIR_MODULES in services/lsp/src/fhir/modules.ts; nothing else. Its routes are registered inside the
 * /fhir scope (system audience: mutual TLS), so paths are relative ('/List', '/$closed-question'); errors
 * are thrown as ProblemErrors (problem() from @schakel/contracts) and reach the caller as OperationOutcome;
 * answers are plain resource objects (sent as application/fhir+json).
 */
export interface FhirModule {
  name: string;
  /** Merged into CapabilityStatement.rest[0]: resources, operations, system interactions. */
  capability: Pick<CapabilityStatementRest, 'resource' | 'operation' | 'interaction'>;
  routes: (scope: App, deps: FhirDeps) => void | Promise<void>;
  /**
   * Entries of a transaction Bundle naming `resourceType` go here, all at once, to be applied all or none;
   * answered with one response per entry, in order. A transaction spans one module's resource type.
   */
  transaction?: {
    resourceType: string;
    apply: (
      entries: TransactionEntry[],
      ctx: { client: ClientIdentity; request: FastifyRequest; deps: FhirDeps },
    ) => Promise<NonNullable<BundleEntry['response']>[]>;
  };
}
