#!/usr/bin/env bash
# What `npm test` needs beside node_modules (the `pretest` script runs this; so does .ci/run):
#   moto_server  the AWS emulator the integration tests start on loopback   (pip: moto[server])
#   cfn-lint     test/infra lints the packaged CloudFormation               (pip: cfn-lint)
#   chromium     the browser test drives the approval page in it           (Debian: chromium)
#   unzip        test/infra opens the packaged bundles                      (Debian: unzip)
# A missing one is installed where that is possible: pip into the current Python, or, where that Python refuses
# (PEP 668), into a virtualenv under node_modules/.cache/leash-tools whose bin/ the npm scripts put on PATH; apt-get
# as root on Debian. Otherwise this stops at once with the one line to run.
# `prerequisites.sh moto` checks moto_server only (npm start). LEASH_MOTO_SERVER / LEASH_CHROMIUM name other copies.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="$PWD/node_modules/.cache/leash-tools"
export PATH="$TOOLS/bin:$PATH"

missing() { printf 'npm test needs %s. Run:\n  %s\n' "$1" "$2" >&2; exit 1; }
say() { printf 'prerequisites: %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
debian_root() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && have apt-get; }

apt_updated=''
apt_install() {
  if [ -z "$apt_updated" ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The tools' own virtualenv (python3 -m venv needs python3-venv on Debian).
venv_install() {
  if [ ! -x "$TOOLS/venv/bin/pip" ]; then
    python3 -m venv "$TOOLS/venv" >/dev/null 2>&1 || { debian_root && apt_install python3-venv && python3 -m venv "$TOOLS/venv"; } || return 1
  fi
  "$TOOLS/venv/bin/pip" install --quiet "$1" >&2 || return 1
  mkdir -p "$TOOLS/bin" && ln -sf "../venv/bin/$2" "$TOOLS/bin/$2"
}

# $1 command, $2 pip requirement
pip_tool() {
  have "$1" && return 0
  have python3 || missing "$1 (and Python 3 for it)" "apt-get install -y python3 python3-venv   # then npm test again"
  say "installing $2"
  if python3 -m pip --version >/dev/null 2>&1 && python3 -m pip install --quiet "$2" >/dev/null 2>&1; then hash -r; fi
  have "$1" || venv_install "$2" "$1" || missing "$1" "python3 -m pip install \"$2\"   # or: pipx install \"$2\""
  hash -r
  have "$1" || missing "$1 on PATH" "export PATH=\"$(python3 -m site --user-base 2>/dev/null || echo "$HOME/.local")/bin:\$PATH\""
}

# $1 command or absolute path, $2 Debian package
debian_tool() {
  { [ -x "$1" ] || have "$1"; } && return 0
  debian_root || missing "$2" "sudo apt-get install -y $2"
  say "installing $2"
  apt_install "$2" || missing "$2" "apt-get install -y $2"
  { [ -x "$1" ] || have "$1"; } || missing "$2" "apt-get install -y $2"
}

if [ -n "${LEASH_MOTO_SERVER:-}" ]; then
  have "$LEASH_MOTO_SERVER" || missing "moto_server at LEASH_MOTO_SERVER=$LEASH_MOTO_SERVER" "unset LEASH_MOTO_SERVER"
else
  pip_tool moto_server 'moto[server]'
fi
[ "${1:-}" = moto ] && exit 0

pip_tool cfn-lint cfn-lint
if [ -n "${LEASH_CHROMIUM:-}" ]; then
  [ -x "$LEASH_CHROMIUM" ] || missing "Chromium at LEASH_CHROMIUM=$LEASH_CHROMIUM" "unset LEASH_CHROMIUM"
elif [ -f /etc/debian_version ]; then
  debian_tool /usr/bin/chromium chromium
else
  [ -x /usr/bin/chromium ] || missing "Chromium" "export LEASH_CHROMIUM=/path/to/chromium   # any Chromium or Chrome executable"
fi
debian_tool unzip unzip
