import type { BatchSourceEntry, QueryBatch } from '@schakel/contracts';
import { decisionIssue } from '../outcome.js';
import { SCHAKEL_SYSTEM, SYSTEM } from '../systems.js';
import type { OperationOutcome, OperationOutcomeIssue, Resource } from '../types.js';
import { searchsetWith } from './bundle.js';
import { medicationResources } from './medication.js';
import { CODE_SYSTEM, EXTENSION } from './systems.js';

/** How a source's status reads as an OperationOutcome issue (R4 issue-severity and issue-type). */
const STATUS: Record<BatchSourceEntry['status'], Pick<OperationOutcomeIssue, 'severity' | 'code'>> = {
  ok: { severity: 'information', code: 'informational' },
  'no-data': { severity: 'information', code: 'not-found' },
  refused: { severity: 'warning', code: 'suppressed' },
  timeout: { severity: 'error', code: 'timeout' },
  unreachable: { severity: 'error', code: 'transient' },
  error: { severity: 'error', code: 'exception' },
};

/**
 * One source of a batch as an OperationOutcome (search mode outcome): which source (id
 * `source-<application id>`, the organisation by URA in an extension), its status under Schakel's
 * source-status system with its error code if it failed, and the decision that let it be asked or not
 * (decisionIssue: its code, rule and consent record), as the JSON batch entry says them.
 */
export function sourceOutcome(s: BatchSourceEntry): OperationOutcome {
  const who = `${s.organisationName} (URA ${s.ura}, application id ${s.applicationId})`;
  const statusIssue: OperationOutcomeIssue = {
    ...STATUS[s.status],
    details: {
      coding: [
        { system: CODE_SYSTEM.sourceStatus, code: s.status },
        ...(s.error !== undefined ? [{ system: SCHAKEL_SYSTEM.errorCode, code: s.error.code }] : []),
      ],
      text: `${who}: ${s.status}${s.contacted ? '' : ', not asked'}${s.error !== undefined ? ` (${s.error.code})` : ''}`,
    },
    ...(s.error !== undefined ? { diagnostics: s.error.detail } : {}),
  };
  return {
    resourceType: 'OperationOutcome',
    id: `source-${s.applicationId}`,
    extension: [
      {
        url: EXTENSION.source,
        valueReference: {
          type: 'Organization',
          identifier: { system: SYSTEM.ura, value: s.ura },
          display: s.organisationName,
        },
      },
    ],
    issue: [statusIssue, decisionIssue(s.decision, s.status === 'refused' ? 'warning' : 'information')],
  };
}

/**
 * The switch point's answer to a FHIR medication search: the batch (QURX_IN990013NL per pharmacy) as one
 * searchset. Dispenses are the matches; their Medication (with _include) and the intolerances and
 * contra-indications (with _revinclude) are included; then one OperationOutcome per source.
 */
export function batchSearchset(
  base: string,
  batch: QueryBatch,
  includes: { medication: boolean; intolerances: boolean },
  self?: string,
) {
  const match: Resource[] = [];
  const include: Resource[] = [];
  for (const s of batch.sources) {
    const r = medicationResources({
      dispenses: s.dispenses ?? [],
      ...(includes.intolerances ? { contraIndications: s.contraIndications } : {}),
    });
    match.push(...r.match);
    include.push(...r.include.filter((x) => includes.medication || x.resourceType !== 'Medication'));
  }
  return {
    ...searchsetWith(base, {
      match,
      include,
      outcome: batch.sources.map(sourceOutcome),
      ...(self !== undefined ? { self } : {}),
    }),
    id: batch.batchId,
  };
}
