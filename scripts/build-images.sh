#!/usr/bin/env bash
# Builds the five service images from this checkout: the exec jars with Maven, then one image per service
# with docker/Dockerfile, tagged with the Helm chart's appVersion so the chart's defaults pull exactly
# these images (a release tag, never a SNAPSHOT).
#
#   scripts/build-images.sh [--registry PREFIX/] [--push] [--skip-maven] [--dry-run]
#
#   --registry PREFIX/  prepended to every image name, as the chart's image.registry (with the slash)
#   --push              docker push each image after building it
#   --skip-maven        use the jars already in */target
#   --dry-run           print the commands instead of running them
#
# Images are built for linux/amd64 (PLATFORM overrides): the trainer's jar carries libtorch for x86-64 only,
# and one platform for all five keeps a mixed cluster from pulling a mismatched set.
set -euo pipefail
cd "$(dirname "$0")/.."

registry=""
push=false
maven=true
dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry="$2"; shift 2 ;;
    --push) push=true; shift ;;
    --skip-maven) maven=false; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$registry" ] && [ "${registry%/}" = "$registry" ]; then
  echo "--registry must end with a slash, as image.registry in the chart: $registry" >&2
  exit 2
fi
platform="${PLATFORM:-linux/amd64}"

tag=$(sed -n 's/^appVersion: *"\{0,1\}\([^" ]*\)"\{0,1\} *$/\1/p' helm/cooperllm/Chart.yaml)
case "$tag" in
  "") echo "no appVersion in helm/cooperllm/Chart.yaml" >&2; exit 1 ;;
  *SNAPSHOT*) echo "appVersion $tag is a SNAPSHOT; images get release tags only" >&2; exit 1 ;;
esac
# The jar names carry the Maven version, which is not the image tag.
maven_version=$(awk '/<\/parent>/ { after = 1 } after && /<version>/ { gsub(/.*<version>|<\/version>.*/, ""); print; exit }' pom.xml)

run() {
  if $dry_run; then echo "$*"; else "$@"; fi
}

services="orchestrator:8081 trainer:8082 compressor:8083 registry:8084 gateway:8080"
if $maven; then
  run mvn -B -DskipTests package -pl services/orchestrator,services/trainer,services/compressor,services/registry,gateway -am
fi
for entry in $services; do
  name=${entry%%:*}
  port=${entry##*:}
  module=services/$name
  [ "$name" = gateway ] && module=gateway
  image="${registry}cooperllm/$name:$tag"
  run docker build --platform "$platform" -f docker/Dockerfile \
    --build-arg SERVICE="$name" --build-arg PORT="$port" \
    --build-arg JAR="$module/target/$name-$maven_version-exec.jar" \
    -t "$image" .
  if $push; then
    run docker push "$image"
  fi
done
