#!/usr/bin/env bash
# Config at scale: PostgreSQL, the local issuer, AdminApi and an nginx upstream on loopback; the load generator seeds
# N tenants x M HTTP routes through the REST API, starts fresh proxies (Release) in xDS mode and times how long they
# take to hold every route, then times route changes reaching every proxy under wrk load. Then the routing cost of
# many routes: standalone proxies with 10 and with 10,000 routes, saturated by wrk in turns.
#   bench/config/run.sh [--tenants 1000] [--routes 10] [--changes 40] [--proxies 2]; needs nginx and wrk
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
chmod 755 "$work"
trap '[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
source "$root/bench/nginx.sh"

for project in AgentGateway.Identity AgentGateway.AdminApi AgentGateway.Proxy bench/config; do
  dotnet build -c Release -v q "$root/$project" >/dev/null
done

start_nginx "$work" "  server { listen 127.0.0.1:5501; location / { return 200 'hello from the upstream\n'; } }"

head -c 24 /dev/urandom | base64 > "$work/pg-password"
bash "$root/AgentGateway.AppHost/Postgres/run-postgres.sh" "$work/pg" 5502 "$work/pg-password" > "$work/postgres.log" 2>&1 &

issuer=http://127.0.0.1:5503/realms/agentgateway
(cd "$root/AgentGateway.Identity/bin/Release/net10.0" && ASPNETCORE_ENVIRONMENT=Development exec dotnet AgentGateway.Identity.dll \
  --urls http://127.0.0.1:5503 --Identity:Issuer=$issuer --Identity:DataPath="$work/identity" --Logging:LogLevel:Default=Warning) &
for _ in $(seq 1 120); do pg_isready -h 127.0.0.1 -p 5502 -q 2>/dev/null && break; sleep 0.5; done

(cd "$root/AgentGateway.AdminApi/bin/Release/net10.0" && ASPNETCORE_ENVIRONMENT=Production exec dotnet AgentGateway.AdminApi.dll \
  --ConnectionStrings:agentgateway="Host=127.0.0.1;Port=5502;Database=agentgateway;Username=postgres;Password=$(cat "$work/pg-password")" \
  --Kestrel:Endpoints:Http:Url=http://127.0.0.1:5504 --Kestrel:Endpoints:Xds:Url=http://127.0.0.1:5505 --Kestrel:Endpoints:Xds:Protocols=Http2 \
  --Identity:Authority=$issuer --Secrets:MasterKey="$(head -c 32 /dev/urandom | base64)" --Logging:LogLevel:Default=Warning) &
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:5504/healthz >/dev/null && curl -sf http://127.0.0.1:5503/healthz >/dev/null && break; sleep 0.5; done

export DOTNET_gcServer=0
dotnet "$root/bench/config/bin/Release/net10.0/AgentGateway.Bench.Config.dll" \
  --admin http://127.0.0.1:5504 --token-endpoint $issuer/protocol/openid-connect/token --xds http://127.0.0.1:5505 \
  --authority $issuer --upstream http://127.0.0.1:5501 --proxy-dll "$root/AgentGateway.Proxy/bin/Release/net10.0/AgentGateway.Proxy.dll" "$@"

# Routing cost of the route table's size: the same request (to a route in the middle) on a proxy with 10 routes and
# on one with 10,000, saturated in turns.
echo
for count in 10 10000; do
  {
    echo "routes:"
    for index in $(seq 0 $((count - 1))); do
      printf '  - tenant: t%d\n    name: r%d\n    match: { pathPrefix: /t%d/r%d }\n    http: { destinations: [ { name: upstream, url: http://127.0.0.1:5501 } ] }\n' \
        $((index / 10)) $((index % 10)) $((index / 10)) $((index % 10))
    done
  } > "$work/routes-$count.yaml"
done
(cd "$root/AgentGateway.Proxy/bin/Release/net10.0" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  exec dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5510 --config "$work/routes-10.yaml") &
(cd "$root/AgentGateway.Proxy/bin/Release/net10.0" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  exec dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5511 --config "$work/routes-10000.yaml") &
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:5510/readyz >/dev/null && curl -sf http://127.0.0.1:5511/readyz >/dev/null && break; sleep 0.5; done
small=http://127.0.0.1:5510/t0/r5/x
large=http://127.0.0.1:5511/t500/r5/x
wrk -t2 -c64 -d20s "$small" >/dev/null
wrk -t2 -c64 -d20s "$large" >/dev/null
declare -a small_rates large_rates
for round in 1 2 3; do
  small_rates+=("$(wrk -t2 -c64 -d10s "$small" | awk '/Requests\/sec/ {print $2}')")
  large_rates+=("$(wrk -t2 -c64 -d10s "$large" | awk '/Requests\/sec/ {print $2}')")
  echo "round $round: 10 routes ${small_rates[-1]} req/s, 10,000 routes ${large_rates[-1]} req/s"
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
s=$(median "${small_rates[@]}"); l=$(median "${large_rates[@]}")
awk -v s="$s" -v l="$l" 'BEGIN { printf "routing saturated, median of 3: 10 routes %.0f req/s, 10,000 routes %.0f req/s: %.1f%% drop\n", s, l, (s - l) / s * 100 }'
