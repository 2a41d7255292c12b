# The high-availability tests (testkit garage.rs, nginx.rs, redis.rs, the S3
# backend tests) run real servers: Debian's redis-server and nginx, s3s-fs (a
# light S3 server) and a three-node Garage cluster. ensure_ha_tools installs
# what is missing and, when everything is there, sets MODGATE_REQUIRE_REDIS,
# _S3, _GARAGE and _NGINX to 1 so that those tests fail instead of skipping.
# Under CI=true a tool that cannot be installed is an error.
#
# Garage takes ~8-10 minutes to build on 2 cores, so it is built once into
# $MODGATE_TOOLS (default ~/.cache/modgate-tools, which CI caches) and reused;
# start_garage_install starts that build in the background so it overlaps the
# workspace build, and ensure_ha_tools waits for it. Sourced by scripts/test.

S3S_FS_VERSION="0.14.1" # newer releases need a newer rustc than ours
GARAGE_VERSION="2.5.0" # the version the tests were written against
MODGATE_TOOLS="${MODGATE_TOOLS:-$HOME/.cache/modgate-tools}"
export PATH="$MODGATE_TOOLS/bin:$PATH"
_GARAGE_PID=""
_GARAGE_LOG="$MODGATE_TOOLS/garage-install.log"

# Starts `cargo install garage` in the background when garage is missing.
start_garage_install() {
  command -v garage >/dev/null 2>&1 && return 0
  mkdir -p "$MODGATE_TOOLS"
  echo "== garage missing: building it into $MODGATE_TOOLS in the background (log: $_GARAGE_LOG)"
  # Its own target dir: the workspace build running meanwhile must not wait on
  # (or invalidate) a shared one.
  CARGO_TARGET_DIR="$MODGATE_TOOLS/target" \
    cargo install garage --locked --version "$GARAGE_VERSION" --root "$MODGATE_TOOLS" >"$_GARAGE_LOG" 2>&1 &
  _GARAGE_PID=$!
}

_ha_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "error: $*" >&2
    return 1
  fi
  echo "== warning: $*; the tests that need it will skip"
}

ensure_ha_tools() {
  local ok=1
  local apt=()
  command -v redis-server >/dev/null 2>&1 || apt+=(redis-server)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || apt+=(nginx)
  if [ "${#apt[@]}" -gt 0 ]; then
    echo "== installing ${apt[*]}"
    if [ "$(id -u)" = 0 ]; then
      (
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "${apt[@]}" >/dev/null
        # The package starts a system nginx/redis on their default ports; the
        # tests start their own on free ports and need neither.
        if command -v systemctl >/dev/null 2>&1; then
          systemctl disable --now nginx redis-server >/dev/null 2>&1 || true
        fi
      ) || true
    fi
  fi
  # Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
  [ -x /usr/sbin/nginx ] && case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
  command -v redis-server >/dev/null 2>&1 || { _ha_fail "redis-server is missing" || return 1; ok=0; }
  command -v nginx >/dev/null 2>&1 || { _ha_fail "nginx is missing" || return 1; ok=0; }

  if ! command -v s3s-fs >/dev/null 2>&1; then
    echo "== installing s3s-fs ${S3S_FS_VERSION}"
    cargo install s3s-fs --locked --version "$S3S_FS_VERSION" --features binary \
      --root "$MODGATE_TOOLS" >/dev/null 2>&1 || true
  fi
  command -v s3s-fs >/dev/null 2>&1 || { _ha_fail "s3s-fs could not be installed" || return 1; ok=0; }

  if [ -n "$_GARAGE_PID" ]; then
    echo "== waiting for the garage build"
    wait "$_GARAGE_PID" || tail -n 20 "$_GARAGE_LOG" >&2
    _GARAGE_PID=""
  elif ! command -v garage >/dev/null 2>&1; then
    start_garage_install
    [ -n "$_GARAGE_PID" ] && { wait "$_GARAGE_PID" || tail -n 20 "$_GARAGE_LOG" >&2; }
    _GARAGE_PID=""
  fi
  command -v garage >/dev/null 2>&1 || { _ha_fail "garage could not be built" || return 1; ok=0; }

  if [ "$ok" = 1 ]; then
    export MODGATE_REQUIRE_REDIS=1 MODGATE_REQUIRE_S3=1 MODGATE_REQUIRE_GARAGE=1 MODGATE_REQUIRE_NGINX=1
    echo "== HA tools: $(redis-server --version | cut -d' ' -f1-3), $(nginx -v 2>&1), s3s-fs, $(garage --version 2>&1 | head -1)"
  fi
}
