# The engine: the server (with the in-process worker unless INPROCESS_WORKER=false) by default,
# `node dist/worker-main.js` for workers. Production runs the built JavaScript with node itself,
# as the container's first process: `docker stop`'s SIGTERM reaches it, and it drains before exiting.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY sdk/package.json ./sdk/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY scripts/build-engine.mjs scripts/build-dashboard.mjs ./scripts/
COPY gen ./gen
COPY core ./core
COPY capture ./capture
COPY analytics ./analytics
COPY access ./access
COPY queue ./queue
COPY storage ./storage
COPY server ./server
COPY worker ./worker
COPY main ./main
COPY dashboard ./dashboard
RUN node scripts/build-engine.mjs

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY sdk/package.json ./sdk/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
# Runs as the image's unprivileged `node` user, owner of the embedded mode's files (DATA_DIR, .data).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
ENV NODE_ENV=production PORT=7002
EXPOSE 7002
# Healthy = ready: the server answers and can queue events (GET /readyz). The slim image has no curl: node asks.
# A worker (node dist/worker-main.js) serves no HTTP: docker-compose.yml turns this off for it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 7002) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server-main.js"]
