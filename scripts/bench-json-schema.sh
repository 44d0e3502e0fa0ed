#!/usr/bin/env bash
# TrellisJSON's JSON Schema validator against Python's jsonschema, measured in the same run.
#
# Builds Benchmarks' json-schema-throughput (release), installs jsonschema from PyPI into
# .build-bench-venv/, then for each case in Benchmarks/Fixtures/json-schema/cases.json runs
# the Swift and the Python measurement back to back (same schemas, documents, warm-up and
# wall-time budget), several rounds, and prints validations per second and their ratio.
# Machines are shared and noisy, so the headline rates are per CPU-second of the measuring
# process (per wall-clock second is shown too), each side keeps its best round (the least
# disturbed one), and the ratio is the figure to compare across runs, not the raw rates.
#
#     scripts/bench-json-schema.sh                       # 3 rounds of 3 s per case and side
#     BENCH_SECONDS=10 BENCH_ROUNDS=5 scripts/bench-json-schema.sh
#     JSONSCHEMA_VERSION=4.26.0 scripts/bench-json-schema.sh
#
# Raw results are kept in .build-bench-json-schema/ (swift-CASE-ROUND.json, python-CASE-ROUND.json).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${BENCH_SECONDS:-3}"
rounds="${BENCH_ROUNDS:-3}"
warmup="${BENCH_WARMUP_SECONDS:-0.5}"
jsonschema_version="${JSONSCHEMA_VERSION:-4.26.0}"
target_ratio="${BENCH_TARGET_RATIO:-20}"
venv="$root/.build-bench-venv"
results="$root/.build-bench-json-schema"
fixtures="$root/Benchmarks/Fixtures/json-schema"

echo "== Python: jsonschema $jsonschema_version into ${venv#"$root"/}" >&2
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "jsonschema==$jsonschema_version"

echo "== Swift: release build of json-schema-throughput" >&2
swift build -c release --package-path "$root/Benchmarks" --product json-schema-throughput >&2
swift_bin="$(swift build -c release --package-path "$root/Benchmarks" --show-bin-path)/json-schema-throughput"

mapfile -t cases < <(python3 -c 'import json, sys; print("\n".join(c["name"] for c in json.load(open(sys.argv[1]))["cases"]))' \
    "$fixtures/cases.json")
rm -rf "$results"
mkdir -p "$results"
for round in $(seq 1 "$rounds"); do
    for index in "${!cases[@]}"; do
        name="${cases[$index]}"
        echo "== round $round/$rounds: $name: ${seconds}s Swift, then ${seconds}s Python" >&2
        "$swift_bin" --seconds "$seconds" --warmup "$warmup" --case "$name" > "$results/swift-$index-$round.json"
        "$venv/bin/python" "$root/scripts/bench_jsonschema.py" --seconds "$seconds" --warmup "$warmup" --case "$name" \
            > "$results/python-$index-$round.json"
    done
done

python3 - "$results" "${#cases[@]}" "$rounds" "$target_ratio" <<'PY'
import json
import sys
from pathlib import Path

results, case_count, rounds, target = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])


def read(side, index, round):
    return json.loads((results / f"{side}-{index}-{round}.json").read_text())


print(f"Swift:  {read('swift', 0, 1)['implementation']}")
print(f"Python: {read('python', 0, 1)['implementation']}")
print(f"Budget: {rounds} rounds of {read('swift', 0, 1)['seconds_per_case']:g} s wall time per case and side, each after a warm-up")
print("Rates: validations per CPU-second of the measuring process, best round per side; the wall-clock ratio is shown too")
print()
print("| Case | Swift validations/s | Python validations/s | Ratio | Ratio per round | Ratio, wall clock | Errors (Swift / Python) |")
print("| --- | ---: | ---: | ---: | --- | ---: | ---: |")
for index in range(case_count):
    swift = [read("swift", index, r)["results"][0] for r in range(1, rounds + 1)]
    python = [read("python", index, r)["results"][0] for r in range(1, rounds + 1)]
    best_swift = max(s["per_cpu_second"] for s in swift)
    best_python = max(p["per_cpu_second"] for p in python)
    ratio = best_swift / best_python
    wall_ratio = max(s["per_second"] for s in swift) / max(p["per_second"] for p in python)
    per_round = ", ".join(f"{s['per_cpu_second'] / p['per_cpu_second']:.1f}" for s, p in zip(swift, python))
    flag = "" if ratio >= target else f" (below {target:g}×)"
    errors = f"{swift[0]['errors']} / {python[0]['errors']}"
    print(f"| {swift[0]['name']} | {best_swift:,.0f} | {best_python:,.1f} | {ratio:.1f}×{flag} | {per_round} | {wall_ratio:.1f}× | {errors} |")
PY
