#!/usr/bin/env bash
#
# hotpot-faults.sh: a randomized fault run on a real local cluster (ZooKeeper + 3 Karaf nodes on 127.0.0.1).
# For the given time it keeps rolling KV versions out (1.0.0, 1.1.0, 1.2.0, whose entries have different
# shapes) under read-after-write load on every follower, and in most rounds injects one fault at a random
# moment of the rollout: kill -9 of a follower, kill -9 of the leader, or a ZooKeeper restart (down 2-12 s).
# A killed node is started again. After each round it waits until the cluster converged: every node a member
# with a callable endpoint, a leader, and every node running the desired state (hot:status), and measures
# how long that took. At the end it prints what was injected, the convergence times, the lost acknowledged
# writes and the hung nodes, and exits 0 only if every round converged with 0 lost writes and 0 hung nodes.
#
#   distribution/hotpot-faults.sh [--minutes N] [--dir DIR] [--seed S] [--no-build]
#
# Defaults: 30 minutes, DIR=.cluster/faults, a random seed (printed: --seed replays the same choices).
# Writes acknowledged by a node that is killed in that round are not counted as lost: a kill -9 takes a
# node's memory with it, by definition. Every other node's load must see every write it was acknowledged.
# A node that does not converge within 180 s of its round counts as hung; its thread dump and log are kept
# in DIR/hung-<round>-<node>/. Stops every process it started, by PID (hotpot-cluster.sh stop), also on failure.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
MINUTES=30
DIR=$ROOT/.cluster/faults
SEED=$((RANDOM * 32768 + RANDOM))
BUILD=1
CONVERGE_TIMEOUT=180

while (($#)); do
    case $1 in
        --minutes) MINUTES=${2:?}; shift 2 ;;
        --dir) DIR=${2:?}; shift 2 ;;
        --seed) SEED=${2:?}; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        *) echo "usage: $0 [--minutes N] [--dir DIR] [--seed S] [--no-build]" >&2; exit 2 ;;
    esac
done
RANDOM=$SEED

if [[ -d /usr/lib/jvm/java-17-openjdk-amd64 && -z ${JAVA_HOME:-} ]]; then
    export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
say() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
cluster() { bash "$SCRIPT_DIR/hotpot-cluster.sh" "$@"; }

if ((BUILD)) || ! ls "$SCRIPT_DIR"/target/hotpot-distribution-*.tar.gz > /dev/null 2>&1; then
    say "building (mvn install -DskipTests)"
    (cd "$ROOT" && mvn -B -q -ntp install -DskipTests)
fi
jar_of() { ls "$ROOT"/bundles/examples/"$1"/target/hotpot-example-"$1"-*.jar | head -n 1; }
KV_API=$(jar_of kv-api)
declare -A KV=([1.0.0]=$(jar_of kv-1.0) [1.1.0]=$(jar_of kv-1.1) [1.2.0]=$(jar_of kv-1.2))
declare -A SCHEMA=([1.0.0]=1 [1.1.0]=2 [1.2.0]=2)

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd -P)
LOGS=$DIR/rounds
rm -rf "$LOGS"
mkdir -p "$LOGS"
stop_all() { say "stopping the cluster"; cluster stop --dir "$DIR" > /dev/null 2>&1 || true; }
trap stop_all EXIT
trap 'exit 130' INT TERM

say "seed $SEED; $MINUTES minutes; cluster in $DIR"
cluster start --nodes 3 --dir "$DIR" > "$LOGS/start.log" 2>&1 || { cat "$LOGS/start.log"; exit 1; }
NODES=$(sed -n 's/^NODES="\(.*\)"$/\1/p' "$DIR/cluster.env")

# run NODE COMMAND: a console command through Karaf's own client; prints its output.
run() { cluster client --dir "$DIR" "$1" "$2" 2> /dev/null; }

