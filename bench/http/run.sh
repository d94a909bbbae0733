#!/usr/bin/env bash
# Runs the HTTP benchmark on this machine: one upstream (nginx answering 200 from memory) measured with wrk direct,
# through nginx as a plain reverse proxy, through YARP's bare forwarder (yarp-baseline: the ceiling of the stack the
# proxy is built on), and through the proxy (Release, standalone mode) on a route without policies and on one with JWT
# auth, a local rate limit and header policies, and the plain route again on a proxy with its telemetry on (Prometheus
# metrics on a management listener and the access log to a file: proxy-observed). All on loopback. Prints a Markdown table
# of the medians over the rounds (the cases take turns in each round, so a drift of the machine's speed hits all alike).
#   bench/http/run.sh [seconds per measurement, default 10] [rounds, default 3]
# Needs nginx, wrk, openssl, python3 and curl (apt-get install nginx wrk).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-10}"
rounds="${2:-3}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
for tool in nginx wrk openssl python3 curl; do
  command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install nginx wrk)" >&2; exit 1; }
done

dotnet build -c Release -v q "$root/AgentGateway.Proxy" >/dev/null
dotnet build -c Release -v q "$root/bench/http/yarp-baseline" >/dev/null

# Upstream on 5401 and plain reverse proxy on 5402: one nginx, one worker per core, no logging.
source "$root/bench/nginx.sh"
start_nginx "$work" '
  upstream backend { server 127.0.0.1:5401; keepalive 128; }
  server { listen 127.0.0.1:5401; location / { default_type text/plain; return 200 "hello from the upstream\n"; } }
  server {
    listen 127.0.0.1:5402;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }'

# A signing key, its JWKS and a token for the policy route.
openssl genrsa -out "$work/key.pem" 2048 2>/dev/null
b64url() { python3 -c 'import base64,sys; print(base64.urlsafe_b64encode(sys.stdin.buffer.read()).decode().rstrip("="))'; }
modulus="$(openssl rsa -in "$work/key.pem" -noout -modulus | cut -d= -f2 | python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))' | b64url)"
header="$(printf '{"alg":"RS256","typ":"JWT","kid":"bench"}' | b64url)"
payload="$(printf '{"iss":"https://bench.example","aud":"bench","sub":"bench-user","exp":%d}' $(( $(date +%s) + 86400 )) | b64url)"
signature="$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/key.pem" | b64url)"
token="$header.$payload.$signature"
jwks="{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"bench\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"$modulus\",\"e\":\"AQAB\"}]}"

cat > "$work/gateway.yaml" <<YAML
routes:
  - tenant: bench
    name: plain
    match: { pathPrefix: /bench/plain }
    http:
      destinations: [{ name: upstream, url: "http://127.0.0.1:5401" }]
  - tenant: bench
    name: policies
    match: { pathPrefix: /bench/policies }
    policies:
      jwtAuth:
        providers: [{ issuer: "https://bench.example", audiences: [bench], jwks: '$jwks' }]
      localRateLimit:
        buckets: [{ name: everyone, key: route, maxTokens: 100000000, fillIntervalMs: 1000 }]
      requestHeaders:
        set: [{ name: X-Gateway, value: bench }]
        remove: [Authorization]
      responseHeaders:
        add: [{ name: X-Served-By, value: agentgateway }]
    http:
      destinations: [{ name: upstream, url: "http://127.0.0.1:5401" }]
YAML

export ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=0 Logging__LogLevel__Default=Warning
(cd "$root/AgentGateway.Proxy/bin/Release/net10.0" && exec dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5400 --config "$work/gateway.yaml") &
(cd "$root/AgentGateway.Proxy/bin/Release/net10.0" && exec dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5404 --config "$work/gateway.yaml" \
  --Management:Url http://127.0.0.1:5405 --Telemetry:AccessLog:Enabled true --Telemetry:AccessLog:Path "$work/access.log") &
(cd "$root/bench/http/yarp-baseline/bin/Release/net10.0" && exec dotnet AgentGateway.Bench.YarpBaseline.dll --urls http://127.0.0.1:5403 --destination http://127.0.0.1:5401) &
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:5400/readyz >/dev/null && curl -sf http://127.0.0.1:5404/readyz >/dev/null && curl -sf -o /dev/null http://127.0.0.1:5403/ && break; sleep 0.5; done
curl -sf -o /dev/null http://127.0.0.1:5404/bench/plain/ && curl -sf -o /dev/null http://127.0.0.1:5405/metrics || { echo "the observed proxy does not serve /bench/plain and /metrics" >&2; exit 1; }
curl -sf -o /dev/null http://127.0.0.1:5400/bench/plain/ || { echo "the proxy does not serve /bench/plain" >&2; exit 1; }
curl -sf -o /dev/null -H "Authorization: Bearer $token" http://127.0.0.1:5400/bench/policies/ || { echo "the proxy refuses /bench/policies" >&2; exit 1; }

# Fixed moderate rate: 4 connections, each waiting 8 ms after every answer (about 450 requests/s in all).
cat > "$work/paced.lua" <<'LUA'
function delay() return 8 end
LUA

measure() { wrk "$@" --latency | python3 "$root/bench/wrk.py" figures; }

declare -A fixed saturated
cases=(direct nginx yarp-baseline proxy proxy-policies proxy-observed)
url() { case "$1" in direct) echo http://127.0.0.1:5401/;; nginx) echo http://127.0.0.1:5402/;; yarp-baseline) echo http://127.0.0.1:5403/;; proxy) echo http://127.0.0.1:5400/bench/plain/;; proxy-policies) echo http://127.0.0.1:5400/bench/policies/;; proxy-observed) echo http://127.0.0.1:5404/bench/plain/;; esac; }
auth_of() { [ "$1" = proxy-policies ] && printf '%s\n' -H "Authorization: Bearer $token"; true; }
# Warm-up: connection pools, and for the proxy the JIT's tier-up, which a saturated machine delays (its background
# compiles compete with the load): measured after 3 s, the proxy ran at a third of its steady throughput.
for name in "${cases[@]}"; do
  warmup=3; case "$name" in yarp-baseline|proxy|proxy-observed) warmup=30;; proxy-policies) warmup=10;; esac
  mapfile -t auth < <(auth_of "$name")
  wrk -t2 -c64 -d"${warmup}s" "${auth[@]}" "$(url "$name")" >/dev/null
done
for round in $(seq 1 "$rounds"); do
  for name in "${cases[@]}"; do
    mapfile -t auth < <(auth_of "$name")
    saturated[$name]+="$(measure -t2 -c64 -d"${seconds}s" "${auth[@]}" "$(url "$name")");"
    fixed[$name]+="$(measure -t1 -c4 -d"${seconds}s" -s "$work/paced.lua" "${auth[@]}" "$(url "$name")");"
  done
done
# The median of each figure over the rounds.
median() { python3 "$root/bench/wrk.py" median "$1"; }
for name in "${cases[@]}"; do saturated[$name]="$(median "${saturated[$name]}")"; fixed[$name]="$(median "${fixed[$name]}")"; done

echo
echo "| case | fixed rate: req/s | p50 ms | p99 ms | errors | saturated: req/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|---|---|---|"
for name in "${cases[@]}"; do
  read -r fr fp50 fp99 fe <<<"${fixed[$name]}"
  read -r sr sp50 sp99 se <<<"${saturated[$name]}"
  echo "| $name | $fr | $fp50 | $fp99 | $fe | $sr | $sp50 | $sp99 | $se |"
done
read -r _ _ nginx_p99 _ <<<"${fixed[nginx]}"; read -r nginx_rps _ _ _ <<<"${saturated[nginx]}"
for name in yarp-baseline proxy proxy-policies proxy-observed; do
  read -r _ _ p99 _ <<<"${fixed[$name]}"; read -r rps _ _ _ <<<"${saturated[$name]}"
  python3 -c "print(f'$name: saturated throughput {100 * $rps / $nginx_rps:.0f}% of nginx; added p99 over nginx at the fixed rate {$p99 - $nginx_p99:.2f} ms')"
done
read -r _ plain_p50 _ _ <<<"${fixed[proxy]}"; read -r plain_rps _ _ _ <<<"${saturated[proxy]}"
read -r _ observed_p50 _ _ <<<"${fixed[proxy-observed]}"; read -r observed_rps _ _ _ <<<"${saturated[proxy-observed]}"
python3 -c "print(f'telemetry on (metrics + access log): saturated throughput {100 * $observed_rps / $plain_rps - 100:+.1f}%, p50 at the fixed rate {$observed_p50 - $plain_p50:+.3f} ms; {sum(1 for _ in open(\"$work/access.log\"))} access log lines written')"
