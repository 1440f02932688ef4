export { buildConsoleApp } from './app.js';
export { parseConsoleConfig, consoleConfigShape, ConsoleOrganisation, DemoPatient } from './config.js';
