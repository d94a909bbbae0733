#!/usr/bin/env bash
# What telemetry costs: two proxies (Release, standalone) on the same plain route, one with nothing observed and one
# with Prometheus on a management listener and the access log writing every request to a file, measured alternately,
# each round at the fixed rate of run.sh (4 connections, 8 ms between requests: the p50) and saturated (2 threads, 64
# connections: the throughput, and each proxy's CPU time per request from /proc over that run). Prints each round's
# figures and the medians. Alternating rounds on one machine cancel
# its drift, which is larger than the difference measured.
#   bench/http/telemetry.sh [rounds, default 8]
# OBSERVED_SETTINGS adds settings to the observed proxy's command line, to weigh one part: e.g.
#   OBSERVED_SETTINGS="--Telemetry:AccessLog:SampleRate 0" bench/http/telemetry.sh 6
# and PLAIN_SETTINGS to the plain one's, to weigh one part against the rest (the plain proxy's port and config stay).
# PLAIN_BIN and OBSERVED_BIN run a proxy from another build's output (default: this tree's Release build), to weigh a
# change build against build, e.g. the observed proxy from a variant and the plain one with telemetry on too:
#   OBSERVED_BIN=/tmp/variant PLAIN_SETTINGS="--Management:Url http://127.0.0.1:5420 --Telemetry:AccessLog:Enabled true
#     --Telemetry:AccessLog:Path /tmp/plain-access.log" PIN=1 FIXED_RATE=0 SATURATED_SECONDS=3 bench/http/telemetry.sh 12
# PIN=1 gives the proxies core 1 and everything else (nginx, wrk, this script) core 0: the saturated figure is then one
# proxy's capacity on a core of its own, which the scheduler's placement of wrk and nginx no longer moves.
# FIXED_RATE=0 leaves out the fixed-rate runs, SATURATED_SECONDS (default 8) sets the length of each saturated run: many
# short rounds (e.g. PIN=1 FIXED_RATE=0 SATURATED_SECONDS=3 bench/http/telemetry.sh 30) weigh throughput more finely.
# Needs nginx, wrk and curl.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${1:-8}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build -c Release -v q "$root/AgentGateway.Proxy" >/dev/null

proxy_cpu=()
if [ "${PIN:-0}" = 1 ]; then
  taskset -cp 0 $$ >/dev/null
  proxy_cpu=(taskset -c 1)
fi

source "$root/bench/nginx.sh"
start_nginx "$work" '
  server { listen 127.0.0.1:5401; location / { default_type text/plain; return 200 "hello from the upstream\n"; } }'
cat > "$work/gateway.yaml" <<YAML
routes:
  - tenant: bench
    name: plain
    match: { pathPrefix: /bench/plain }
    http:
      destinations: [{ name: upstream, url: "http://127.0.0.1:5401" }]
YAML
cat > "$work/paced.lua" <<'LUA'
function delay() return 8 end
LUA

export ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=0 Logging__LogLevel__Default=Warning
bin="$root/AgentGateway.Proxy/bin/Release/net10.0"
(cd "${PLAIN_BIN:-$bin}" && exec "${proxy_cpu[@]}" dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5410 --config "$work/gateway.yaml" ${PLAIN_SETTINGS:-}) &
plain_pid=$!
(cd "${OBSERVED_BIN:-$bin}" && exec "${proxy_cpu[@]}" dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5411 --config "$work/gateway.yaml" \
  --Management:Url http://127.0.0.1:5421 --Telemetry:AccessLog:Enabled true --Telemetry:AccessLog:Path "$work/access.log" ${OBSERVED_SETTINGS:-}) &
observed_pid=$!
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:5410/readyz >/dev/null && curl -sf http://127.0.0.1:5411/readyz >/dev/null && break; sleep 0.5; done
curl -sf -o /dev/null http://127.0.0.1:5421/metrics || { echo "the observed proxy serves no metrics" >&2; exit 1; }
# Warm-up: the JIT's tier-up under load.
for port in 5410 5411; do wrk -t2 -c64 -d30s "http://127.0.0.1:$port/bench/plain/" >/dev/null; done

p50() { wrk -t1 -c4 -d10s -s "$work/paced.lua" --latency "$1" | python3 "$root/bench/wrk.py" figures | awk '{print $2}'; }
# One saturated run: "<requests> <the proxy's CPU clock ticks over it>" (utime + stime, before and after).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
saturated() {
  local before after out
  before=$(ticks "$2"); out=$(wrk -t2 -c64 -d"${saturated_seconds}s" "$1"); after=$(ticks "$2")
  awk -v t=$((after - before)) '/requests in/ {print $1, t}' <<<"$out"
}
plain=() observed=() plain_rps=() observed_rps=() plain_cpu=() observed_cpu=()
hz="$(getconf CLK_TCK)" saturated_seconds="${SATURATED_SECONDS:-8}"
for round in $(seq 1 "$rounds"); do
  plain_p50=- observed_p50=-
  if [ "${FIXED_RATE:-1}" = 1 ]; then
    # The proxies take turns going first.
    if [ $((round % 2)) = 1 ]; then
      plain_p50="$(p50 http://127.0.0.1:5410/bench/plain/)"; observed_p50="$(p50 http://127.0.0.1:5411/bench/plain/)"
    else
      observed_p50="$(p50 http://127.0.0.1:5411/bench/plain/)"; plain_p50="$(p50 http://127.0.0.1:5410/bench/plain/)"
    fi
    plain+=("$plain_p50") observed+=("$observed_p50")
  fi
  # Saturated in the order plain, observed, observed, plain: the second of two runs in a row meets a machine just
  # loaded (which alone cost the second of two identical proxies 4-5% here), and a drift within the round cancels.
  read -r pn1 pt1 <<<"$(saturated http://127.0.0.1:5410/bench/plain/ "$plain_pid")"
  read -r on1 ot1 <<<"$(saturated http://127.0.0.1:5411/bench/plain/ "$observed_pid")"
  read -r on2 ot2 <<<"$(saturated http://127.0.0.1:5411/bench/plain/ "$observed_pid")"
  read -r pn2 pt2 <<<"$(saturated http://127.0.0.1:5410/bench/plain/ "$plain_pid")"
  seconds=$((2 * saturated_seconds))
  plain_rps+=("$(awk -v n=$((pn1 + pn2)) -v s=$seconds 'BEGIN {printf "%.0f", n / s}')")
  observed_rps+=("$(awk -v n=$((on1 + on2)) -v s=$seconds 'BEGIN {printf "%.0f", n / s}')")
  plain_cpu+=("$(awk -v n=$((pn1 + pn2)) -v t=$((pt1 + pt2)) -v hz="$hz" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')")
  observed_cpu+=("$(awk -v n=$((on1 + on2)) -v t=$((ot1 + ot2)) -v hz="$hz" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')")
  echo "round $round: plain p50 $plain_p50 ms, ${plain_rps[-1]} req/s saturated at ${plain_cpu[-1]} µs CPU/req;" \
    "observed p50 $observed_p50 ms, ${observed_rps[-1]} req/s at ${observed_cpu[-1]} µs CPU/req"
done
python3 - "${plain[*]}" "${observed[*]}" "${plain_rps[*]}" "${observed_rps[*]}" "${plain_cpu[*]}" "${observed_cpu[*]}" <<'PY'
import statistics, sys
plain, observed, plain_rps, observed_rps, plain_cpu, observed_cpu = ([float(v) for v in arg.split()] for arg in sys.argv[1:7])
if plain:
  print(f"median p50: plain {statistics.median(plain):.3f} ms, observed {statistics.median(observed):.3f} ms, "
        f"added {statistics.median(observed) - statistics.median(plain):+.3f} ms "
        f"(median of the rounds' differences {statistics.median(o - p for o, p in zip(observed, plain)):+.3f} ms)")
print(f"median saturated: plain {statistics.median(plain_rps):,.0f} req/s, observed {statistics.median(observed_rps):,.0f} req/s, "
      f"{100 * (statistics.median(observed_rps) / statistics.median(plain_rps) - 1):+.1f}% "
      f"(median of the rounds' ratios {100 * (statistics.median(o / p for o, p in zip(observed_rps, plain_rps)) - 1):+.1f}%)")
print(f"median CPU per request: plain {statistics.median(plain_cpu):.1f} µs, observed {statistics.median(observed_cpu):.1f} µs, "
      f"{100 * (statistics.median(observed_cpu) / statistics.median(plain_cpu) - 1):+.1f}% "
      f"(median of the rounds' ratios {100 * (statistics.median(o / p for o, p in zip(observed_cpu, plain_cpu)) - 1):+.1f}%)")
PY
