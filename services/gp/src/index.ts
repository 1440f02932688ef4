export { buildApp, migrations, type GpDatabase } from './app.js';
