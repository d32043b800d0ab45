#!/usr/bin/env bash
#
# hotpot-cluster.sh: a local Hotpot cluster on 127.0.0.1, made of N Karaf nodes unpacked from the Hotpot
# distribution plus one ZooKeeper (StandaloneZooKeeper, a plain Java process), for demos and integration tests.
#
#   hotpot-cluster.sh start      [--nodes N] [--dir DIR] [--zookeeper HOST:PORT[,HOST:PORT...]]
#   hotpot-cluster.sh stop       [--dir DIR]
#   hotpot-cluster.sh status     [--dir DIR]
#   hotpot-cluster.sh client     [--dir DIR] NODE COMMAND...
#   hotpot-cluster.sh kill       [--dir DIR] NODE
#   hotpot-cluster.sh start-node [--dir DIR] [--console-only] NODE     (a new NODE joins the cluster)
#   hotpot-cluster.sh restart-zookeeper [--dir DIR] [--down SECONDS]   (the cluster's own ZooKeeper: stop, wait, start on its port with its data)
#
# Defaults: 3 nodes, DIR=./.cluster, and a ZooKeeper of our own on a free port unless --zookeeper is given.
# The distribution is HOTPOT_DIST, or else target/hotpot-distribution-*.tar.gz beside this script.
#
# Layout of DIR:
#   karaf-home/          the unpacked distribution (unpacked again only when the tar.gz changes)
#   nodeI/               one Karaf per node: a copy of karaf-home whose system/ is a symlink to the shared one
#   nodeI.pid            the node's JVM PID          nodeI.env    its ports (sourceable)
#   zookeeper/           ZooKeeper data              zookeeper.pid, zookeeper.log
#   cluster.env          ZK_CONNECT, NODES, nodeI_SSH, nodeI_PID, nodeI_HOME, ... (sourceable)
#   hotpot-credentials.properties  the cluster's credentials (signing key, trusted keys, ZooKeeper secret), mode 600:
#                        generated once, on the first start in DIR, kept by later starts, copied into every node's etc/
#                        (not a .cfg file: Configuration Admin must not keep a copy of the secrets)
#
# Logs of a node: DIR/nodeI/data/log/karaf.log and DIR/nodeI/karaf.out.
# Only processes whose PID is recorded in DIR, and whose command line names DIR, are ever signalled.
#
# Environment: JAVA_HOME (else java on PATH), HOTPOT_DIST, HOTPOT_BOOT_TIMEOUT (seconds, default 120),
# HOTPOT_KEEP_ON_FAILURE=1 (leave processes running when start fails, to inspect them),
# HOTPOT_ZK_JAVA_OPTS (default -Xmx256m).
#
# Exit codes: 0 ok, 1 error, 2 usage; status: 0 if every recorded process is alive, 3 otherwise.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly BOOT_TIMEOUT=${HOTPOT_BOOT_TIMEOUT:-120}
readonly STOP_TIMEOUT=20
readonly KARAF_USER=karaf
readonly KARAF_PASSWORD=karaf
# The bundle whose Active state means "this node is up" (Karaf lists it as Waiting while its component has failed).
READY_BUNDLE=io.hotpot.runtime

# Ports are drawn below Linux's ephemeral range (32768+), so outgoing connections cannot grab them meanwhile.
readonly PORT_MIN=20000
readonly PORT_SPAN=12000

usage() {
    echo "Usage:" >&2
    grep '^#   hotpot-cluster.sh ' "${BASH_SOURCE[0]}" | sed 's/^#//' >&2
    exit 2
}

die() {
    echo "hotpot-cluster: $*" >&2
    exit 1
}

say() {
    echo "hotpot-cluster: $*" >&2
}

# ---------------------------------------------------------------------------------------------------------------
# Arguments

COMMAND=${1:-}
[[ -n $COMMAND ]] || usage
shift

