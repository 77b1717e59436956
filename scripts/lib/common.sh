# Shared by scripts/serve, scripts/test, scripts/bench and scripts/build: install what is missing
# (Debian packages and npm devDependencies), then build. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export NODE_PATH=/usr/share/nodejs  # Debian's emcc finds acorn there
JOBS="$(nproc 2>/dev/null || echo 2)"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the project needs, by what they provide.
APT_PACKAGES=(cmake g++ make emscripten libeigen3-dev catch2 nodejs npm chromium clang-format
  clang-19 libclang-rt-19-dev  # the libFuzzer harnesses (scripts/fuzz): clang with libFuzzer, ASan, UBSan
  fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji  # fonts: Arabic, CJK and emoji tokens in browser tests and screenshots
  fonts-texgyre-math)  # an OpenType MATH font, so the walkthrough's MathML formulas render as typeset in screenshots

ensure_apt() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    # node may come from elsewhere (e.g. NodeSource); accept any working node >= 18 and npm.
    if [ "$pkg" = nodejs ] && command -v node >/dev/null && node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 18 ? 1 : 0)'; then continue; fi
    if [ "$pkg" = npm ] && command -v npm >/dev/null; then continue; fi
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_npm() {
  # npm ci when node_modules is missing or older than the lock file.
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "Installing npm devDependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# check_build_dir DIR: stop with a message when DIR holds a CMake cache made for another source
# tree (a checkout copied with its build/): building there would run the other tree's Makefiles,
# write into that checkout, and leave this one's web/lib/wasm/ as it was.
check_build_dir() {
  local dir="$1" cache="$1/CMakeCache.txt" home build
  [ -f "$cache" ] || return 0
  home="$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")"
  build="$(sed -n 's/^CMAKE_CACHEFILE_DIR:INTERNAL=//p' "$cache")"
  if [ "$home" != "$ROOT" ] || [ "$build" != "$ROOT/$dir" ]; then
    printf 'error: %s was configured for another checkout (source %s, build %s), not for %s.\n' \
      "$dir" "${home:-unknown}" "${build:-unknown}" "$ROOT" >&2
    printf 'Building there would write into that checkout. Remove it and run again: rm -rf %s\n' "$ROOT/$dir" >&2
    exit 1
  fi
}

# build_dir NAME [cmake args...]: configure once, then build.
cmake_build() {
  local dir="build/$1"; shift
  check_build_dir "$dir"
  if [ ! -f "$dir/CMakeCache.txt" ]; then cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  else cmake -S . -B "$dir" >/dev/null; fi  # picks up new targets (a named target needs them)
  cmake --build "$dir" -j "$JOBS"
}

# WASM_TARGET=page_modules builds only the page's four modules (scripts/serve); empty builds all.
WASM_TARGET="${WASM_TARGET:-}"

emcmake_build() {
  local dir="build/$1"; shift
  check_build_dir "$dir"
  if [ ! -f "$dir/CMakeCache.txt" ]; then emcmake cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  else cmake -S . -B "$dir" >/dev/null; fi  # picks up new targets (WASM_TARGET names one)
  if [ -z "$WASM_TARGET" ]; then cmake --build "$dir" -j "$JOBS"; return; fi
  local target
  for target in $WASM_TARGET; do cmake --build "$dir" -j "$JOBS" --target "$target"; done
}

# One build directory each for wasm and native; each builds the SIMD and the scalar variant of the
# core (CMakeLists.txt: ap_core, ap_core_scalar; core_tests, core_tests_scalar).
build_wasm() {
  log "Building the wasm modules (SIMD and scalar)"
  emcmake_build wasm
}

build_native() {
  log "Building natively (SIMD and scalar)"
  cmake_build native
}
