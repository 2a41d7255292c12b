#!/bin/sh
# Bootstraps a fresh single-node Garage for deploy/compose.yaml through its admin
# API (the garage image has no shell; this runs in a curl image): gives the node
# a role, applies the layout, imports the S3 key modgate uses and creates its
# bucket. Safe to run again: each step that is already done is skipped.
#   GARAGE_ADMIN        http://garage:3903
#   GARAGE_ADMIN_TOKEN  the admin token of garage.toml
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY  the key to import
#   BUCKET              modgate
set -eu
api() { # METHOD PATH [JSON]
  curl -fsS --max-time 10 -X "$1" -H "Authorization: Bearer $GARAGE_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' ${3:+--data "$3"} "$GARAGE_ADMIN/v2/$2"
}
i=0
until status="$(api GET GetClusterStatus 2>/dev/null)"; do
  i=$((i + 1)); [ "$i" -gt 60 ] && { echo "garage admin API unreachable at $GARAGE_ADMIN" >&2; exit 1; }
  sleep 1
done
node="$(printf '%s' "$status" | tr -d ' \n' | sed -n 's/.*"nodes":\[{"id":"\([0-9a-f]*\)".*/\1/p')"
[ -n "$node" ] || { echo "no node id in: $status" >&2; exit 1; }
version="$(printf '%s' "$status" | tr -d ' \n' | sed -n 's/.*"layoutVersion":\([0-9]*\).*/\1/p')"
if [ "${version:-0}" = 0 ]; then
  api POST UpdateClusterLayout "{\"roles\":[{\"id\":\"$node\",\"zone\":\"dc1\",\"capacity\":100000000000,\"tags\":[]}]}" >/dev/null
  api POST ApplyClusterLayout '{"version":1}' >/dev/null
  echo "garage: layout applied (node $node)"
fi
if ! api GET "GetKeyInfo?id=$AWS_ACCESS_KEY_ID" >/dev/null 2>&1; then
  api POST ImportKey "{\"accessKeyId\":\"$AWS_ACCESS_KEY_ID\",\"secretAccessKey\":\"$AWS_SECRET_ACCESS_KEY\",\"name\":\"modgate\"}" >/dev/null
  echo "garage: key $AWS_ACCESS_KEY_ID imported"
fi
if ! bucket="$(api GET "GetBucketInfo?globalAlias=$BUCKET" 2>/dev/null)"; then
  bucket="$(api POST CreateBucket "{\"globalAlias\":\"$BUCKET\"}")"
  echo "garage: bucket $BUCKET created"
fi
id="$(printf '%s' "$bucket" | tr -d ' \n' | sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p')"
[ -n "$id" ] || { echo "no bucket id in: $bucket" >&2; exit 1; }
api POST AllowBucketKey "{\"bucketId\":\"$id\",\"accessKeyId\":\"$AWS_ACCESS_KEY_ID\",\"permissions\":{\"read\":true,\"write\":true,\"owner\":true}}" >/dev/null
echo "garage: ready, bucket $BUCKET for key $AWS_ACCESS_KEY_ID"
