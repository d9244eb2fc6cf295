#!/usr/bin/env bash
# No Docker engine runs where CI does, so this proves the image's build stage
# another way: it stages exactly the files the Dockerfile's build stage copies
# (minus what .dockerignore leaves out) into an empty folder and runs that
# stage's npm commands there. A COPY of a missing path, or a compile that needs a
# file the stage does not copy, fails here as it would in `docker build`.
set -euo pipefail
cd "$(dirname "$0")/.."
stage="$(mktemp -d)"
trap '[ -n "${KEEP_STAGE:-}" ] || rm -rf "$stage"' EXIT
# The build stage: from its FROM line to the next FROM, continued lines joined.
build_stage="$(awk '/^FROM /{n++} n==1' Dockerfile | sed -e ':a' -e '/\\$/N; s/\\\n//; ta')"
while read -r src dest; do
  [ -e "$src" ] || { echo "docker-stage-check: the Dockerfile copies $src, which does not exist" >&2; exit 1; }
  mkdir -p "$stage/$(dirname "$src")"
  cp -R "$src" "$stage/$src"
done < <(grep -E '^COPY ' <<<"$build_stage" | grep -v -- '--from' | awk '{for (i = 2; i < NF; i++) print $i, $NF}')
for ignored in $(grep -v '^#' .dockerignore); do rm -rf "$stage"/$ignored; done
run="$(grep -E '^RUN npm ' <<<"$build_stage" | sed 's/^RUN //')"
echo "docker-stage-check: staged $(find "$stage" -type f | wc -l) files; running: $run"
(cd "$stage" && bash -c "$run" > "$stage.log" 2>&1) || { tail -40 "$stage.log" >&2; echo "docker-stage-check: the build stage fails" >&2; exit 1; }
[ -f "$stage/dist/src/supervisor.js" ] && [ -f "$stage/native-rules/build/Release/native_rules.node" ] || { echo "docker-stage-check: the stage built no dist/src/supervisor.js or addon" >&2; exit 1; }
[ ! -e "$stage/dist/test" ] || { echo "docker-stage-check: the stage compiled the tests; it should compile only what ships" >&2; exit 1; }
# What the image runs loads with the production dependencies alone: every module of the gate, uWS's native build and the addon.
(cd "$stage" && node --input-type=module -e "(await import('./dist/src/http/native-uws.js')).requireNativeUws(); await import('./dist/src/app/start-gate.js');" && node dist/src/cli/gatectl.js --help > /dev/null) ||
  { echo "docker-stage-check: the staged build does not load with its production dependencies" >&2; exit 1; }
rm -f "$stage.log"
echo "docker-stage-check: the image's build stage builds"
