# One image for every Schakel service; docker-compose.yml picks the service per container.
FROM node:20-bookworm-slim
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
COPY services ./services
COPY tests/package.json ./tests/package.json
COPY topology ./topology
COPY tools ./tools
RUN npm ci --no-audit --no-fund
# The services run as `npm start` runs them: esbuild bundles of our TypeScript and its libraries on plain
# Node (better-sqlite3, @fastify/swagger-ui and undici still load from node_modules), built once here into
# node_modules/.cache/schakel-services/<service>.mjs.
RUN node --conditions=@schakel/source --import tsx tools/topology/src/cli.ts bundle
ENV HOST=0.0.0.0
# A container's command is a bundle (docker-compose.yml), or, for the one-shot tools (pki, seed, or the
# whole topology in one container as the testkit's SchakelContainer runs it), the topology CLI through
# tsx: `--conditions=@schakel/source --import tsx tools/topology/src/cli.ts <verb>`.
ENTRYPOINT ["node", "--enable-source-maps"]
CMD ["node_modules/.cache/schakel-services/lsp.mjs"]