# batch NODE: the console commands on stdin, in one client session (bin/client -b).
batch() {
    local home ssh
    home=$(sed -n "s/^${1}_HOME=//p" "$DIR/cluster.env" | tr -d '"')
    ssh=$(sed -n "s/^${1}_SSH=//p" "$DIR/cluster.env")
    timeout 60 "$home/bin/client" -b -u karaf -p karaf -a "$ssh" -h 127.0.0.1
}

leader() {
    local n out
    for n in $NODES; do
        out=$(run "$n" "hot:nodes" || true)
        if [[ $out =~ Leader:\ (node[0-9]+) ]]; then
            echo "${BASH_REMATCH[1]}"
            return 0
        fi
    done
    return 1
}

# converged: every node lists every node with no problem, and the leader sees every node on the desired state.
# One client JVM per node: each call starts one, and that start is most of what a check costs.
converged() {
    local n m out leaders=0
    for n in $NODES; do
        out=$(printf 'hot:nodes\nhot:status\n' | batch "$n" 2> /dev/null || true)
        [[ $out == *"Leader: node"* ]] || return 1
        for m in $NODES; do
            echo "$out" | grep -qE "^ *$m +\|.*\| - *$" || return 1
        done
        if echo "$out" | grep -qE "^ *$n +\| leader"; then
            leaders=$((leaders + 1))
            [[ $out == *"every node runs the desired state"* && $out != *"IN PROGRESS"* ]] || return 1
        fi
    done
    ((leaders == 1))
}

await_converged() {   # await_converged ROUND: prints the time it took in ms, or fails after CONVERGE_TIMEOUT
    local t0 now
    t0=$(date +%s%3N)
    while ! converged; do
        now=$(date +%s%3N)
        if ((now - t0 > CONVERGE_TIMEOUT * 1000)); then
            return 1
        fi
        sleep 0.5
    done
    echo $(($(date +%s%3N) - t0))
}

keep_hung() {   # keep_hung ROUND: thread dumps and logs of every node
    local n pid home out=$DIR/hung-$1
    mkdir -p "$out"
    for n in $NODES; do
        pid=$(sed -n "s/^${n}_PID=//p" "$DIR/cluster.env")
        home=$(sed -n "s/^${n}_HOME=//p" "$DIR/cluster.env" | tr -d '"')
        jcmd "$pid" Thread.print -l > "$out/$n-threads.txt" 2>&1 || true
        cp "$home/data/log/karaf.log" "$out/$n-karaf.log" 2> /dev/null || true
    done
    say "kept thread dumps and logs in $out"
}

L=$(leader)
say "leader $L; installing kv-api and KV 1.0.0 everywhere"
run "$L" "hot:distribute $KV_API" | tail -n 1
run "$L" "hot:distribute ${KV[1.0.0]}" | tail -n 1
current=1.0.0
await_converged 0 > /dev/null || { say "the cluster did not converge after the install"; exit 1; }

