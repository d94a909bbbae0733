#!/usr/bin/env bash
# Runs the LLM route benchmark on this machine: an OpenAI-compatible provider (nginx answering a recorded chat
# completion, or a recorded stream, from memory) measured with wrk direct and through the proxy (Release, standalone
# mode) on LLM routes: Chat Completions passed through, the same with prompt and answer guards (PII detectors and a
# pattern), an Anthropic Messages client translated to Chat Completions and back, and a stream. All on loopback.
# Prints a Markdown table of the medians over the rounds (the cases take turns in each round).
#   bench/llm/run.sh [seconds per measurement, default 10] [rounds, default 3]
# Needs nginx, wrk, python3 and curl (apt-get install nginx wrk).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-10}"
rounds="${2:-3}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
for tool in nginx wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install nginx wrk)" >&2; exit 1; }
done

dotnet build -c Release -v q "$root/AgentGateway.Proxy" >/dev/null

# The provider on 5411: a blocking answer at /v1/chat/completions, a stream (12 chunks, usage last) at /stream/v1/...
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
words = "The capital of France is Paris, a city of about two million people on the Seine.".split(" ")
completion = {
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1733100000, "model": "gpt-4o-mini-2024-07-18",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": " ".join(words), "refusal": None}, "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 231, "completion_tokens": 19, "total_tokens": 250}, "system_fingerprint": "fp_bench",
}
chunk = lambda delta, finish=None: {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1733100000,
    "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
events = [chunk({"role": "assistant", "content": ""})] + [chunk({"content": (" " if i else "") + w}) for i, w in enumerate(words)]
events += [chunk({}, "stop"), {**chunk({}), "choices": [], "usage": completion["usage"]}]
stream = "".join(f"data: {json.dumps(e, separators=(',', ':'))}\n\n" for e in events) + "data: [DONE]\n\n"
nginx_string = lambda text: "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"
open(f"{work}/answers.conf", "w").write(
    "location = /v1/chat/completions { default_type application/json; return 200 " + nginx_string(json.dumps(completion)) + "; }\n"
    "location = /stream/v1/chat/completions { default_type text/event-stream; return 200 " + nginx_string(stream) + "; }\n")

# The requests: a system prompt and about 1 KB of user text with one e-mail address (masked on the guarded route).
text = ("Summarise the following notes for the weekly report. " * 12) + "Send questions to jane.doe@example.com. " + ("The rollout went well. " * 10)
chat = {"model": "fast", "max_tokens": 256, "messages": [{"role": "system", "content": "You are a concise assistant."}, {"role": "user", "content": text}]}
messages = {"model": "fast", "max_tokens": 256, "system": "You are a concise assistant.", "messages": [{"role": "user", "content": text}]}
bodies = {"chat": chat, "direct": {**chat, "model": "gpt-4o-mini"}, "messages": messages,
          "stream": {**chat, "stream": True}, "direct-stream": {**chat, "model": "gpt-4o-mini", "stream": True}}
for name, body in bodies.items():
    lua = f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["anthropic-version"] = "2023-06-01"\nwrk.body = {json.dumps(json.dumps(body))}\n'
    open(f"{work}/{name}.lua", "w").write(lua)
    # The fixed moderate rate: each connection waits 8 ms after every answer.
    open(f"{work}/{name}-paced.lua", "w").write(lua + "function delay() return 8 end\n")
PY
source "$root/bench/nginx.sh"
start_nginx "$work" "  server { listen 127.0.0.1:5411; include $work/answers.conf; }"

cat > "$work/gateway.yaml" <<YAML
routes:
  - tenant: bench
    name: llm
    path: /bench/llm
    llm:
      providers: [{ name: upstream, kind: openai, url: "http://127.0.0.1:5411/v1" }]
      models: [{ name: fast, targets: [{ provider: upstream, model: gpt-4o-mini }] }]
  - tenant: bench
    name: guarded
    path: /bench/guarded
    policies:
      llmGuards:
        prompt:
          - { name: no-cards, pii: [credit-card, iban], action: reject }
          - { name: personal-data, pii: [email, phone] }
        answer:
          - { name: internal-hosts, patterns: ['(?i)[a-z0-9-]+\.corp\.example\.com'], replacement: "[INTERNAL]" }
    llm:
      providers: [{ name: upstream, kind: openai, url: "http://127.0.0.1:5411/v1" }]
      models: [{ name: fast, targets: [{ provider: upstream, model: gpt-4o-mini }] }]
  - tenant: bench
    name: stream
    path: /bench/stream
    llm:
      providers: [{ name: upstream, kind: openai, url: "http://127.0.0.1:5411/stream/v1" }]
      models: [{ name: fast, targets: [{ provider: upstream, model: gpt-4o-mini }] }]
YAML

export ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=0 Logging__LogLevel__Default=Warning
(cd "$root/AgentGateway.Proxy/bin/Release/net10.0" && exec dotnet AgentGateway.Proxy.dll --urls http://127.0.0.1:5410 --config "$work/gateway.yaml") &
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:5410/readyz >/dev/null && break; sleep 0.5; done

declare -A url script
url[direct]=http://127.0.0.1:5411/v1/chat/completions; script[direct]=direct
url[proxy-chat]=http://127.0.0.1:5410/bench/llm/v1/chat/completions; script[proxy-chat]=chat
url[proxy-guarded]=http://127.0.0.1:5410/bench/guarded/v1/chat/completions; script[proxy-guarded]=chat
url[proxy-messages]=http://127.0.0.1:5410/bench/llm/v1/messages; script[proxy-messages]=messages
url[direct-stream]=http://127.0.0.1:5411/stream/v1/chat/completions; script[direct-stream]=direct-stream
url[proxy-stream]=http://127.0.0.1:5410/bench/stream/v1/chat/completions; script[proxy-stream]=stream
cases=(direct proxy-chat proxy-guarded proxy-messages direct-stream proxy-stream)

# Every case answers before it is measured (the guarded one with the address masked on its way to the provider).
body_of() { python3 -c 'import re,sys,json; print(json.loads(re.search(r"wrk.body = (.*)", open(sys.argv[1]).read()).group(1)))' "$work/$1.lua"; }
for name in "${cases[@]}"; do
  curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$(body_of "${script[$name]}")" "${url[$name]}" || { echo "$name does not answer" >&2; exit 1; }
done

measure() { wrk "$@" --latency | python3 "$root/bench/wrk.py" figures; }
declare -A fixed saturated
# Warm-up: connection pools and the JIT's tier-up (delayed on a saturated machine).
for name in "${cases[@]}"; do
  warmup=3; [[ "$name" == proxy-* ]] && warmup=15
  wrk -t2 -c64 -d"${warmup}s" -s "$work/${script[$name]}.lua" "${url[$name]}" >/dev/null
done
for round in $(seq 1 "$rounds"); do
  for name in "${cases[@]}"; do
    saturated[$name]+="$(measure -t2 -c64 -d"${seconds}s" -s "$work/${script[$name]}.lua" "${url[$name]}");"
    fixed[$name]+="$(measure -t1 -c4 -d"${seconds}s" -s "$work/${script[$name]}-paced.lua" "${url[$name]}");"
  done
done
for name in "${cases[@]}"; do
  saturated[$name]="$(python3 "$root/bench/wrk.py" median "${saturated[$name]}")"
  fixed[$name]="$(python3 "$root/bench/wrk.py" median "${fixed[$name]}")"
done

echo
echo "| case | fixed rate: req/s | p50 ms | p99 ms | errors | saturated: req/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|---|---|---|"
for name in "${cases[@]}"; do
  read -r fr fp50 fp99 fe <<<"${fixed[$name]}"
  read -r sr sp50 sp99 se <<<"${saturated[$name]}"
  echo "| $name | $fr | $fp50 | $fp99 | $fe | $sr | $sp50 | $sp99 | $se |"
done
for name in proxy-chat proxy-guarded proxy-messages proxy-stream; do
  base=direct; [ "$name" = proxy-stream ] && base=direct-stream
  read -r _ base_p50 base_p99 _ <<<"${fixed[$base]}"; read -r _ p50 p99 _ <<<"${fixed[$name]}"
  python3 -c "print(f'$name: added p50 {$p50 - $base_p50:.2f} ms, added p99 {$p99 - $base_p99:.2f} ms at the fixed rate')"
done
