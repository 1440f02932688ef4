import { transportFromEnv } from '../transport.js';
import { readBody, serve } from './serve.js';

/**
 * A minimal upstream: reads the request and answers a fixed JSON body, the size of a real pharmacy's
 * answer. No validation, no store, no log: the floor of what a source system can cost.
 */
const answer = process.env['BENCH_ANSWER'] ?? '{"interaction":"QURX_IN990013NL","dispenses":[]}';

serve(transportFromEnv(process.env), (request, response) => {
  readBody(request).then(
    () => {
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(answer),
      });
      response.end(answer);
    },
    () => response.destroy(),
  );
});
