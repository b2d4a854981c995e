#!/usr/bin/env bash
# Evaluates a shipped learned cost model beside the roofline (analytical)
# model on the held-out kernel groups of its dataset, and times batch
# prediction. Prints the tables of docs/cost-model.md.
#
#   bench/costmodel/run.sh [build-dir] [model]
#
# `model` names a model, costmodel/models/<model>.json with its
# <model>.measurements.csv.gz: cpu-x86_64 (the default: the family model,
# measured on an Intel Xeon, rocketlake) or cpu-x86_64-znver4 (measured on an
# AMD EPYC, znver4).
#
# The dataset ships as measurements only (costmodel/models/*.measurements.csv.gz);
# `tessera-cost refeature` recomputes its features with this build's schema.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
tool=$build/bin/tessera-cost
name=${2:-cpu-x86_64}
model=$root/costmodel/models/$name.json
measurements=$root/costmodel/models/$name.measurements.csv.gz
[ -f "$model" ] || { echo "bench: no model $model" >&2; exit 1; }
[ -x "$tool" ] || { echo "bench: $tool not built (ninja -C $build tessera-cost)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gunzip -c "$measurements" > "$work/measurements.csv"
"$tool" refeature -o "$work/data.csv" "$work/measurements.csv"

echo "## Dataset"
"$tool" summary "$work/data.csv"
echo
echo "## Held-out kernel groups: learned vs analytical"
"$tool" eval --model "$model" "$work/data.csv" --json "$work/eval.json" \
  --predictions "$work/predictions.csv"
echo
echo "## Held-out pairs by measured latency ratio (learned regression)"
/usr/bin/python3 "$root/bench/costmodel/pairs_by_ratio.py" "$work/predictions.csv"
echo
echo "## Held-out ranking by the kind of vector body (learned regression)"
/usr/bin/python3 "$root/bench/costmodel/tau_by_vector_width.py" "$work/predictions.csv"
echo
echo "## Prediction latency per candidate (describe once, then schedule, features and tree ensemble per candidate, 1 thread)"
"$tool" bench-predict --model "$model" --candidates 1000
