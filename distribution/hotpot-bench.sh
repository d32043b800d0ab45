#!/usr/bin/env bash
# Multi-node benchmark: prints figures, asserts nothing. On a local 3-node cluster it measures
#   - the boot time of a node (process start -> console answers with the Hotpot runtime active),
#   - the idle RSS of each node,
#   - the propagation time of hot:distribute (command -> every node acknowledged, ACTIVE), as the
#     leader measures it, for the KV store (small, with state migration) and for commons-lang3
#     (a 650 KB third-party bundle), alternating between two versions for --rounds rounds each.
# Figures are medians over the rounds of one run; the machine has 2 noisy cores.
# Usage: distribution/hotpot-bench.sh [--rounds N] [--no-build]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CLUSTER="$HERE/hotpot-cluster.sh"
DIR="$ROOT/.cluster/bench"
VERSION="0.1.0-SNAPSHOT"
ROUNDS=10
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ms() { date +%s%3N; }
hot() { "$CLUSTER" client --dir "$DIR" "$@"; }
# median, p90, min, max of the numbers on stdin
stats() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; p=a[int(NR*0.9+0.999)]; printf "median %s ms, p90 %s ms, min %s ms, max %s ms (n=%d)", m, p, a[1], a[NR], NR}'; }

if [[ $BUILD == 1 ]]; then (cd "$ROOT" && mvn -q -B -ntp install -DskipTests); fi
trap '"$CLUSTER" stop --dir "$DIR" >/dev/null 2>&1 || true' EXIT
rm -rf "$DIR"
t0=$(ms); "$CLUSTER" start --nodes 3 --dir "$DIR" >/dev/null; cold=$(( $(ms) - t0 ))
# shellcheck disable=SC1091
source "$DIR/cluster.env"

leader=""
for _ in $(seq 1 60); do
  leader="$(hot node1 hot:nodes | sed -n 's/^Leader: \([A-Za-z0-9._-]*\).*/\1/p')"
  [[ -n "$leader" && "$leader" != none ]] && break; sleep 1
done
follower=""; for n in $NODES; do [[ $n != "$leader" ]] && follower=$n && break; done

echo "== Node boot"
echo "3 nodes started in parallel (cold, first boot): ${cold} ms"
boots=()
for i in 1 2 3; do
  "$CLUSTER" kill --dir "$DIR" "$follower" >/dev/null
  t0=$(ms); "$CLUSTER" start-node --dir "$DIR" "$follower" >/dev/null; boots+=( $(( $(ms) - t0 )) )
done
echo "restart of one node ($follower), until its console answers with the runtime active: $(printf '%s\n' "${boots[@]}" | stats)"

# shellcheck disable=SC1091
source "$DIR/cluster.env"
sleep 15
echo "== Idle RSS (after 15 s idle)"
for n in $NODES; do
  pid_var="${n}_PID"; rss=$(ps -o rss= -p "${!pid_var}" | tr -d ' ')
  echo "$n: $(( rss / 1024 )) MiB"
done

rollout_ms() { sed -n 's/^OK: rollout .* nodes run it, \([0-9]*\) ms$/\1/p'; }
echo "== Propagation (hot:distribute on the leader -> every node ACTIVE and acknowledged)"
hot "$leader" "hot:distribute mvn:io.hotpot/hotpot-example-kv-api/$VERSION" >/dev/null
hot "$leader" "hot:distribute mvn:io.hotpot/hotpot-example-kv-1.0/$VERSION" >/dev/null
for n in $NODES; do hot "$n" "kv:fill --count 1000" >/dev/null; done
kv=(); lang=()
for i in $(seq 1 "$ROUNDS"); do
  v=$(( i % 2 == 1 ? 1 : 0 ))
  out="$(hot "$leader" "hot:distribute mvn:io.hotpot/hotpot-example-kv-1.$v/$VERSION")"
  kv+=( "$(rollout_ms <<<"$out")" )
  lv=$(( i % 2 == 1 ? 12 : 14 ))
  out="$(hot "$leader" "hot:distribute mvn:org.apache.commons/commons-lang3/3.$lv.0")"
  lang+=( "$(rollout_ms <<<"$out")" )
done
kv_line="$(printf '%s\n' "${kv[@]}" | grep -E '^[0-9]+$' | stats)"
lang_line="$(printf '%s\n' "${lang[@]}" | grep -E '^[0-9]+$' | stats)"
echo "KV store 1.0.0 <-> 1.1.0 with 1,000 entries migrated per node: $kv_line"
echo "commons-lang3 3.12.0 <-> 3.14.0:                               $lang_line"
kv_med="$(printf '%s\n' "${kv[@]}" | grep -E '^[0-9]+$' | sort -n | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}')"
lang_med="$(printf '%s\n' "${lang[@]}" | grep -E '^[0-9]+$' | sort -n | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}')"
awk -v a="$lang_med" -v b="$kv_med" 'BEGIN { if (b > 0) printf "ratio commons-lang3 / KV (medians): %.2f\n", a / b }'