NODE_COUNT=3
DIR=./.cluster
EXTERNAL_ZK=
POSITIONAL=()
while (($#)); do
    case $1 in
        --nodes) NODE_COUNT=${2:?--nodes needs a number}; shift 2 ;;
        --dir) DIR=${2:?--dir needs a directory}; shift 2 ;;
        --zookeeper) EXTERNAL_ZK=${2:?--zookeeper needs HOST:PORT}; shift 2 ;;
        # start-node: ready once the console answers, not Hotpot's runtime (a test whose node must fail its
        # activation; Karaf then lists the runtime as Waiting). io.hotpot.api is above bundle:list's threshold.
        --console-only) READY_BUNDLE=io.hotpot.api; shift ;;
        -h | --help) usage ;;
        --) shift; POSITIONAL+=("$@"); break ;;
        *)
            # Everything from the first positional argument on belongs to it (client NODE COMMAND...).
            POSITIONAL+=("$@")
            break
            ;;
    esac
done

mkdir -p "$DIR"
# Physical path: it is matched against the -Dkaraf.base=... that bin/karaf puts on the JVM's command line.
DIR=$(cd "$DIR" && pwd -P)
readonly DIR
readonly KARAF_HOME_DIR=$DIR/karaf-home
readonly CLUSTER_ENV=$DIR/cluster.env

# ---------------------------------------------------------------------------------------------------------------
# Java

find_java() {
    if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
        JAVA=$JAVA_HOME/bin/java
    elif command -v java > /dev/null 2>&1; then
        JAVA=$(command -v java)
        # bin/karaf and bin/client complain and guess when JAVA_HOME is unset.
        JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$JAVA")")")
    else
        die "no Java found: set JAVA_HOME or put java (17) on PATH"
    fi
    export JAVA_HOME
}

# ---------------------------------------------------------------------------------------------------------------
# Processes

# Prints the command line of PID, or nothing if it does not exist.
cmdline_of() {
    if [[ -r /proc/$1/cmdline ]]; then
        tr '\0' ' ' < "/proc/$1/cmdline" 2> /dev/null || true
    else
        ps -ww -o args= -p "$1" 2> /dev/null || true
    fi
}

# is_ours PID MARKER: the process exists and its command line contains MARKER (a path inside DIR), so a PID the
# system has reused for something else is never signalled.
is_ours() {
    local pid=$1 marker=$2 cmd
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2> /dev/null || return 1
    cmd=$(cmdline_of "$pid")
    [[ $cmd == *"$marker"* ]]
}

# The marker of each kind of process: what its command line necessarily contains.
node_marker() {
    # The trailing space keeps node1 from matching node10.
    echo "-Dkaraf.base=$DIR/$1 "
}

zk_marker() {
    echo "--data-dir $DIR/zookeeper"
}

read_pid() {
    if [[ -f $1 ]]; then
        tr -dc '0-9' < "$1"
    fi
}

