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
ENV NODE_ENV=production PORT=7002
EXPOSE 7002
CMD ["node", "dist/server-main.js"]
