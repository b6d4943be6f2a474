#!/usr/bin/env bash
# The offline install, checked end to end (issue #15; a step of .ci/run, `make offline-check`):
# build a wheelhouse for this machine's platform and Python only, install Reclamare from it into
# a fresh virtual environment outside the repository with the package index switched off, then
# run the installed `reclamare` from a temporary folder: list, the default scenario (tiny), a
# workshop scenario with --versus/--weeks-shown, and a student's file that extends a shipped
# scenario by name. Prints the time of each stage.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/reclamare-offline.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
start=$(date +%s)
stage() { echo "[offline-check] $1 ($(( $(date +%s) - start )) s)"; }

"$PY" tools/wheelhouse.py --current-only --out "$WORK/wheelhouse" >/dev/null
stage "wheelhouse built: $(ls "$WORK/wheelhouse" | grep -c '\.whl$') wheels"

"$PY" -m venv "$WORK/venv"
# No index, no other find-links, no user or site pip configuration: the wheelhouse only.
PIP_NO_INDEX=1 PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS="$WORK/wheelhouse" \
  "$WORK/venv/bin/python" -m pip install --quiet reclamare
stage "installed with PIP_NO_INDEX=1"

mkdir "$WORK/class"
cd "$WORK/class"
unset PYTHONPATH
R="$WORK/venv/bin/reclamare"
"$R" list | grep -q "workshop/crisis"
"$R" run default --set network.n=200 --weeks 10 --replicates 2 --quiet --no-figures --out default \
  | grep -q "paired differences"
test -f default/summary.json
"$R" run workshop/crisis --set network.n=200 --weeks 26 --replicates 2 --quiet --no-figures \
  --versus push --weeks-shown 19,26 --out crisis | grep -q "dialogue - push"
printf 'extends = "default.toml"\ntitle = "Mine"\n[product]\nfit = 0.6\n' > mine.toml
"$R" run mine.toml --set network.n=200 --weeks 5 --replicates 2 --quiet --no-figures --out mine \
  | grep -q "^Mine"
"$R" workshop build --small --no-pdf --lang nb --quiet --out kit | grep -q "Teaching kit"
test -f kit/nb/90min-key.html
# The browser app from the installed package: it must serve its page (preset workshop/crisis).
PORT=${RECLAMARE_CHECK_PORT:-8797}
"$R" viz workshop/crisis --port "$PORT" >viz.log 2>&1 &
VIZ=$!
ok=""
for _ in $(seq 1 90); do
  if "$WORK/venv/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/', timeout=2)" 2>/dev/null; then
    ok=1; break
  fi
  sleep 1
done
kill "$VIZ" 2>/dev/null || true
wait "$VIZ" 2>/dev/null || true
if [ -z "$ok" ]; then echo "[offline-check] the app did not answer on port $PORT"; cat viz.log; exit 1; fi
stage "reclamare list / run default / run workshop/crisis / a student's file / workshop build / viz: all ran from $PWD"
echo "[offline-check] ok"
