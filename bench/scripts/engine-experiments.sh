#!/usr/bin/env bash
# The learning experiments of docs/experiments.md ("Through the round engine"), one scenario per call:
#   bench/scripts/engine-experiments.sh scarce|rich|imdb [ROUNDS]
# Seed 1 tunes the step sizes of zoo, zgr-paper and cloud-only on the validation split; seeds 2 and 3
# reuse them (--steps-from). zgr runs at its platform defaults, untuned. One PyTorch thread per JVM, so
# two scenarios can run side by side on two cores. Needs: mvn -DskipTests package -pl bench -am, and
# scripts/fetch-demo-data.sh (+ scripts/fetch-imdb-data.sh for imdb).
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:?scarce | rich | imdb}
rounds=${2:-100}
out=bench/results/experiments/engine/$scenario
mkdir -p "$out"
common=(--model minilm --peft lora --devices 100 --per-round 10 --warm-steps 50 --warm-start cloud
        --rounds "$rounds" --method zoo,zgr,zgr-paper,cloud-only --tune-rounds 25)
case "$scenario" in
  scarce) data=(--data demo-data/sentences.csv --public-domain amazon --public-size 100 --partition natural
                --batch 4 --max-test 400 --eval-every 5) ;;
  rich)   data=(--data demo-data/sentences.csv --public-domain amazon --partition natural
                --batch 4 --max-test 400 --eval-every 5) ;;
  imdb)   data=(--data demo-data/imdb50k.csv --public-data demo-data/sentences.csv --public-domain amazon
                --public-size 300 --partition iid --batch 4 --max-tokens 64 --max-test 2000 --eval-every 10) ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
jar=${BENCH_JAR:-bench/target/cooperllm-bench.jar}
jvm=(java -Dcooperllm.work=target/work -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1
     -jar "$jar" experiment)
for seed in 1 2 3; do
  dir=$out/seed-$seed
  if [ -s "$dir/summary.json" ] && grep -q '"cloud-only"' "$dir/summary.json"; then
    echo "$dir done"; continue
  fi
  if [ "$seed" = 1 ]; then tuning=(--tune=zoo,zgr-paper,cloud-only); else tuning=(--steps-from "$out/seed-1"); fi
  echo "== $scenario seed $seed ($(date -u +%H:%M))"
  "${jvm[@]}" "${common[@]}" "${data[@]}" "${tuning[@]}" --seed "$seed" --out "$dir" > "$dir.log" 2>&1
done
