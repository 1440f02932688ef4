export * from './app.js';
export * from './config.js';
export * from './problems.js';
export * from './client.js';
export * from './store.js';
export * from './server.js';
export * from './lsp-client.js';
