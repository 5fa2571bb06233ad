# Shared by scripts/bench-stack and scripts/bench-serve (sourced, not run): wrk checks, starting a
# server that prints its URL, one wrk run and the figures parsed from `wrk --latency`.

bench_require_wrk() {
  command -v wrk >/dev/null || {
    echo "$1: needs wrk on PATH (Debian/Ubuntu: apt-get install -y wrk; macOS: brew install wrk)" >&2
    exit 2
  }
}

bench_machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -1); wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
}

# bench_start NAME LOG CMD...: runs CMD in the background, output to LOG, and waits (60 s at most) for
# a line "... http://HOST:PORT..." on it. Sets BENCH_PID and BENCH_URL.
bench_start() {
  local name=$1 log=$2
  shift 2
  : >"$log" # exists before the first grep below, whoever runs first
  "$@" >"$log" 2>&1 &
  BENCH_PID=$!
  BENCH_URL=
  local i
  for i in $(seq 600); do
    BENCH_URL=$(grep -o -m1 'http://[0-9.]*:[0-9]*' "$log" || true)
    [ -n "$BENCH_URL" ] && return 0
    if ! kill -0 "$BENCH_PID" 2>/dev/null; then
      echo "$name: did not start; its output:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$name: not listening after 60 s; its output:" >&2
  cat "$log" >&2
  exit 1
}

bench_stop() {
  kill "$BENCH_PID" 2>/dev/null || true
  wait "$BENCH_PID" 2>/dev/null || true
}

# bench_wrk OUT URL DURATION LUA [ENV=VALUE...]: wrk -t2 -c64 --latency, full output to OUT.
bench_wrk() {
  local out=$1 url=$2 duration=$3 lua=$4
  shift 4
  env "$@" wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNECTIONS:-64}" -d"$duration" --latency -s "$lua" "$url" >"$out"
}

# bench_figures OUT: "REQS P50_MS P99_MS NON2XX ERRORS" from a `wrk --latency` output.
bench_figures() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000;
      if (v ~ /ms$/) return v + 0;
      if (v ~ /m$/) return v * 60000;
      return v * 1000;
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, non2xx, errors }
  ' "$1"
}

# bench_cpu_ticks: user + system CPU time of the server under test (BENCH_PID) so far, in clock ticks.
bench_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$BENCH_PID/stat"; }

# bench_cpu_us OUT TICKS: the server's CPU microseconds per request of a `wrk` output, given the
# ticks it used during that run: a figure the machine's other load changes far less than requests/s.
bench_cpu_us() {
  awk -v t="$2" -v u=$((1000000 / $(getconf CLK_TCK))) '/ requests in / { printf "%.0f\n", t * u / $1 }' "$1"
}
