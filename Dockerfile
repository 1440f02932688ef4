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
RUN npm ci --no-audit --no-fund
ENV HOST=0.0.0.0
# Services run from TypeScript source through tsx, exactly as `npm start` runs them.
ENTRYPOINT ["node", "--conditions=@schakel/source", "--import", "tsx"]
