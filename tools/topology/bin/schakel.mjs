// The topology CLI (tools/topology/src/cli.ts) on plain Node, for `npm start` and `npm run schakel`: the
// CLI bundled once with esbuild and reused while its sources are unchanged. Through tsx it took over two
// seconds of CPU before it started a single service (docs/performance.md, "Start-up").
import { bundleCli } from '../src/bundle.mjs';

await import(await bundleCli());
