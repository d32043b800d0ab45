#!/usr/bin/env bash
# Multi-node benchmark: prints figures, asserts nothing. On a local 3-node cluster it measures
#   - the boot time of a node (process start -> console answers with the Hotpot runtime active),
#   - the idle RSS of each node,
#   - the propagation time of hot:distribute (command -> every node acknowledged, ACTIVE), as the
#     leader measures it, for the KV store (small, with state migration) and for commons-lang3
#     (a 650 KB third-party bundle), alternating between two versions for --rounds rounds each;
#   - the deploy/ latency: a commons-lang3 jar copied (cp) into the leader's deploy/ -> the leader
#     logs that every node runs it, alternating between two versions for --rounds rounds;
#   - the hot swap under load, for each size in --entries: KV 1.0.0 <-> 1.1.0 --swaps times while
#     every follower serves a read-after-write load, locally and through RSA from the leader: the
#     pause (gate closed) per node and swap, the calls held, where the pause went, and the
#     clients' failed calls, lost writes and worst latency.
# Figures are medians (and p99) over the rounds of one run; the machine has 2 noisy cores.
# Usage: distribution/hotpot-bench.sh [--rounds N] [--swaps N] [--entries "10000 100000"] [--no-build]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CLUSTER="$HERE/hotpot-cluster.sh"
DIR="$ROOT/.cluster/bench"
VERSION="0.1.0-SNAPSHOT"
ROUNDS=10
SWAPS=12
ENTRIES="10000 100000"
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --swaps) SWAPS="$2"; shift 2 ;;
    --entries) ENTRIES="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

ms() { date +%s%3N; }
hot() { "$CLUSTER" client --dir "$DIR" "$@"; }
# median, p90, min, max of the numbers on stdin
stats() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; p=a[int(NR*0.9+0.999)]; printf "median %s ms, p90 %s ms, min %s ms, max %s ms (n=%d)", m, p, a[1], a[NR], NR}'; }
# median and p99 (nearest rank) of the numbers on stdin
med99() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; p=a[int(NR*0.99+0.999)]; printf "median %s, p99 %s, max %s (n=%d)", m, p, a[NR], NR}'; }

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

echo "== deploy/ (cp of a jar into the leader's deploy/ -> the leader logs that every node runs it)"
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
home_var="${leader}_HOME"; leader_home="${!home_var}"
leader_log="$leader_home/data/log/karaf.log"
deploys=()
for i in $(seq 1 "$ROUNDS"); do
  # The propagation rounds above end on 3.14.0 for an even count, 3.12.0 for an odd one: start on the other.
  lv=$(( (i + ROUNDS) % 2 == 1 ? 12 : 14 ))
  from=$(wc -l < "$leader_log")
  t0=$(ms)
  cp "$M2/org/apache/commons/commons-lang3/3.$lv.0/commons-lang3-3.$lv.0.jar" "$leader_home/deploy/commons-lang3.jar"
  done_at=""
  for _ in $(seq 1 600); do
    line="$(tail -n +"$(( from + 1 ))" "$leader_log" | grep -m1 'Hotpot deploy/: .*commons-lang3.jar -> rollout .*: COMPLETED' || true)"
    if [[ -n "$line" ]]; then
      stamp="$(cut -d'|' -f1 <<<"$line" | tr -d ' ' | tr 'T,' ' .')"
      done_at=$(date -d "$stamp" +%s%3N); break
    fi
    sleep 0.05
  done
  [[ -n "$done_at" ]] && deploys+=( $(( done_at - t0 )) ) || echo "round $i: no COMPLETED deploy/ rollout within 30 s"
done
poll="$(sed -n 's/^felix.fileinstall.poll *= *\([0-9]*\).*/\1/p' "$leader_home/etc/org.apache.felix.fileinstall-deploy.cfg")"
echo "commons-lang3 3.12.0 <-> 3.14.0 by deploy/ (FileInstall polls deploy/ every ${poll:-?} ms): $(printf '%s\n' "${deploys[@]}" | grep -E '^[0-9]+$' | stats)"

echo "== Hot swap under load (KV 1.0.0 <-> 1.1.0, $SWAPS swaps per size)"
for n in $NODES; do hot "$n" "kv:fill --count 1 --prefix warm" >/dev/null; done
for entries in $ENTRIES; do
  hot "$leader" "hot:distribute mvn:io.hotpot/hotpot-example-kv-1.0/$VERSION" >/dev/null
  for n in $NODES; do hot "$n" "kv:fill --count $entries --prefix e$entries-" >/dev/null; done
  secs=$(( SWAPS * 5 + 15 ))
  loads=()
  for f in $NODES; do
    [[ $f == "$leader" ]] && continue
    hot "$f" "kv:load --seconds $secs --threads 2 --prefix bench" > "$DIR/load-$entries-$f-local.txt" 2>&1 &
    loads+=( $! )
    hot "$leader" "kv:load --seconds $secs --threads 2 --prefix bench-$f --remote $f" > "$DIR/load-$entries-$f-remote.txt" 2>&1 &
    loads+=( $! )
  done
  sleep 5
  : > "$DIR/swaps-$entries.txt"
  for i in $(seq 1 "$SWAPS"); do
    v=$(( i % 2 == 1 ? 1 : 0 ))
    hot "$leader" "hot:distribute -v mvn:io.hotpot/hotpot-example-kv-1.$v/$VERSION" >> "$DIR/swaps-$entries.txt"
  done
  for p in "${loads[@]}"; do wait "$p" || true; done
  pauses=(); held=()
  for f in $NODES; do
    [[ $f == "$leader" ]] && continue
    while IFS= read -r v; do pauses+=( "$v" ); done < <(awk -v n="$f" -F'[│|]' '/Pause \(ms\)/ {for (i=1;i<=NF;i++) {h=$i; gsub(/^ +| +$/,"",h); if (h=="Pause (ms)") pc=i; if (h=="Held") hc=i}} {x=$1; gsub(/ /,"",x)} x==n && pc {v=$pc; gsub(/ /,"",v); print v}' "$DIR/swaps-$entries.txt")
    while IFS= read -r v; do held+=( "$v" ); done < <(awk -v n="$f" -F'[│|]' '/Pause \(ms\)/ {for (i=1;i<=NF;i++) {h=$i; gsub(/^ +| +$/,"",h); if (h=="Held") hc=i}} {x=$1; gsub(/ /,"",x)} x==n && hc {v=$hc; gsub(/ /,"",v); print v}' "$DIR/swaps-$entries.txt")
  done
  echo "-- $entries entries per node"
  echo "pause (gate closed) per follower and swap, ms: $(printf '%s\n' "${pauses[@]}" | grep -E '^[0-9.]+$' | med99)"
  echo "calls held at the gate per follower and swap:  $(printf '%s\n' "${held[@]}" | grep -E '^[0-9]+$' | med99)"
  for phase in export update refresh start "migration service" import serve health; do
    vals="$(grep -o "gate closed: .*)" "$DIR/swaps-$entries.txt" | grep -o "$phase [0-9.]* ms" | awk '{print $(NF-1)}')"
    [[ -n "$vals" ]] && echo "   where it went, $phase (ms): $(med99 <<<"$vals")"
  done
  ok=$(grep -c '^OK: rollout' "$DIR/swaps-$entries.txt" || true)
  echo "rollouts OK: $ok/$SWAPS"
  for f in "$DIR"/load-"$entries"-*.txt; do echo "client $(basename "$f" .txt): $(grep -o 'calls=.*' "$f" || cat "$f")"; done
done
