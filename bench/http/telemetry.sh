#!/usr/bin/env bash
# What telemetry costs: two proxies (Release, standalone) on the same plain route, one with nothing observed and one
# with Prometheus on a management listener and the access log writing every request to a file, measured alternately,
# each round at the fixed rate of run.sh (4 connections, 8 ms between requests: the p50) and saturated (2 threads, 64
# connections: the throughput). Prints each round's figures and the medians. Alternating rounds on one machine cancel
# its drift, which is larger than the difference measured.
#   bench/http/telemetry.sh [rounds, default 8]
# OBSERVED_SETTINGS adds settings to the observed proxy's command line, to weigh one part: e.g.
#   OBSERVED_SETTINGS="--Telemetry:AccessLog:SampleRate 0" bench/http/telemetry.sh 6
# Needs nginx, wrk and curl.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${1:-8}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build -c Release -v q "$root/AgentGateway.Proxy" >/dev/null

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
(cd "$bin" && exec dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5410 --config "$work/gateway.yaml") &
(cd "$bin" && exec dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5411 --config "$work/gateway.yaml" \
  --Management:Url http://127.0.0.1:5421 --Telemetry:AccessLog:Enabled true --Telemetry:AccessLog:Path "$work/access.log" ${OBSERVED_SETTINGS:-}) &
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:5410/readyz >/dev/null && curl -sf http://127.0.0.1:5411/readyz >/dev/null && break; sleep 0.5; done
curl -sf -o /dev/null http://127.0.0.1:5421/metrics || { echo "the observed proxy serves no metrics" >&2; exit 1; }
# Warm-up: the JIT's tier-up under load.
for port in 5410 5411; do wrk -t2 -c64 -d30s "http://127.0.0.1:$port/bench/plain/" >/dev/null; done

p50() { wrk -t1 -c4 -d10s -s "$work/paced.lua" --latency "$1" | python3 "$root/bench/wrk.py" figures | awk '{print $2}'; }
rps() { wrk -t2 -c64 -d8s "$1" | awk '/Requests\/sec/ {print $2}'; }
plain=() observed=() plain_rps=() observed_rps=()
for round in $(seq 1 "$rounds"); do
  plain+=("$(p50 http://127.0.0.1:5410/bench/plain/)")
  observed+=("$(p50 http://127.0.0.1:5411/bench/plain/)")
  plain_rps+=("$(rps http://127.0.0.1:5410/bench/plain/)")
  observed_rps+=("$(rps http://127.0.0.1:5411/bench/plain/)")
  echo "round $round: plain p50 ${plain[-1]} ms, ${plain_rps[-1]} req/s saturated; observed p50 ${observed[-1]} ms, ${observed_rps[-1]} req/s"
done
python3 - "${plain[*]}" "${observed[*]}" "${plain_rps[*]}" "${observed_rps[*]}" <<'PY'
import statistics, sys
plain, observed, plain_rps, observed_rps = ([float(v) for v in arg.split()] for arg in sys.argv[1:5])
print(f"median p50: plain {statistics.median(plain):.3f} ms, observed {statistics.median(observed):.3f} ms, "
      f"added {statistics.median(observed) - statistics.median(plain):+.3f} ms "
      f"(median of the rounds' differences {statistics.median(o - p for o, p in zip(observed, plain)):+.3f} ms)")
print(f"median saturated: plain {statistics.median(plain_rps):,.0f} req/s, observed {statistics.median(observed_rps):,.0f} req/s, "
      f"{100 * (statistics.median(observed_rps) / statistics.median(plain_rps) - 1):+.1f}% "
      f"(median of the rounds' ratios {100 * (statistics.median(o / p for o, p in zip(observed_rps, plain_rps)) - 1):+.1f}%)")
PY
