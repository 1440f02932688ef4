export { buildApp } from './app.js';
export { migrations, type LspDatabase } from './migrations.js';
export { parseLspConfig, lspConfigShape, type LspConfig } from './config.js';
export { DEFAULT_PROTOCOL, authorise, type ProtocolRow } from './protocol.js';