declare -A injected=([none]=0 [kill-follower]=0 [kill-leader]=0 [zookeeper]=0)
times=()
lost_total=0
failed_total=0
hung=0
rounds=0
deadline=$(($(date +%s) + MINUTES * 60))
while (($(date +%s) < deadline)); do
    rounds=$((rounds + 1))
    r=$rounds
    L=$(leader) || { say "round $r: no leader"; hung=$((hung + 1)); keep_hung "$r-noleader"; break; }
    next=$current
    while [[ $next == "$current" ]]; do
        next=$(printf '%s\n' 1.0.0 1.1.0 1.2.0 | sed -n "$((RANDOM % 3 + 1))p")
    done
    roll=$((RANDOM % 100))
    if ((roll < 30)); then fault=none
    elif ((roll < 60)); then fault=kill-follower
    elif ((roll < 80)); then fault=kill-leader
    else fault=zookeeper; fi
    victim=
    followers=()
    for n in $NODES; do [[ $n == "$L" ]] || followers+=("$n"); done
    case $fault in
        kill-follower) victim=${followers[$((RANDOM % ${#followers[@]}))]} ;;
        kill-leader) victim=$L ;;
    esac

    # Read-after-write load on every follower for the length of the round.
    load_pids=()
    for f in "${followers[@]}"; do
        run "$f" "kv:load --seconds 10 --threads 1 --prefix r$r" > "$LOGS/$r-load-$f.txt" &
        load_pids+=($!)
    done
    sleep 1
    run "$L" "hot:distribute ${KV[$next]}" > "$LOGS/$r-distribute.txt" 2>&1 &
    dist=$!
    delay=$((RANDOM % 3000))
    sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
    case $fault in
        kill-follower | kill-leader) cluster kill --dir "$DIR" "$victim" > /dev/null ;;
        zookeeper) cluster restart-zookeeper --dir "$DIR" --down $((2 + RANDOM % 11)) > "$LOGS/$r-zookeeper.txt" 2>&1 ;;
    esac
    injected[$fault]=$((${injected[$fault]} + 1))
    wait "$dist" || true
    for p in "${load_pids[@]}"; do wait "$p" || true; done
    if [[ -n $victim ]]; then
        cluster start-node --dir "$DIR" "$victim" > "$LOGS/$r-restart.txt" 2>&1 || { say "round $r: $victim did not start"; cat "$LOGS/$r-restart.txt"; hung=$((hung + 1)); break; }
    fi
    if ms=$(await_converged "$r"); then
        times+=("$ms")
    else
        say "round $r: NOT CONVERGED within ${CONVERGE_TIMEOUT}s"
        hung=$((hung + 1))
        keep_hung "$r"
        break
    fi
    # Lost writes, counted on the nodes that were not killed this round.
    round_lost=0
    round_failed=0
    for f in "${followers[@]}"; do
        [[ $f == "$victim" ]] && continue
        report=$(cat "$LOGS/$r-load-$f.txt")
        if [[ $report =~ failed=([0-9]+)\ mismatched=([0-9]+)\ lost=([0-9]+) ]]; then
            round_failed=$((round_failed + BASH_REMATCH[1]))
            round_lost=$((round_lost + BASH_REMATCH[2] + BASH_REMATCH[3]))
        else
            say "round $r: no load report from $f: $report"
            round_failed=$((round_failed + 1))
        fi
    done
    lost_total=$((lost_total + round_lost))
    failed_total=$((failed_total + round_failed))
    desired=$(run "$(leader)" "hot:status io.hotpot.examples.kv.store" | grep -oE '\b1\.[012]\.0\b' | sort | uniq -c | sort -rn | head -n 1 | awk '{print $2}')
    current=${desired:-$current}
    say "round $r: $fault${victim:+ ($victim)} at +${delay} ms, KV -> $next: $(tail -n 1 "$LOGS/$r-distribute.txt" | cut -c1-60)...; converged in ${ms} ms on $current; lost=$round_lost failed=$round_failed"
done

sorted=$(printf '%s\n' "${times[@]}" | sort -n)
count=${#times[@]}
median=$( ((count)) && echo "$sorted" | sed -n "$(((count + 1) / 2))p" || echo -)
max=$( ((count)) && echo "$sorted" | tail -n 1 || echo -)
echo
echo "== Fault run summary (seed $SEED, $MINUTES min)"
echo "rounds: $rounds; injected: none=${injected[none]} kill-follower=${injected[kill-follower]} kill-leader=${injected[kill-leader]} zookeeper-restart=${injected[zookeeper]}"
echo "convergence after each round (from the fault's end, polled through bin/client, one JVM start per node and check): median ${median} ms, max ${max} ms, over $count rounds"
echo "lost acknowledged writes: $lost_total; failed calls on nodes not killed: $failed_total; hung or unconverged: $hung"
if ((hung == 0 && lost_total == 0)); then
    echo "VERDICT: OK"
else
    echo "VERDICT: FAILED"
    exit 1
fi
