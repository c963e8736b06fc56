# The engine: `npm start` (server + in-process worker) by default, `npm run worker` for workers.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY gen ./gen
COPY core ./core
COPY capture ./capture
COPY analytics ./analytics
COPY queue ./queue
COPY storage ./storage
COPY server ./server
COPY worker ./worker
COPY main ./main
ENV NODE_ENV=production PORT=7002
EXPOSE 7002
CMD ["npm", "start"]
