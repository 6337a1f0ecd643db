# Hourglass broker image. Build: docker build -t hourglass-broker .
# Run:   docker run -p 8443:8443 -v /etc/hourglass:/etc/hourglass:ro -v hourglass-data:/var/lib/hourglass hourglass-broker
# The config (/etc/hourglass/broker.yaml) names host 0.0.0.0 with tls or trustProxy, the policy,
# the signing key and the store (databasePath under /var/lib/hourglass, or databaseUrl).

# 0. The toolchain native addons (better-sqlite3) compile with, shared by the next two stages.
FROM node:20-bookworm-slim AS toolchain
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
COPY package.json package-lock.json ./

# 1. Build: every dependency, then the compiled broker and CLI (dist/).
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:broker

# 2. Production dependencies only (better-sqlite3 compiles here; no tsx, no dev tools).
FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund

# 3. Runtime: non-root, the bundle beside its production node_modules.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOURGLASS_READYZ_URL=https://127.0.0.1:8443/readyz
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin/hourglass-broker.js ./bin/
COPY --from=build /app/dist/broker ./dist/broker
RUN mkdir -p /var/lib/hourglass && chown node:node /var/lib/hourglass
USER node
EXPOSE 8443
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s \
  CMD node -e "process.env.NODE_TLS_REJECT_UNAUTHORIZED='0';fetch(process.env.HOURGLASS_READYZ_URL).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/hourglass-broker.js"]
CMD ["serve", "--config", "/etc/hourglass/broker.yaml"]
