# The worker (and CLI) image used by docker-compose.yml and by deployments.
# Tools that runbooks call (kubectl, ...) are not included: build FROM this image and add them.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY dsl dsl
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY cli cli
COPY triggers triggers
COPY repository repository
COPY report report
COPY temporal temporal
COPY test test
COPY bench bench
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY runbooks runbooks
COPY config config
# Where the worker keeps the history of admitted runbook versions (a volume in docker-compose.yml).
RUN mkdir -p /var/lib/runbook && chown node:node /var/lib/runbook
ENV RUNBOOK_STATE_DIR=/var/lib/runbook
USER node
CMD ["node", "dist/worker/main.js"]
