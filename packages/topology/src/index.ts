export * from './topology.js';
export * from './launcher.js';
export * from './seed.js';
export * from './test-data.js';
export * from './identities.js';
export * from './enrol.js';
export * from './prepare-pki.js';
export * from './front-office-login.js';
