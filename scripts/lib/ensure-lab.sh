# The doctor's fault lab (crates/modgate-doctor/tests/fault_lab.rs) builds
# network namespaces, nftables rules, an sshd and a git server on this
# machine. ensure_lab_tools installs what it needs when missing (Debian
# packages: iproute2, nftables, openssh-server, openssh-client, git, and
# microsocks, the real SOCKS5 server of the SOCKS proxy tests) and, when
# everything is there and we are root, sets MODGATE_REQUIRE_LAB=1 so that the
# lab tests fail instead of skipping. Sourced by scripts/test.
ensure_lab_tools() {
  if [ "$(id -u)" != 0 ]; then
    if [ "${CI:-}" = "true" ]; then
      echo "error: CI must run as root to build the doctor's fault lab" >&2
      return 1
    fi
    echo "== not root: the doctor's fault-lab tests will skip"
    return 0
  fi
  local missing=()
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v nft >/dev/null 2>&1 || missing+=(nftables)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v microsocks >/dev/null 2>&1 || missing+=(microsocks)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing fault-lab tools: ${missing[*]}"
    (
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    ) || echo "== warning: could not install ${missing[*]}"
  fi
  if command -v ip >/dev/null 2>&1 && command -v nft >/dev/null 2>&1 \
    && [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null 2>&1 \
    && command -v git >/dev/null 2>&1 && command -v microsocks >/dev/null 2>&1 \
    && ip netns list >/dev/null 2>&1; then
    export MODGATE_REQUIRE_LAB=1
    echo "== fault lab: $(nft --version), MODGATE_REQUIRE_LAB=1"
  elif [ "${CI:-}" = "true" ]; then
    # CI runs as root on a machine that can build the lab: a lab that cannot
    # be built there is a failure, not a reason to skip its tests quietly.
    echo "error: the doctor's fault lab cannot run (tools missing or namespaces refused)" >&2
    return 1
  else
    echo "== warning: fault-lab tools missing; the doctor's lab tests will skip"
  fi
}
