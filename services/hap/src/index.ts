export { buildApp } from './app.js';
export { migrations, type HapDatabase } from './migrations.js';
