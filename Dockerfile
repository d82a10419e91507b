# syntax=docker/dockerfile:1
#
# One image for everything of ours that runs in production: the API (the default command), the worker
# (`node dist/workers/main.js`) and the one-shot tools (`node dist/scripts/setup-search-attributes.js`,
# `node dist/scripts/mattermost-setup.js`, `node dist/scripts/api-token.js`, ...). docker-compose.yml and
# docs/deployment.md show how each is run.
#
#   docker build -t incident-collaboration-temporal:local .
#
# Debian, not Alpine: the Temporal SDK's core bridge is a native module built against glibc. The base is pinned to an
# exact Node release; bump it deliberately (and run the tests) rather than letting a rebuild pick up a new Node.

FROM node:20.20.2-bookworm-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# better-sqlite3 is a native dependency. Its install script first fetches a prebuilt binary for this Node version and
# glibc (from GitHub); when it cannot, node-gyp compiles it from source, which needs Python, make and a C++ compiler.
# These stay in the build stages: the runtime image gets the finished node_modules and no compiler.
FROM base AS toolchain
# Not version-pinned (hadolint DL3008): Debian replaces these on every point release, and they never reach the image.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# Every dependency, for the build (TypeScript, the workflow bundler). --ignore-scripts skips the project's postinstall,
# which provisions the `temporal` CLI for `npm start` and is of no use in an image; the one install script a running
# service needs, better-sqlite3's, is then run on its own.
FROM toolchain AS deps
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3

# Production dependencies only, resolved from the same lock file.
FROM toolchain AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts \
 && npm rebuild better-sqlite3 \
 && npm cache clean --force

# `npm run build`: tsc into dist/, then the workflow bundle (dist/workflow-bundle.js), so a worker starts without
# webpack and every replica runs exactly the bundle that was built here.
FROM deps AS build
COPY . .
RUN npm run build

FROM base AS runtime
# API_HOST: inside a container the loopback interface is private to it, so the API listens on every interface. An API
# that is not on loopback refuses to start without API_TOKENS, so this cannot open the API by accident.
ENV NODE_ENV=production \
    API_HOST=0.0.0.0 \
    API_PORT=8080
# Owned by root and read-only for the service: the code cannot be changed by the process that runs it.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The shipped playbooks (PLAYBOOKS_DIR, default "playbooks"): loaded into an empty store on the first start.
COPY playbooks ./playbooks
# The one writable place: the SQLite store when DATABASE_URL is not set (sqlite:.data/incidents.sqlite). Mount a
# volume here to keep it; with Postgres (docker-compose.yml) nothing is written inside the container.
RUN mkdir -p /app/.data && chown node:node /app/.data
# The official Node image's unprivileged user, node (uid and gid 1000); numeric so that an orchestrator can verify it
# is not root (Kubernetes' runAsNonRoot refuses a user given by name).
USER 1000:1000
EXPOSE 8080
# Liveness of the API: GET /healthz answers 200 while Temporal is reachable, 503 otherwise. The slim image has no curl,
# so Node's own fetch asks. Services that are not the API (the worker, the one-shot tools) turn this off in compose.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.API_PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/api/main.js"]
