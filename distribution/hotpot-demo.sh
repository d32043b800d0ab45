#!/usr/bin/env bash
# Hotpot's main job, end to end, on a real local cluster:
#   1. start ZooKeeper and 3 Karaf nodes on 127.0.0.1 (hotpot-cluster.sh);
#   2. install the KV store 1.0.0 on every node, write 1,000 entries on each follower;
#   3. drop KV 1.1.0 into the leader's deploy/ and wait until every follower runs it, entries migrated;
#   4. hot:distribute commons-lang3 3.12.0, then 3.14.0, from Maven Central (mvn: URLs), the second
#      one shown first with --dry-run (what each node would do; nothing changes);
#   5. print a per-node table and a verdict, then stop everything it started.
# Usage: distribution/hotpot-demo.sh [--no-build] [--keep]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CLUSTER="$HERE/hotpot-cluster.sh"
DIR="$ROOT/.cluster/demo"
VERSION="0.1.0-SNAPSHOT"
BUILD=1
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --keep) KEEP=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ms() { date +%s%3N; }
hot() { "$CLUSTER" client --dir "$DIR" "$@"; }

if [[ $BUILD == 1 ]]; then
  say "Building Hotpot (mvn install -DskipTests)"
  (cd "$ROOT" && mvn -q -B -ntp install -DskipTests)
fi

cleanup() {
  if [[ $KEEP == 0 ]]; then
    say "Stopping every process the demo started"
    "$CLUSTER" stop --dir "$DIR" || true
  else
    echo "Cluster left running (--keep): $CLUSTER stop --dir $DIR"
  fi
}
trap cleanup EXIT

say "Starting ZooKeeper and 3 Karaf nodes on 127.0.0.1"
rm -rf "$DIR"
t0=$(ms)
"$CLUSTER" start --nodes 3 --dir "$DIR"
echo "cluster up in $(( $(ms) - t0 )) ms"
# shellcheck disable=SC1091
source "$DIR/cluster.env"

say "Waiting for a leader and for every node's follower endpoint"
LEADER=""
for _ in $(seq 1 90); do
  out="$(hot node1 hot:nodes 2>/dev/null || true)"
  LEADER="$(sed -n 's/^Leader: \([A-Za-z0-9._-]*\).*/\1/p' <<<"$out")"
  if [[ -n "$LEADER" && "$LEADER" != none ]] && [[ "$(grep -c 'follower\|leader' <<<"$out")" -ge 3 ]] \
     && ! grep -q 'no FollowerService endpoint' <<<"$out"; then
    break
  fi
  sleep 1
done
[[ -n "$LEADER" ]] || { echo "no leader elected" >&2; exit 1; }
echo "$out"
FOLLOWERS=()
for n in $NODES; do [[ $n == "$LEADER" ]] || FOLLOWERS+=("$n"); done
LEADER_HOME_VAR="${LEADER}_HOME"; LEADER_HOME="${!LEADER_HOME_VAR}"

say "Installing the KV store 1.0.0 on every node (hot:distribute on the leader, $LEADER)"
hot "$LEADER" "hot:distribute mvn:io.hotpot/hotpot-example-kv-api/$VERSION"
hot "$LEADER" "hot:distribute mvn:io.hotpot/hotpot-example-kv-1.0/$VERSION"

say "Writing 1,000 entries on each follower"
for n in "${FOLLOWERS[@]}"; do
  echo "$n: $(hot "$n" 'kv:fill --count 1000')"
done

say "Dropping KV 1.1.0 into the leader's deploy/ ($LEADER_HOME/deploy)"
KV11="$(find -L "$LEADER_HOME/system/io/hotpot/hotpot-example-kv-1.1/$VERSION" -name 'hotpot-example-kv-1.1-*.jar' 2>/dev/null | head -1)"
[[ -f "$KV11" ]] || KV11="$ROOT/bundles/examples/kv-1.1/target/hotpot-example-kv-1.1-$VERSION.jar"
LEADER_LOG="$LEADER_HOME/data/log/karaf.log"
LOG_FROM=$(wc -l < "$LEADER_LOG")
# Copy under a temporary name and rename: the deploy/ folder never sees a half-written jar.
t0=$(ms)
cp "$KV11" "$LEADER_HOME/deploy/.kv-store.jar.tmp" && mv "$LEADER_HOME/deploy/.kv-store.jar.tmp" "$LEADER_HOME/deploy/kv-store.jar"
for n in "${FOLLOWERS[@]}"; do
  until hot "$n" "hot:status io.hotpot.examples.kv.store" | grep -E "^ *$n " | grep -q "1\.1\.0.*ACTIVE"; do
    if (( $(ms) - t0 > 120000 )); then echo "$n did not reach KV 1.1.0" >&2; exit 1; fi
    sleep 0.5
  done
done
KV_MS=$(( $(ms) - t0 ))
# The leader logs the deploy/ rollout's end once every node acknowledged it: from the copy to that line.
KV_DONE="$(tail -n +"$(( LOG_FROM + 1 ))" "$LEADER_LOG" | grep -m1 'Hotpot deploy/: .*kv-store.jar -> rollout .*: COMPLETED' \
  | cut -d'|' -f1 | tr -d ' ' | tr 'T,' ' .')"
