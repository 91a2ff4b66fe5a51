# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, ship dist/ with production dependencies only, as a
# non-root user. `triad start` by default; `triad web` / `triad worker` to run them apart.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; we build explicitly below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npx tsc -p tsconfig.build.json

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY bin ./bin
COPY scripts/require-node.mjs ./scripts/require-node.mjs
COPY prompts ./prompts
COPY schema ./schema
# The sample repository and issue `triad demo` plays (docker compose run --rm worker demo).
COPY examples ./examples
USER node
EXPOSE 3000
# Every role serves /healthz and /readyz on PORT: web next to its webhooks, a worker on a server of
# its own. Healthy = ready: web can queue webhooks (Redis answers), a worker takes jobs (its queue
# workers run and Redis answers). A part that cannot start makes the process exit instead.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/triad.js"]
CMD ["start"]
