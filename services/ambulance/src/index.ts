export { buildApp, migrations, type AmbulanceDatabase } from './app.js';
