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
ENV HOST=0.0.0.0
# Each container runs one entry file (services/<kind>/src/main.ts, or the topology CLI) from TypeScript
# source through tsx. `npm start` runs the same entry files from esbuild bundles instead, to spare seven
# processes on two cores tsx's module hooks (docs/decisions.md); one process per container pays them once.
ENTRYPOINT ["node", "--conditions=@schakel/source", "--import", "tsx"]