KV_COPY_MS="?"; [[ -n "$KV_DONE" ]] && KV_COPY_MS=$(( $(date -d "$KV_DONE" +%s%3N) - t0 ))
echo "every follower runs KV 1.1.0, ${KV_MS} ms after the drop (includes FileInstall's poll and this script's polling)"
HISTORY="$(hot "$LEADER" "hot:history -v io.hotpot.examples.kv.store")"
echo "$HISTORY" | head -20
# The leader's own measure, hot:history's "Time (ms)" column: from reading the dropped jar to the last follower's acknowledgement.
KV_ROLLOUT_MS="$(awk -F'[│|]' '$3 ~ /DEPLOY/ {gsub(/ /,"",$10); print $10; exit}' <<<"$HISTORY")"

say "hot:distribute of a real third-party bundle from Maven Central: commons-lang3 3.12.0, then 3.14.0"
hot "$LEADER" "hot:distribute mvn:org.apache.commons/commons-lang3/3.12.0"
say "What hot:distribute of commons-lang3 3.14.0 would do on each node (--dry-run: nothing changes)"
hot "$LEADER" "hot:distribute --dry-run mvn:org.apache.commons/commons-lang3/3.14.0"
LANG_OUT="$(hot "$LEADER" "hot:distribute mvn:org.apache.commons/commons-lang3/3.14.0")"
echo "$LANG_OUT"
LANG_MS="$(sed -n 's/^OK: rollout .* nodes run it, \([0-9]*\) ms$/\1/p' <<<"$LANG_OUT")"

say "Per-node result"
LEADER_STATUS="$(hot "$LEADER" 'hot:status -d')"
lead_sha() { awk -v n="$LEADER" -v b="$1" -F'[│|]' '{gsub(/ /,"",$1);gsub(/ /,"",$3);gsub(/ /,"",$6)} $1==n && $3==b {print $6}' <<<"$LEADER_STATUS"; }
KV_SHA="$(lead_sha io.hotpot.examples.kv.store)"
LANG_SHA="$(lead_sha org.apache.commons.lang3)"
printf '%-7s %-9s %-9s %-8s %-44s %-8s %-16s %s\n' Node Role "KV" State "KV entries (kv:check)" Lang3 "Same SHA-256" Verdict
ok_all=1
for n in $NODES; do
  st="$(hot "$n" 'hot:status -d')"
  mine() { awk -v n="$n" -v b="$1" -v c="$2" -F'[│|]' '{for(i=1;i<=NF;i++) gsub(/^ +| +$/,"",$i)} $1==n && $3==b {print $c}' <<<"$st"; }
  kv_v="$(mine io.hotpot.examples.kv.store 4)"; kv_s="$(mine io.hotpot.examples.kv.store 5)"; kv_sha="$(mine io.hotpot.examples.kv.store 6)"
  l_v="$(mine org.apache.commons.lang3 4)"; l_s="$(mine org.apache.commons.lang3 5)"; l_sha="$(mine org.apache.commons.lang3 6)"
  role=follower; [[ $n == "$LEADER" ]] && role=leader
  check="$(hot "$n" 'kv:check --count 1000' | tr -d '\r')"
  entries="$(sed -n 's/.*present=\([0-9]*\).*schema=\([0-9]*\) inShape=\([0-9]*\).*/\1 present, schema \2, \3 in new shape/p' <<<"$check")"
  same="no"; [[ "$kv_sha" == "$KV_SHA" && "$l_sha" == "$LANG_SHA" && -n "$kv_sha" && -n "$l_sha" ]] && same="yes (kv+lang3)"
  verdict=OK
  [[ "$kv_v" == 1.1.0 && "$kv_s" == ACTIVE && "$l_v" == 3.14.0 && "$l_s" == ACTIVE && "$same" != no ]] || verdict=FAIL
  if [[ $role == follower ]]; then [[ "$check" == *"present=1000 wrong=0 missing=0 schema=2 inShape=1000"* ]] || verdict=FAIL; fi
  [[ $role == leader ]] && entries="(no entries written here)"
  [[ $verdict == OK ]] || ok_all=0
  printf '%-7s %-9s %-9s %-8s %-44s %-8s %-16s %s\n' "$n" "$role" "${kv_v:--}" "${kv_s:--}" "$entries" "${l_v:--}" "$same" "$verdict"
done
echo
echo "KV 1.1.0 from deploy/: rollout (jar read -> every node ACTIVE and acknowledged) ${KV_ROLLOUT_MS:-?} ms; every node acknowledged ${KV_COPY_MS} ms after the copy (the leader's log; FileInstall polls deploy/ every 200 ms); this script's console polling saw it after ${KV_MS} ms"
echo "commons-lang3 3.14.0 by hot:distribute: rollout (command -> every node ACTIVE and acknowledged) ${LANG_MS:-?} ms"
if [[ $ok_all == 1 ]]; then
  echo "VERDICT: OK - every node runs KV 1.1.0 with its 1,000 entries migrated and commons-lang3 3.14.0, bytes equal to the leader's by SHA-256"
else
  echo "VERDICT: FAILED - see the table above"
  exit 1
fi
