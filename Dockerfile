# syntax=docker/dockerfile:1
# Build: compiles the native-rules addon against Debian's Hyperscan and the
# TypeScript sources; run: the same Debian with only the runtime libraries, as a
# non-root user. Set REDIS_URL to a Redis of your own in production; without it the
# gate starts a private redis-server (installed here) with its data in /app/data.
# Node 20: the pinned uWS build (@trufflesuite/uws-js-unofficial 20.30) ships binaries
# for Node 16, 18 and 20 only (ABI 93, 108, 115); on Node 22 it falls back to a slow
# JavaScript server, which the gate refuses to start on (src/http/native-uws.ts).
FROM node:20-bookworm AS build
# HYPERSCAN=libvectorscan-dev where Hyperscan is not packaged (arm64): the same API.
ARG HYPERSCAN=libhyperscan-dev
RUN apt-get update \
 && apt-get install -y --no-install-recommends ${HYPERSCAN} pkg-config g++ make python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY native-rules ./native-rules
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The client package: its image hash and check types are the gate's (src/fingerprint/image-phash.ts).
COPY client ./client
# Only what ships is compiled (tsconfig.build.json: src, and the client sources it imports):
# the project's own install script (the addon) is run by hand, and the install scripts of the
# shipped dependencies that have one by rebuild. re2 (an optional dependency, built from
# source) is only the benches' comparator: neither built nor shipped.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild sharp msgpackr-extract \
 && npm run install \
 && npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --ignore-scripts \
 && rm -rf node_modules/re2

FROM node:20-bookworm-slim AS run
# libvectorscan5 with HYPERSCAN=libvectorscan-dev. tini: signals reach the supervisor and zombies are reaped.
ARG HYPERSCAN_RUNTIME=libhyperscan5
RUN apt-get update \
 && apt-get install -y --no-install-recommends ${HYPERSCAN_RUNTIME} redis-server tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/native-rules/build/Release/native_rules.node ./native-rules/build/Release/native_rules.node
COPY --from=build /app/dist ./dist
COPY --from=build /app/src ./src
# The operator tool (docs/gatectl.md): docker exec <container> bin/gatectl pack versions
COPY bin ./bin
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
# MALLOC_ARENA_MAX: see src/config/gate-process-env.ts (the supervisor sets the same for the gate).
ENV PORT=8080 NODE_ENV=production MALLOC_ARENA_MAX=2
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/supervisor.js"]
