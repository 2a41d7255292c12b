# Installs what the doctor's fault-lab tests need (network namespaces, nftables,
# an sshd binary, git) when it is missing. Sourced by scripts/test.
# The lab runs only as root; elsewhere the tests skip with a message.
ensure_lab_tools() {
  if [ "$(id -u)" != 0 ]; then
    echo "== not root: the doctor's fault-lab tests will skip"
    return 0
  fi
  local missing=()
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v nft >/dev/null 2>&1 || missing+=(nftables)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
  command -v git >/dev/null 2>&1 || missing+=(git)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing fault-lab tools: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # Installing openssh-server may start a host sshd through the package
  # scripts on some images; the lab starts its own sshd inside a namespace.
  nft --version
}
