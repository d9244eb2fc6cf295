# syntax=docker/dockerfile:1
# Build: compiles the native-rules addon against Debian's Hyperscan and the
# TypeScript sources; run: the same Debian with only the runtime libraries, as a
# non-root user. Set REDIS_URL to a Redis of your own in production; without it the
# gate starts a private redis-server (installed here) with its data in /app/data.
FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libhyperscan-dev g++ make python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY native-rules ./native-rules
COPY tsconfig.json ./
COPY src ./src
# The client package: its image hash is the gate's (src/fingerprint/image-phash.ts), and the build compiles it.
COPY client ./client
COPY scripts ./scripts
# npm ci's prepare compiles the whole project (tsconfig.json), tests, benches and load suites included.
COPY test ./test
COPY bench ./bench
COPY load ./load
# re2 (an optional dependency) is only the benches' comparator: not shipped.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev && rm -rf node_modules/re2

FROM node:20-bookworm-slim AS run
RUN apt-get update \
 && apt-get install -y --no-install-recommends libhyperscan5 redis-server \
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
CMD ["node", "dist/src/supervisor.js"]
