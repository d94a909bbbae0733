#!/usr/bin/env bash
# Runs the MCP benchmark on this machine: the utilities sample as the upstream, the proxy (Release) in front of it
# with a one-target and a three-target route, and the load generator — all on loopback. Prints a Markdown table.
#   bench/mcp/run.sh [extra load-generator arguments, e.g. --rate 300 --seconds 30]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build -c Release -v q "$root/samples/AgentGateway.Samples.Utilities" >/dev/null
dotnet build -c Release -v q "$root/AgentGateway.Proxy" >/dev/null
dotnet build -c Release -v q "$root/bench/mcp" >/dev/null

upstream=http://127.0.0.1:5301/mcp
cat > "$work/gateway.yaml" <<YAML
sessionKeys:
  - id: bench
    key: "$(head -c 32 /dev/urandom | base64)"
    primary: true
routes:
  - tenant: bench
    name: one
    path: /bench/one
    mcp:
      targets:
        - name: utils
          streamableHttp: { url: $upstream }
  - tenant: bench
    name: three
    path: /bench/three
    mcp:
      targets:
        - name: utils1
          streamableHttp: { url: $upstream }
        - name: utils2
          streamableHttp: { url: $upstream }
        - name: utils3
          streamableHttp: { url: $upstream }
YAML

export ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=0 Logging__LogLevel__Default=Warning
# The idle-session case opens more sessions on one route than a route may hold by default (10,000).
export Mcp__MaxSessionsPerRoute=100000 Mcp__MaxSessionsPerTenant=100000
(cd "$root/samples/AgentGateway.Samples.Utilities/bin/Release/net10.0" && exec dotnet AgentGateway.Samples.Utilities.dll --urls http://127.0.0.1:5301) &
(cd "$root/AgentGateway.Proxy/bin/Release/net10.0" && exec dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5300 --config "$work/gateway.yaml") &
proxy_pid=$!
for _ in $(seq 1 60); do
  curl -sf http://127.0.0.1:5300/readyz >/dev/null && curl -sf http://127.0.0.1:5301/healthz >/dev/null && break
  sleep 0.5
done

dotnet "$root/bench/mcp/bin/Release/net10.0/AgentGateway.Bench.Mcp.dll" \
  --direct "$upstream" --one http://127.0.0.1:5300/bench/one --three http://127.0.0.1:5300/bench/three \
  --proxy-pid "$proxy_pid" "$@"
