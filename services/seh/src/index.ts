export { buildApp, migrations, type SehDatabase } from './app.js';
