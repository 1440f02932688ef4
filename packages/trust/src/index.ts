export * from './pki.js';
export * from './assertion.js';
