import { fileURLToPath } from 'node:url';
import { audience, createServiceApp, readTlsFiles, type App, type KitOptions } from '@schakel/service-kit';
import type { ConsoleConfig } from './config.js';
import { createUpstream } from './upstream.js';
import { createExchangeTracker } from './exchanges.js';
import { consoleGuard } from './guard.js';
import { assetRoutes } from './routes/assets.js';
import { liveRoutes } from './routes/live.js';
import { patientRoutes } from './routes/patient.js';
import { operatorRoutes } from './routes/operator.js';
import type { DemoPatient } from './views/act.js';

const DEFAULT_PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));
/**
 * The pages load only the console's own files; htmx's indicator styles are off (htmx-config), so no
 * inline style or script is needed anywhere.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/**
 * The console (issue #16): its own service, plain HTTP on the loopback address, built like every service
 * (createServiceApp: /health, /ready, /docs, problem+json), with all its pages in one audience, 'console'.
 */
export async function buildConsoleApp(
  config: Pick<
    ConsoleConfig,
    'LSP_URL' | 'TLS_CERT_FILE' | 'TLS_KEY_FILE' | 'TLS_CA_FILE' | 'CONSOLE_ORGANISATIONS' | 'CONSOLE_POLL_MS'
  > & { CONSOLE_PUBLIC_DIR?: string | undefined },
  deps: { patients?: DemoPatient[]; kit?: KitOptions } = {},
): Promise<App> {
  const admin = readTlsFiles(config);
  if (admin === undefined)
    throw new Error('The console needs the operator’s certificate (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE)');
  const app = await createServiceApp(
    {
      service: 'console',
      title: 'Schakel console',
      description:
        'A web console for demos: the live sequence of every exchange, act as a role, the patient and the operator',
    },
    deps.kit ?? {},
  );
  const upstream = createUpstream({ lspUrl: config.LSP_URL, admin, organisations: config.CONSOLE_ORGANISATIONS });
  const tracker = createExchangeTracker(upstream, { pollMs: config.CONSOLE_POLL_MS });
  app.addHook('onClose', async () => {
    tracker.close();
    await upstream.close();
  });
  const patients = deps.patients ?? [];
  await audience(app, 'console', consoleGuard, async (scope) => {
    // htmx posts forms urlencoded; one flat object of strings is all the console's forms send.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', CSP);
      return payload;
    });
    await scope.register(assetRoutes, { publicDir: config.CONSOLE_PUBLIC_DIR ?? DEFAULT_PUBLIC_DIR });
    await scope.register(liveRoutes, { upstream, tracker, patients });
    await scope.register(patientRoutes, { upstream, tracker, patients });
    await scope.register(operatorRoutes, { upstream });
  });
  return app;
}
