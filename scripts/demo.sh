#!/usr/bin/env bash
# The main job on real data: installs what is missing, builds, imports the
# bundled Chicago retail-theft records (1-14 Feb 2025) through the rules
# and the notifier, shows what fired, then shows the HTTP API on it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

config=config/slagboom.yaml
data=data/demo
csv=data/chicago/chicago_crimes_2025-02-01_to_14.csv
build/slagboom check-config "$config"

# A local stand-in for police dispatch, at the webhook URL of the config.
if curl -s -o /dev/null http://127.0.0.1:8099/; then
  echo "port 8099 is taken; stop what listens there and run again" >&2
  exit 1
fi
python3 scripts/webhook_receiver.py 8099 >build/demo-webhook.log 2>&1 &
receiver=$!
trap 'kill $receiver 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf -o /dev/null http://127.0.0.1:8099/ && break
  sleep 0.1
done

rm -rf "$data"
echo
echo "== importing $csv (profile chicago) into $data"
start=$(date +%s%N)
build/slagboom import --config "$config" --profile chicago --data-dir "$data" \
  --list-alerts "$csv" 2>build/demo-import.log
end=$(date +%s%N)
echo "import, correlation and first delivery took $(((end - start) / 1000000)) ms" \
  "(log: build/demo-import.log)"
echo
echo "== the police webhook received $(wc -l <build/demo-webhook.log) alert events, the first ones:"
head -n 5 build/demo-webhook.log

echo
echo "== the HTTP API on the same data"
if curl -s -o /dev/null http://127.0.0.1:8080/; then
  echo "port 8080 is taken; stop what listens there and run again" >&2
  exit 1
fi
# Every /api/v1 call needs a bearer token; an admin one sees everything.
token=$(build/slagboom token create --config "$config" --data-dir "$data" \
  --role admin --name demo-admin)
build/slagboom run --config "$config" --data-dir "$data" --http 127.0.0.1:8080 \
  >build/demo-run.log 2>&1 &
server=$!
trap 'kill $receiver $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -sf http://127.0.0.1:8080/healthz >/dev/null && break
  sleep 0.1
done
echo "\$ curl -s -H \"Authorization: Bearer \$token\" http://127.0.0.1:8080/api/v1/alerts?rule=block-repeat\&limit=1"
curl -s -H "Authorization: Bearer $token" \
  "http://127.0.0.1:8080/api/v1/alerts?rule=block-repeat&limit=1" |
  python3 -c 'import json, sys
a = json.load(sys.stdin)["alerts"][0]
a["incidents"] = a["incidents"][:2] + ["... %d more" % (len(a["incidents"]) - 2)]
print(json.dumps(a, indent=2))'
echo "\$ curl -s http://127.0.0.1:8080/metrics | grep -v '^#'"
curl -s http://127.0.0.1:8080/metrics | grep -v '^#' 
kill $server; wait $server 2>/dev/null || true

cat <<MSG

To keep it running with this data and the API on 127.0.0.1:8080:
  build/slagboom run --config $config --data-dir $data
and then, for example, with the admin token made above:
  curl -s -H "Authorization: Bearer $token" \
    http://127.0.0.1:8080/api/v1/alerts | python3 -m json.tool
(make tokens of your own with: build/slagboom token create --config $config
 --data-dir $data --role reporter --name my-shop)
MSG
