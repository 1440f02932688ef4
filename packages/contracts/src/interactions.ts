/**
 * Real AORTA interaction names (docs/domain.md section 6), mirrored in routes, docs and logs so that
 * integrators can map this API onto the HL7v3 messages they know.
 */
export const INTERACTIONS = {
  MFMT_IN002101: 'register in the reference index',
  MFMT_IN002102: 're-register in the reference index',
  MFMT_IN002103: 'deregister from the reference index',
  QUMT_IN020010: 'reference-index query',
  QUMT_IN020020: 'reference-index query response',
  QURX_IN990011NL: 'medication (dispenses) query',
  QURX_IN990013NL: 'medication (dispenses) query response',
  QUPC_IN990001NL: 'professional summary query',
  QUPC_IN990002NL: 'professional summary query response',
  REPC_IN990003NL: 'observation report (waarneemverslag)',
  MCCI_IN200101: 'batch of collected answers',
  MCCI_IN000002: 'acknowledgement (AA / AE / AR)',
} as const;
export type Interaction = keyof typeof INTERACTIONS;

/** "QURX_IN990011NL (medication query)" for OpenAPI summaries and log lines. */
export function describeInteraction(name: Interaction): string {
  return `${name} (${INTERACTIONS[name]})`;
}
