#!/usr/bin/env bash
# Installs what civgrid needs, and nothing that is already there: a second run
# installs nothing and does not even touch the network.
#
#   scripts/deps.sh           build and run: compiler, libraries, Node.js
#   scripts/deps.sh test      also PostgreSQL, Chromium, CJK fonts and clang with
#                             libFuzzer (libclang-rt-dev) for the tests
#   scripts/deps.sh bench     also wrk and nginx for the benchmarks
#
# Arguments may be combined (scripts/deps.sh test bench). Each action is one line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev
          libsqlite3-dev sqlite3 libpq-dev libsodium-dev libcsv-dev
          libxlsxwriter-dev libcmocka-dev libqrencode-dev libpng-dev libcurl4-openssl-dev
          nodejs npm)
for arg in "$@"; do
  case "$arg" in
    test)  packages+=(postgresql chromium fonts-noto-cjk clang libclang-rt-dev) ;;
    bench) packages+=(wrk nginx-light) ;;
    *) echo "deps: unknown argument '$arg' (expected: test, bench)" >&2; exit 2 ;;
  esac
done

# Whether one package is present. Node.js and npm count as present when their
# commands are: NodeSource's nodejs package bundles npm and conflicts with
# Debian's npm package, so asking dpkg about "npm" would be the wrong question.
present() {
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 && return 0 ;;
    npm)    command -v npm  >/dev/null 2>&1 && return 0 ;;
  esac
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${packages[@]}"; do
  present "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} Debian packages present"
else
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "deps: not root and no sudo; install these packages: ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "deps: missing ${missing[*]}; running apt-get update"
  "${sudo[@]}" apt-get update -qq
  echo "deps: apt-get install ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages (the web UI and the browser-test driver), when the project has them.
if [ -f package.json ]; then
  if [ -f package-lock.json ]; then
    if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] ||
       [ package-lock.json -nt node_modules/.package-lock.json ]; then
      echo "deps: npm ci"
      npm ci --no-audit --no-fund --loglevel=error
    else
      echo "deps: node_modules up to date"
    fi
  else
    if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ]; then
      echo "deps: npm install (no package-lock.json)"
      npm install --no-audit --no-fund --loglevel=error
    else
      echo "deps: node_modules up to date"
    fi
  fi
fi
