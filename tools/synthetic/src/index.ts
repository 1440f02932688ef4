export * from './bsn.js';
export * from './generate.js';
export * from './professionals.js';
export { writeSynthetic, type WriteProgress, type WriteResult } from './writer.js';
