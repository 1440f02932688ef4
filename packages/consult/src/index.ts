export { consultRoutes } from './consults.js';
export { consultMigration, type ConsultDatabase } from './migrations.js';
