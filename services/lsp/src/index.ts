export { buildApp, type LspAppConfig } from './app.js';
export { migrations, type LspDatabase } from './migrations.js';
export { parseLspConfig, lspConfigShape, type LspConfig } from './config.js';
export { loadProtocol, authorise, DEFAULT_PROTOCOL_FILE, type ProtocolRow } from './authorisation/protocol.js';
export {
  consentDecision,
  decidingChoice,
  choicesInForce,
  entriesInForce,
  DEFAULT_POLICIES,
  type ConsentChoice,
  type Policies,
} from './authorisation/consent-rules.js';
export { createReferenceIndex, type ReferenceIndex } from './reference-index.js';
export { createPseudonymService, type PseudonymService } from './nvi/pseudonym-service.js';
export { openNviStore, createNviStore, type NviStore, type NviList } from './nvi/store.js';
