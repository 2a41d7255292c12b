# A three-node Garage cluster (replication factor 3) on loopback, for
# scripts/ha-demo and bench/ha (the Rust tests have modgate_testkit::garage).
#
#   garage_cluster DIR   starts `garage server` x3 under DIR/garage{0,1,2}, joins
#                        them in one layout, imports a fresh key and creates the
#                        bucket `modgate`. Appends the pids to the caller's `pids`
#                        array. Sets GARAGE_S3 (the nodes' S3 host:port),
#                        GARAGE_KEY_ID and GARAGE_KEY_SECRET.
# Needs garage, curl and python3 on PATH.

_garage_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
_garage_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# _garage_wait PORT ANY: until the admin API's /health answers (200 unless ANY).
_garage_wait() {
  local f=-f i
  [ -n "${2:-}" ] && f=""
  for i in $(seq 300); do
    curl $f -sS -o /dev/null --max-time 2 "http://127.0.0.1:$1/health" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "garage on admin port $1 did not come up" >&2
  return 1
}

garage_cluster() {
  local dir="$1" secret i n rpc s3 admin
  secret="$(_garage_hex 32)"
  GARAGE_KEY_ID="GK$(_garage_hex 12)"
  GARAGE_KEY_SECRET="$(_garage_hex 32)"
  GARAGE_S3=()
  local admins=()
  for i in 0 1 2; do
    n="$dir/garage$i"
    mkdir -p "$n"
    rpc=$(_garage_port) s3=$(_garage_port) admin=$(_garage_port)
    GARAGE_S3+=("127.0.0.1:$s3")
    admins+=("$admin")
    cat >"$n/garage.toml" <<EOF
metadata_dir = "$n/meta"
data_dir = "$n/data"
db_engine = "sqlite"
replication_factor = 3
rpc_bind_addr = "127.0.0.1:$rpc"
rpc_public_addr = "127.0.0.1:$rpc"
rpc_secret = "$secret"
[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3"
[admin]
api_bind_addr = "127.0.0.1:$admin"
EOF
    RUST_LOG=garage=warn garage -c "$n/garage.toml" server >"$n/garage.log" 2>&1 &
    pids+=("$!")
  done
  # Before the layout exists /health is 503: wait for any answer first.
  for admin in "${admins[@]}"; do _garage_wait "$admin" any || return 1; done
  local ids=() g=(garage -c "$dir/garage0/garage.toml")
  for i in 0 1 2; do ids+=("$(garage -c "$dir/garage$i/garage.toml" node id -q 2>/dev/null)"); done
  {
    "${g[@]}" node connect "${ids[1]}"
    "${g[@]}" node connect "${ids[2]}"
    "${g[@]}" layout assign -z dc1 -c 1G "${ids[0]%@*}" "${ids[1]%@*}" "${ids[2]%@*}"
    "${g[@]}" layout apply --version 1
    "${g[@]}" key import --yes -n modgate "$GARAGE_KEY_ID" "$GARAGE_KEY_SECRET"
    "${g[@]}" bucket create modgate
    "${g[@]}" bucket allow --read --write --owner modgate --key modgate
  } >"$dir/garage-setup.log" 2>&1 || { cat "$dir/garage-setup.log" >&2; return 1; }
  for admin in "${admins[@]}"; do _garage_wait "$admin" || return 1; done
}
