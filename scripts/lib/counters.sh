# Sourced by the load benchmarks: the instructions and cycles a server spends per request, read
# from the CPU's counters with `perf stat` while wrk loads it.
#
# On a shared VM requests/s and CPU time per request move by tens of percent between runs of
# the same binary; the instructions a request costs move by about one percent, so they show
# what a change to the code did. Cycles sit between the two: they leave out time the VM was not
# running, but not cache misses. Without `perf` (linux-perf in Debian) or without access to
# the counters, every figure is "-" and the benchmark runs as before.
#
#
# The counters are read in a short wrk run of their own after the measured one, never during
# it: perf's per-thread counters are saved and restored at every context switch, which slowed
# a server that switches threads on every call (guards with `isolation: threads`) fivefold.
#
#   counters_measure PID FILE WRK_ARGS…   runs wrk with the counters on; prints "INSTRUCTIONS
#                                         CYCLES" in thousands per request ("- -" without perf)

COUNTERS_PID=""

counters_usable() {
    command -v perf >/dev/null 2>&1 && perf stat -x, -e instructions:u true >/dev/null 2>&1 \
        && ! perf stat -x, -e instructions:u true 2>&1 >/dev/null | grep -q 'not supported\|not counted'
}

counters_start() {
    COUNTERS_PID=""
    [[ ${COUNTERS_USABLE:-} == 1 ]] || return 0
    perf stat -x, -e instructions:u,cycles -p "$1" -o "$2" >/dev/null 2>&1 &
    COUNTERS_PID=$!
    # perf attaches in a few milliseconds; a request counted before it does is not counted.
    sleep 0.2
}

counters_stop() {
    [[ -n $COUNTERS_PID ]] || return 0
    kill -INT "$COUNTERS_PID" 2>/dev/null || true
    wait "$COUNTERS_PID" 2>/dev/null || true
    COUNTERS_PID=""
}

counters_per_request() {
    local file=$1 requests=$2
    if [[ ! -s $file || -z $requests || $requests == 0 ]]; then
        echo "- -"
        return
    fi
    awk -F, -v n="$requests" '
        $3 ~ /^instructions/ { i = $1 }
        $3 ~ /^cycles/ { c = $1 }
        END {
            if (i ~ /^[0-9]+$/) printf "%.1f ", i / n / 1000; else printf "- "
            if (c ~ /^[0-9]+$/) printf "%.1f\n", c / n / 1000; else printf "-\n"
        }' "$file"
}

if counters_usable; then COUNTERS_USABLE=1; else COUNTERS_USABLE=0; fi

counters_measure() {
    local pid=$1 file=$2 out requests
    shift 2
    if [[ ${COUNTERS_USABLE:-} != 1 ]]; then
        echo "- -"
        return
    fi
    counters_start "$pid" "$file"
    out=$(wrk "$@")
    counters_stop
    requests=$(awk '/ requests in / { print $1 }' <<<"$out")
    counters_per_request "$file" "$requests"
}
