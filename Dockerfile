# syntax=docker/dockerfile:1
#
# Production image of the learning-platform API.
#   docker build -t learning-platform-api .
#   docker run -p 3000:3000 -v lp-data:/data --env-file .env learning-platform-api
# docker-compose.yml beside this file runs it with MongoDB and Redis.

# Node 24 is the active LTS and the version we ship; package.json's engines still allow 20.19+.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: full dependencies, compile TypeScript with SWC, then drop dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# argon2 is compiled from source: its prebuilt Linux binary crashed (SIGSEGV) on some CPUs we run on.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*

# mongoose 9 needs Node 20.19 or newer; fail here rather than at the first request.
RUN node -e "const [major, minor] = process.versions.node.split('.').map(Number); \
  if (major < 20 || (major === 20 && minor < 19)) { console.error('Node >= 20.19 required, this image has ' + process.version); process.exit(1); }"

COPY package.json package-lock.json ./
# Install scripts stay off except argon2's native build (package.json's allowScripts): @swc/core
# and lmdb get their binaries from platform packages, and @scarf/scarf's script only reports
# installs. The lock file records every platform's optional binaries, so `npm ci` installs exactly
# what it names.
# --build-from-source: node-gyp-build would otherwise keep argon2's prebuilt binary when it loads.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild argon2 --build-from-source

COPY tsconfig.json .swcrc nest-cli.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
RUN npm run build \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: compiled code and production dependencies only, run as an unprivileged user ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app

# Code stays owned by root (read-only to the app); only the data directory is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# The way back in for a lost admin password (npm run admin:reset-password -- EMAIL; README).
COPY --from=build /app/dist/scripts/admin-reset-password.js ./dist/scripts/admin-reset-password.js
# The demo course is Markdown beside the sources; SWC compiles only .ts, so it is copied as is.
COPY --from=build /app/src/content/demo ./src/content/demo
RUN mkdir -p /data && chown node:node /data

# The official image's unprivileged user (uid 1000).
USER node
VOLUME ["/data"]
EXPOSE 3000

# No curl in the slim image: Node's own fetch asks the liveness probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Stack traces are mapped to the TypeScript sources by the application itself (src/source-maps.ts).
CMD ["node", "dist/src/main.js"]