# stop_pids NAME=PID:MARKER...: SIGTERM those that are ours, wait up to STOP_TIMEOUT s until all of them are gone,
# then SIGKILL the rest. Once signalled, a PID is watched with kill -0 only: an exiting JVM's command line is
# already empty, and its ports are only free once it is fully gone.
stop_pids() {
    local entry name pid marker waited=0
    local -a pending=() alive=()
    for entry in "$@"; do
        name=${entry%%=*}
        pid=${entry#*=}
        marker=${pid#*:}
        pid=${pid%%:*}
        if is_ours "$pid" "$marker"; then
            say "stopping $name (pid $pid)"
            kill -TERM "$pid" 2> /dev/null || true
            pending+=("$name=$pid")
        fi
    done
    while ((${#pending[@]})) && ((waited < STOP_TIMEOUT * 2)); do
        alive=()
        for entry in "${pending[@]}"; do
            kill -0 "${entry#*=}" 2> /dev/null && alive+=("$entry")
        done
        pending=(${alive[@]+"${alive[@]}"})
        ((${#pending[@]})) || break
        sleep 0.5
        waited=$((waited + 1))
    done
    for entry in ${pending[@]+"${pending[@]}"}; do
        # A node in a broken state (e.g. a port clash) was seen ignoring SIGTERM.
        say "${entry%%=*} (pid ${entry#*=}) still alive after ${STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "${entry#*=}" 2> /dev/null || true
        wait_gone "${entry#*=}" || say "${entry%%=*} (pid ${entry#*=}) survived SIGKILL"
    done
}

# wait_gone PID: up to 5 s for a signalled process to disappear completely.
wait_gone() {
    local i
    for ((i = 0; i < 50; i++)); do
        kill -0 "$1" 2> /dev/null || return 0
        sleep 0.1
    done
    return 1
}

# ---------------------------------------------------------------------------------------------------------------
# Ports

declare -A CHOSEN_PORTS=()

port_in_use() {
    local port=$1
    if command -v ss > /dev/null 2>&1; then
        # Any socket on that local port counts, listening or not (e.g. TIME_WAIT of a stopped node).
        [[ -n $(ss -Htan "sport = :$port" 2> /dev/null) ]]
    else
        (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null
    fi
}

# Sets PORT to a port that is free now and was not handed out before in this run (callers cannot use $(...),
# which would lose CHOSEN_PORTS). Another process can still take it before the node binds it: that node then
# fails to boot with a clear error, and a new start picks other ports.
free_port() {
    local tries
    for ((tries = 0; tries < 500; tries++)); do
        PORT=$((PORT_MIN + RANDOM % PORT_SPAN))
        [[ -z ${CHOSEN_PORTS[$PORT]:-} ]] || continue
        port_in_use "$PORT" && continue
        CHOSEN_PORTS[$PORT]=1
        return 0
    done
    die "no free port found in $PORT_MIN..$((PORT_MIN + PORT_SPAN))"
}

wait_listening() {
    local port=$1
    if command -v ss > /dev/null 2>&1; then
        [[ -n $(ss -Htln "sport = :$port" 2> /dev/null) ]]
    else
        (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# Files

# set_prop FILE KEY VALUE: replaces the "KEY = ..." line (any spacing, '=' or ':') or appends one, and keeps
# every other line, so keys added to these files later are not lost.
set_prop() {
    local file=$1 key=$2 value=$3 tmp
    [[ -f $file ]] || : > "$file"
    tmp=$(mktemp "$file.XXXXXX")
    awk -v k="$key" -v v="$value" '
        {
            line = $0
            sub(/^[ \t]+/, "", line)
            if (index(line, k) == 1 && substr(line, length(k) + 1) ~ /^[ \t]*[=:]/) {
                if (!done) print k " = " v
                done = 1
                next
            }
            print
        }
        END { if (!done) print k " = " v }
    ' "$file" > "$tmp"
    mv "$tmp" "$file"
}

find_dist() {
    local -a candidates
    if [[ -n ${HOTPOT_DIST:-} ]]; then
        [[ -f $HOTPOT_DIST ]] || die "HOTPOT_DIST=$HOTPOT_DIST does not exist"
        DIST=$(cd "$(dirname "$HOTPOT_DIST")" && pwd)/$(basename "$HOTPOT_DIST")
        return
    fi
    shopt -s nullglob
    candidates=("$SCRIPT_DIR"/target/hotpot-distribution-*.tar.gz)
    shopt -u nullglob
    ((${#candidates[@]})) || die "no distribution in $SCRIPT_DIR/target: build it (mvn install -pl distribution)" \
        "or set HOTPOT_DIST=/path/to/hotpot-distribution.tar.gz"
    ((${#candidates[@]} == 1)) || die "several distributions in $SCRIPT_DIR/target; set HOTPOT_DIST"
    DIST=${candidates[0]}
}

# Unpacks the distribution into DIR/karaf-home unless the same tar.gz (path, size, mtime) is unpacked already.
unpack_dist() {
    local stamp
    stamp="$DIST $(stat -c '%s %Y' "$DIST" 2> /dev/null || stat -f '%z %m' "$DIST")"
    if [[ -f $KARAF_HOME_DIR/.hotpot-dist && $(< "$KARAF_HOME_DIR/.hotpot-dist") == "$stamp" ]]; then
        return
    fi
    say "unpacking $DIST"
    rm -rf "$KARAF_HOME_DIR"
    mkdir -p "$KARAF_HOME_DIR"
    tar -xzf "$DIST" -C "$KARAF_HOME_DIR" --strip-components=1
    echo "$stamp" > "$KARAF_HOME_DIR/.hotpot-dist"
}

node_names() {
    local i
    for ((i = 1; i <= NODE_COUNT; i++)); do
        echo "node$i"
    done
}

# Node names recorded in DIR, whether from cluster.env or from leftover pid/env files.
known_nodes() {
    local f
    shopt -s nullglob
    for f in "$DIR"/node*.env "$DIR"/node*.pid; do
        f=${f##*/}
        echo "${f%.*}"
    done | sort -u -V
    shopt -u nullglob
}

load_node_env() {
    local name=$1
    [[ $name =~ ^node[0-9]+$ ]] || die "no such node: $name (expected node1, node2, ...)"
    [[ -f $DIR/$name.env ]] || die "no such node in $DIR: $name"
    # shellcheck source=/dev/null
    source "$DIR/$name.env"
}

# ---------------------------------------------------------------------------------------------------------------
# Cluster credentials

readonly SECRETS_FILE=$DIR/hotpot-credentials.properties

# Creates DIR/hotpot-credentials.properties unless it exists, with the same code a node runs when it starts without one
# (io.hotpot.runtime.security.credentials.SecretsFile, from the distribution's runtime bundle: JDK classes only).
ensure_secrets() {
    local -a found
    [[ -f $SECRETS_FILE ]] && return 0
    shopt -s nullglob
    found=("$KARAF_HOME_DIR"/system/io/hotpot/hotpot-runtime/*/hotpot-runtime-*.jar)
    shopt -u nullglob
    ((${#found[@]})) || die "$KARAF_HOME_DIR/system has no hotpot-runtime jar: is this a Hotpot distribution?"
    "$JAVA" -cp "${found[${#found[@]} - 1]}" io.hotpot.runtime.security.credentials.SecretsFile "$SECRETS_FILE" > /dev/null ||
        die "could not create the cluster credentials $SECRETS_FILE"
    chmod 600 "$SECRETS_FILE"
    say "generated the cluster credentials $SECRETS_FILE (mode 600; every node gets a copy)"
}

# ---------------------------------------------------------------------------------------------------------------
# ZooKeeper

zk_classpath() {
    local system=$KARAF_HOME_DIR/system jar pattern cp=
    local -a found
    for pattern in \
        "io/hotpot/hotpot-zookeeper-server/*/hotpot-zookeeper-server-*.jar" \
        "io/hotpot/hotpot-zookeeper/*/hotpot-zookeeper-*.jar" \
        "org/slf4j/slf4j-api/*/slf4j-api-*.jar" \
        "io/dropwizard/metrics/metrics-core/*/metrics-core-*.jar" \
        "org/xerial/snappy/snappy-java/*/snappy-java-*.jar"; do
        shopt -s nullglob
        # shellcheck disable=SC2206
        found=($system/$pattern)
        shopt -u nullglob
        ((${#found[@]})) || die "$system has no $pattern: is this a Hotpot distribution?"
        jar=${found[${#found[@]} - 1]}
        cp=${cp:+$cp:}$jar
    done
    echo "$cp"
}

start_zookeeper() {
    free_port
    ZK_PORT=$PORT
    rm -rf "$DIR/zookeeper"
    mkdir -p "$DIR/zookeeper"
    launch_zookeeper
}

# Starts ZooKeeper on ZK_PORT with the data in DIR/zookeeper, as it is.
launch_zookeeper() {
    local cp pid i
    cp=$(zk_classpath)
    # The previous run's log is kept beside: its "listening" line must not be mistaken for this one's.
    [[ -f $DIR/zookeeper.log ]] && mv "$DIR/zookeeper.log" "$DIR/zookeeper.log.1"
    say "starting ZooKeeper on 127.0.0.1:$ZK_PORT"
    # Detached like the nodes (see launch_node); java is exec'd, so $! is the JVM's PID.
    # shellcheck disable=SC2086
    detached "$DIR/zookeeper.log" "$JAVA" ${HOTPOT_ZK_JAVA_OPTS:--Xmx256m} -cp "$cp" \
        io.hotpot.zookeeper.server.StandaloneZooKeeper \
        --host 127.0.0.1 --port "$ZK_PORT" --data-dir "$DIR/zookeeper" &
    pid=$!
    echo "$pid" > "$DIR/zookeeper.pid"
    for ((i = 0; i < 300; i++)); do
        grep -q '^ZooKeeper listening on ' "$DIR/zookeeper.log" 2> /dev/null && return 0
        kill -0 "$pid" 2> /dev/null || die "ZooKeeper exited during start, see $DIR/zookeeper.log"
        sleep 0.1
    done
    die "ZooKeeper not listening after 30 s, see $DIR/zookeeper.log"
}

# ---------------------------------------------------------------------------------------------------------------
# Nodes

create_node() {
    local name=$1 home=$DIR/$1 entry ssh rmi_registry rmi_server fastbin
    rm -rf "$home"
    mkdir -p "$home"
    for entry in "$KARAF_HOME_DIR"/* "$KARAF_HOME_DIR"/.[!.]*; do
        [[ -e $entry ]] || continue
        case ${entry##*/} in
            system) ln -s "$KARAF_HOME_DIR/system" "$home/system" ;; # read-only and large: share it
            .hotpot-dist) ;;
            *) cp -a "$entry" "$home/" ;;
        esac
    done

    free_port; ssh=$PORT
    free_port; rmi_registry=$PORT
    free_port; rmi_server=$PORT
    free_port; fastbin=$PORT

    local etc=$home/etc
    set_prop "$etc/system.properties" karaf.name "$name"
    set_prop "$etc/org.apache.karaf.shell.cfg" sshPort "$ssh"
    set_prop "$etc/org.apache.karaf.shell.cfg" sshHost 127.0.0.1
    set_prop "$etc/org.apache.karaf.management.cfg" rmiRegistryPort "$rmi_registry"
    set_prop "$etc/org.apache.karaf.management.cfg" rmiRegistryHost 127.0.0.1
    set_prop "$etc/org.apache.karaf.management.cfg" rmiServerPort "$rmi_server"
    set_prop "$etc/org.apache.karaf.management.cfg" rmiServerHost 127.0.0.1
    set_prop "$etc/org.apache.aries.rsa.provider.fastbin.cfg" uri "tcp://127.0.0.1:$fastbin"
    set_prop "$etc/org.apache.aries.rsa.provider.fastbin.cfg" exportedAddress 127.0.0.1
    set_prop "$etc/org.apache.aries.rsa.discovery.zookeeper.cfg" zookeeper.host "${ZK_CONNECT%:*}"
    set_prop "$etc/org.apache.aries.rsa.discovery.zookeeper.cfg" zookeeper.port "${ZK_CONNECT##*:}"
    set_prop "$etc/io.hotpot.node.cfg" node.id "$name"
    set_prop "$etc/io.hotpot.node.cfg" zookeeper.connect "$ZK_CONNECT"
    # Same credentials on every node: any node may become the leader and sign.
    ensure_secrets
    install -m 600 "$SECRETS_FILE" "$etc/hotpot-credentials.properties"

    cat > "$DIR/$name.env" << EOF
NODE_HOME=$(env_value "$home")
NODE_SSH=$ssh
NODE_RMI_REGISTRY=$rmi_registry
NODE_RMI_SERVER=$rmi_server
NODE_FASTBIN=$fastbin
EOF
}

# detached LOG COMMAND...: runs COMMAND in place of the current (sub)shell, in its own session, with no tie to
# our stdin/stdout. A caller reading our stdout (a test harness) would otherwise never see EOF, and a Ctrl-C or a
# kill of the caller's process group would take the cluster down behind the pid files' back. Call it with &.
detached() {
    local log=$1
    shift
    if command -v setsid > /dev/null 2>&1; then
        exec setsid nohup "$@" > "$log" 2>&1 < /dev/null
    else
        exec nohup "$@" > "$log" 2>&1 < /dev/null
    fi
}

# Launches the node's Karaf in the background and records the JVM's PID.
launch_node() {
    local name=$1 home=$DIR/$1 launcher pid i
    rm -f "$home/karaf.pid" "$DIR/$name.pid"
    (
        cd "$home"
        # KARAF_* from the caller's environment would point bin/karaf at another installation.
        unset KARAF_HOME KARAF_BASE KARAF_DATA KARAF_ETC KARAF_LOG
        detached "$home/karaf.out" bin/karaf server
    ) &
    launcher=$!
    # bin/karaf runs java as a child rather than exec'ing it: the JVM's PID is the one Karaf writes itself.
    for ((i = 0; i < 300; i++)); do
        pid=$(read_pid "$home/karaf.pid")
        if [[ -n $pid ]]; then
            echo "$pid" > "$DIR/$name.pid"
            return 0
        fi
        kill -0 "$launcher" 2> /dev/null || die "$name exited at once, see $home/karaf.out"
        sleep 0.1
    done
    die "$name wrote no karaf.pid within 30 s, see $home/karaf.out"
}

# Runs Karaf console commands (stdin) on a node; batch mode, because "bin/client CMD" printed nothing.
karaf_client() {
    local home=$1 ssh=$2
    "$home/bin/client" -b -u "$KARAF_USER" -p "$KARAF_PASSWORD" -a "$ssh" -h 127.0.0.1
}

# wait_ready NAME DEADLINE(epoch s): until the node's ssh answers and READY_BUNDLE is Active.
wait_ready() {
    local name=$1 deadline=$2 pid out
    load_node_env "$name"
    pid=$(read_pid "$DIR/$name.pid")
    while :; do
        is_ours "$pid" "$(node_marker "$name")" ||
            die "$name (pid $pid) died during boot, see $NODE_HOME/data/log/karaf.log and $NODE_HOME/karaf.out"
        # Checking the port first is cheap; every bin/client call starts a JVM.
        if wait_listening "$NODE_SSH"; then
            out=$(echo "bundle:list -s" | karaf_client "$NODE_HOME" "$NODE_SSH" 2> /dev/null || true)
            out=${out//$'\r'/}
            if grep -Eq "\| Active +\|.*\| $READY_BUNDLE( |$)" <<< "$out"; then
                return 0
            fi
        fi
        (($(date +%s) < deadline)) ||
            die "$name not ready after ${BOOT_TIMEOUT}s ($READY_BUNDLE not Active on ssh port $NODE_SSH)," \
                "see $NODE_HOME/data/log/karaf.log"
        sleep 2
    done
}

# Shell-quotes a value only when it needs it, so that plain paths stay KEY=/abs/path for readers that split on '='.
env_value() {
    if [[ $1 =~ ^[A-Za-z0-9_./:@+-]*$ ]]; then
        printf '%s' "$1"
    else
        printf '%q' "$1"
    fi
}

write_cluster_env() {
    local name tmp nodes=''
    tmp=$(mktemp "$CLUSTER_ENV.XXXXXX")
    {
        echo "# Written by hotpot-cluster.sh; source it."
        echo "CLUSTER_DIR=$(env_value "$DIR")"
        echo "ZK_CONNECT=$ZK_CONNECT"
        echo "ZK_PID=$(read_pid "$DIR/zookeeper.pid")"
        for name in $CLUSTER_NODES; do
            nodes=${nodes:+$nodes }$name
        done
        echo "NODES=\"$nodes\""
        for name in $CLUSTER_NODES; do
            load_node_env "$name"
            echo "${name}_SSH=$NODE_SSH"
            echo "${name}_PID=$(read_pid "$DIR/$name.pid")"
            echo "${name}_HOME=$(env_value "$NODE_HOME")"
            echo "${name}_FASTBIN=$NODE_FASTBIN"
            echo "${name}_JMX_REGISTRY=$NODE_RMI_REGISTRY"
            echo "${name}_JMX_SERVER=$NODE_RMI_SERVER"
        done
    } > "$tmp"
    mv "$tmp" "$CLUSTER_ENV"
}

print_table() {
    local name
    printf '%-10s %-8s %-6s %-8s %s\n' NODE PID SSH FASTBIN HOME
    for name in $CLUSTER_NODES; do
        load_node_env "$name"
        printf '%-10s %-8s %-6s %-8s %s\n' "$name" "$(read_pid "$DIR/$name.pid")" "$NODE_SSH" "$NODE_FASTBIN" \
            "$NODE_HOME"
    done
    printf 'ZooKeeper  %-8s %s\n' "$(read_pid "$DIR/zookeeper.pid")" "$ZK_CONNECT"
    printf 'cluster.env: %s\n' "$CLUSTER_ENV"
}

# Stops whatever this DIR started, after a failed start, unless asked to keep it for inspection.
cleanup_on_failure() {
    local status=$?
    if ((status != 0)) && [[ ${HOTPOT_KEEP_ON_FAILURE:-} != 1 ]]; then
        say "start failed: stopping what was started (HOTPOT_KEEP_ON_FAILURE=1 keeps it)"
        cmd_stop > /dev/null || true
    fi
    exit "$status"
}

# ---------------------------------------------------------------------------------------------------------------
# Commands

cmd_start() {
    local name deadline started_at
    [[ $NODE_COUNT =~ ^[1-9][0-9]*$ ]] || die "--nodes needs a positive number, got '$NODE_COUNT'"
    any_alive && die "a cluster started from $DIR is still running: hotpot-cluster.sh stop --dir $DIR"
    find_java
    find_dist
    unpack_dist

    # Leftovers of an earlier cluster in this DIR (possibly with more nodes): none of them is running.
    for name in $(known_nodes); do
        rm -rf "${DIR:?}/$name" "$DIR/$name.pid" "$DIR/$name.env"
    done
    rm -f "$CLUSTER_ENV" "$DIR/zookeeper.pid"

    trap cleanup_on_failure EXIT
    if [[ -n $EXTERNAL_ZK ]]; then
        # One server or an ensemble: HOST:PORT[,HOST:PORT...]. Aries discovery takes it as zookeeper.host
        # (all but the last port) and zookeeper.port, and joins them again into one connect string.
        [[ $EXTERNAL_ZK =~ ^[^:,]+:[0-9]+(,[^:,]+:[0-9]+)*$ ]] || die "--zookeeper needs HOST:PORT[,HOST:PORT...], got '$EXTERNAL_ZK'"
        ZK_CONNECT=$EXTERNAL_ZK
    else
        start_zookeeper
        ZK_CONNECT=127.0.0.1:$ZK_PORT
    fi

    CLUSTER_NODES=$(node_names | tr '\n' ' ')
    for name in $CLUSTER_NODES; do
        create_node "$name"
    done
    write_cluster_env

    started_at=$(date +%s)
    for name in $CLUSTER_NODES; do
        say "starting $name"
        launch_node "$name"
    done
    write_cluster_env
    deadline=$((started_at + BOOT_TIMEOUT))
    for name in $CLUSTER_NODES; do
        wait_ready "$name" "$deadline"
        say "$name ready after $(($(date +%s) - started_at))s"
    done
    trap - EXIT
    print_table
}

any_alive() {
    local name
    is_ours "$(read_pid "$DIR/zookeeper.pid")" "$(zk_marker)" && return 0
    for name in $(known_nodes); do
        is_ours "$(read_pid "$DIR/$name.pid")" "$(node_marker "$name")" && return 0
    done
    return 1
}

cmd_stop() {
    local name
    local -a targets=()
    for name in $(known_nodes); do
        targets+=("$name=$(read_pid "$DIR/$name.pid"):$(node_marker "$name")")
    done
    # Nodes first, so that they do not spend their shutdown reconnecting to a ZooKeeper that is gone.
    ((${#targets[@]})) && stop_pids "${targets[@]}"
    stop_pids "zookeeper=$(read_pid "$DIR/zookeeper.pid"):$(zk_marker)"
    for name in $(known_nodes); do
        rm -f "$DIR/$name.pid"
    done
    rm -f "$DIR/zookeeper.pid"
    say "stopped"
}

cmd_status() {
    local name pid alive all_alive=0 zk='' zk_ours=''
    printf '%-10s %-8s %-6s %s\n' NAME PID ALIVE SSH
    for name in $(known_nodes); do
        load_node_env "$name"
        pid=$(read_pid "$DIR/$name.pid")
        if is_ours "$pid" "$(node_marker "$name")"; then alive=yes; else alive=no; all_alive=3; fi
        printf '%-10s %-8s %-6s %s\n' "$name" "${pid:--}" "$alive" "$NODE_SSH"
    done
    if [[ -f $CLUSTER_ENV ]]; then
        zk=$(sed -n 's/^ZK_CONNECT=//p' "$CLUSTER_ENV")
        zk_ours=$(sed -n 's/^ZK_PID=//p' "$CLUSTER_ENV")
    fi
    pid=$(read_pid "$DIR/zookeeper.pid")
    if [[ -n $pid || -n $zk_ours ]]; then
        if is_ours "$pid" "$(zk_marker)"; then alive=yes; else alive=no; all_alive=3; fi
        printf '%-10s %-8s %-6s %s\n' zookeeper "${pid:--}" "$alive" "- ($zk)"
    elif [[ -n $zk ]]; then
        printf '%-10s %-8s %-6s %s\n' zookeeper - external "- ($zk)"
    fi
    return "$all_alive"
}

cmd_client() {
    local name=${POSITIONAL[0]:-} pid
    ((${#POSITIONAL[@]} >= 2)) || die "usage: hotpot-cluster.sh client [--dir DIR] NODE COMMAND..."
    load_node_env "$name"
    pid=$(read_pid "$DIR/$name.pid")
    is_ours "$pid" "$(node_marker "$name")" || die "$name is not running"
    find_java
    printf '%s\n' "${POSITIONAL[*]:1}" | karaf_client "$NODE_HOME" "$NODE_SSH"
}

cmd_kill() {
    local name=${POSITIONAL[0]:-} pid
    [[ -n $name ]] || die "usage: hotpot-cluster.sh kill [--dir DIR] NODE"
    load_node_env "$name"
    pid=$(read_pid "$DIR/$name.pid")
    is_ours "$pid" "$(node_marker "$name")" || die "$name is not running"
    kill -KILL "$pid"
    wait_gone "$pid" || die "$name (pid $pid) survived SIGKILL"
    say "killed $name (pid $pid)"
}

cmd_start_node() {
    local name=${POSITIONAL[0]:-} pid started_at
    [[ -n $name ]] || die "usage: hotpot-cluster.sh start-node [--dir DIR] NODE"
    [[ -f $CLUSTER_ENV ]] || die "no $CLUSTER_ENV: start the cluster first"
    ZK_CONNECT=$(sed -n 's/^ZK_CONNECT=//p' "$CLUSTER_ENV")
    CLUSTER_NODES=$(sed -n 's/^NODES="\(.*\)"$/\1/p' "$CLUSTER_ENV")
    if [[ $name =~ ^node[0-9]+$ && ! -f $DIR/$name.env ]]; then
        # A node the cluster never had: it joins with a home and ports of its own (and the cluster's credentials).
        find_java
        find_dist
        unpack_dist
        create_node "$name"
        CLUSTER_NODES="$CLUSTER_NODES $name"
    fi
    load_node_env "$name"
    pid=$(read_pid "$DIR/$name.pid")
    is_ours "$pid" "$(node_marker "$name")" && die "$name is already running (pid $pid)"
    find_java
    started_at=$(date +%s)
    say "starting $name"
    launch_node "$name"
    wait_ready "$name" $((started_at + BOOT_TIMEOUT))
    say "$name ready after $(($(date +%s) - started_at))s"
    write_cluster_env
    print_table
}

cmd_restart_zookeeper() {
    local down=0 pid
    [[ ${POSITIONAL[0]:-} == --down ]] && down=${POSITIONAL[1]:?--down needs seconds}
    [[ -f $CLUSTER_ENV ]] || die "no $CLUSTER_ENV: start the cluster first"
    ZK_CONNECT=$(sed -n 's/^ZK_CONNECT=//p' "$CLUSTER_ENV")
    CLUSTER_NODES=$(sed -n 's/^NODES="\(.*\)"$/\1/p' "$CLUSTER_ENV")
    [[ -f $DIR/zookeeper.pid ]] || die "this cluster uses an external ZooKeeper ($ZK_CONNECT)"
    ZK_PORT=${ZK_CONNECT##*:}
    pid=$(read_pid "$DIR/zookeeper.pid")
    is_ours "$pid" "$(zk_marker)" && stop_pids "zookeeper=$pid:$(zk_marker)"
    sleep "$down"
    find_java
    launch_zookeeper
    write_cluster_env
}

case $COMMAND in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    client) cmd_client ;;
    kill) cmd_kill ;;
    start-node) cmd_start_node ;;
    restart-zookeeper) cmd_restart_zookeeper ;;
    -h | --help | help) usage ;;
    *) echo "hotpot-cluster: unknown command '$COMMAND'" >&2; usage ;;
esac
