#!/usr/bin/env bash
# A trial of the school setup on one machine, as the current user:
#
#   bash deploy/trial.sh --replicas N --port P
#
# starts N replicas of the app on 127.0.0.1:P+1 … P+N and nginx on 127.0.0.1:P in front of them
# (deploy/nginx.conf rendered into a temporary prefix folder, which also holds nginx's logs and
# each replica's output), waits until every replica answers /_stcore/health and nginx answers,
# prints `replica K http://127.0.0.1:PORT pid PID` for each replica, `logs DIR`, and then
# `ready http://127.0.0.1:P`, and stays in the foreground. SIGTERM or SIGINT stops nginx and every
# replica (with any worker processes they started). The environment passes through to the
# replicas, so RESNET_EXPLORER_* limits apply to each of them; PYTHON picks the interpreter
# (default python3). All replicas share one server.cookieSecret: $STREAMLIT_SERVER_COOKIE_SECRET
# when set, otherwise one generated here. TRIAL_START_TIMEOUT (seconds, default 180) bounds the wait.
set -euo pipefail

usage() {
    echo "usage: bash deploy/trial.sh --replicas N --port P" >&2
    exit 2
}

replicas="" port=""
while [ $# -gt 0 ]; do
    case "$1" in
        --replicas) [ $# -ge 2 ] || usage; replicas="$2"; shift 2 ;;
        --port) [ $# -ge 2 ] || usage; port="$2"; shift 2 ;;
        *) usage ;;
    esac
done
[[ "$replicas" =~ ^[1-9][0-9]?$ ]] || { echo "--replicas: got '$replicas'; allowed: 1 to 99" >&2; exit 2; }
[[ "$port" =~ ^[1-9][0-9]{0,4}$ ]] && [ "$port" -ge 1024 ] && [ $((port + replicas)) -le 65535 ] \
    || { echo "--port: got '$port'; allowed: 1024 to $((65535 - replicas))" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx not found: apt-get install nginx" >&2; exit 2; }

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-python3}"
prefix="$(mktemp -d "${TMPDIR:-/tmp}/resnet-explorer-trial.XXXXXX")"
mkdir -p "$prefix/logs" "$prefix/temp"

# Streamlit signs its login cookies with server.cookieSecret; a session that moves to another
# replica (its own replica died) must find the same secret there.
export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$("$python" -c 'import secrets; print(secrets.token_hex(32))')}"

pids=()
nginx_pid=""
cleanup() {
    trap - EXIT INT TERM
    set +e
    [ -n "$nginx_pid" ] && kill -TERM "$nginx_pid" 2>/dev/null
    # Each replica leads its own process group: its spawned workers go with it.
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
    for _ in $(seq 50); do
        alive=""
        [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null && alive=1
        for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.2
    done
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
    [ -n "$nginx_pid" ] && kill -KILL "$nginx_pid" 2>/dev/null
    # Reap them: a replica killed above is gone only once its parent, this script, has waited for it.
    wait 2>/dev/null
    echo "stopped; logs in $prefix" >&2
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

for k in $(seq "$replicas"); do
    p=$((port + k))
    # setsid: the replica is its process group's leader, so cleanup can stop its workers too.
    # `serve`: streamlit run app.py once the RESNET_EXPLORER_* settings hold; a bad one stops the
    # replica before it listens (its log says which), so it never answers health "ok".
    (cd "$root" && exec setsid "$python" -m resnet_explorer serve -- \
        --server.address 127.0.0.1 --server.port "$p" --server.headless true \
        >"$prefix/logs/replica-$k.log" 2>&1) &
    pids+=("$!")
done

servers=""
for k in $(seq "$replicas"); do
    servers+="        server 127.0.0.1:$((port + k)) max_fails=1 fail_timeout=10s;"$'\n'
done
awk -v servers="$servers" -v listen="        listen 127.0.0.1:$port;" '
    /# replicas: begin/ { print; printf "%s", servers; skip = 1; next }
    /# replicas: end/ { skip = 0 }
    skip { next }
    /^ *listen / { print listen; next }
    { print }
' "$here/nginx.conf" >"$prefix/nginx.conf"

# Started by root, nginx would run its workers as nobody, who cannot write the temp folder.
run_as=""
[ "$(id -u)" -ne 0 ] || run_as=" user root $(id -gn);"
nginx -p "$prefix" -c "$prefix/nginx.conf" -g "daemon off; pid $prefix/nginx.pid;$run_as" \
    >"$prefix/logs/nginx.out" 2>&1 &
nginx_pid=$!

answers() { "$python" - "$1" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}

deadline=$((SECONDS + ${TRIAL_START_TIMEOUT:-180}))
for k in $(seq "$replicas"); do
    until answers "http://127.0.0.1:$((port + k))/_stcore/health"; do
        if ! kill -0 "${pids[$((k - 1))]}" 2>/dev/null; then
            echo "replica $k exited early; its log:" >&2
            cat "$prefix/logs/replica-$k.log" >&2
            exit 1
        fi
        [ $SECONDS -lt $deadline ] || { echo "replica $k did not answer in time" >&2; exit 1; }
        sleep 0.5
    done
done
until answers "http://127.0.0.1:$port/_stcore/health"; do
    if ! kill -0 "$nginx_pid" 2>/dev/null; then
        echo "nginx exited; its output:" >&2
        cat "$prefix/logs/nginx.out" "$prefix/logs/error.log" >&2 2>/dev/null || true
        exit 1
    fi
    [ $SECONDS -lt $deadline ] || { echo "nginx did not answer in time" >&2; exit 1; }
    sleep 0.5
done

for k in $(seq "$replicas"); do
    echo "replica $k http://127.0.0.1:$((port + k)) pid ${pids[$((k - 1))]}"
done
echo "logs $prefix/logs"
echo "ready http://127.0.0.1:$port"

# In the foreground until a signal, or until nginx stops (a dead replica is nginx's to route
# around; that is what the trial is for).
wait "$nginx_pid" || true
