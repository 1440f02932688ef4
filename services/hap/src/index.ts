export { buildApp, migrations, type HapDatabase } from './app.js';
