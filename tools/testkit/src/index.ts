export { startSchakel, type StartSchakelOptions } from './local.js';
export { SchakelContainer, type SchakelContainerOptions } from './container.js';
export { controlClient, type ControlClient } from './control.js';
export { frontOffices, type Acting, type FrontOffices, type FrontOfficeTarget } from './front-office.js';
export { httpCaller, type Answer, type CallerTls, type HttpCaller } from './http.js';
export { pkiLayout, type Schakel, type SchakelPki } from './schakel.js';
export { Scenario } from './scenarios/format.js';
export { loadScenarios, runScenarios, type LoadedScenario, type RunOptions } from './scenarios/run.js';
export { withProfessionals } from './scenarios/topology.js';
export { junitXml, type ScenarioResult } from './scenarios/junit.js';
export { mismatches } from './scenarios/match.js';
export { scenarioFromRecording } from './scenarios/from-recording.js';
export { Recording, scanForOriginals, type ScanFinding } from '@schakel/service-kit';
export {
  lspClient,
  type LspClient,
  type LspClientOptions,
  type LspComponents,
  type LspOperations,
  type LspPaths,
} from './lsp-client.js';
