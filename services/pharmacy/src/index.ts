export { buildApp, type PharmacyConfig } from './app.js';
export { migrations, type PharmacyDatabase } from './migrations.js';
