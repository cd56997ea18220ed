#!/usr/bin/env bash
# Static validation of the packaging: Dockerfiles, docker-compose stack, Helm chart, dashboards.
# No Docker engine, no helm and no cluster are needed (none exist in CI): each file is checked
# with the real tool where Debian packages one, and with deploy/tools/*.py where not.
#
#   deploy/validate.sh          from anywhere; installs what it lacks (apt), prints one line per
#                               check and ends with "deploy: N passed, M failed"; exit 1 on any failure.
#
# What runs:
#   compose     docker-compose (Debian's v1.29) `config -q` on docker-compose.yml
#   yamllint    --strict with deploy/.yamllint on the compose file, deploy/compose, values.yaml, Chart.yaml
#   nginx       `nginx -t` on deploy/compose/nginx.conf (compose host names mapped to loopback)
#   JSON        the Grafana dashboard parses
#   configcheck Dockerfiles vs the projects they publish, compose/Collector/Prometheus/Grafana wiring,
#               dashboard metric names (deploy/tools/configcheck.py)
#   gotemplate  unit tests of the Go-template renderer the chart check relies on
#   helmcheck   chart: .Values references both ways, balanced actions and blocks, rendering under
#               several value sets with Kubernetes-level assertions (deploy/tools/helmcheck.py)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PYTHONDONTWRITEBYTECODE=1   # leave no __pycache__ in the work tree

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        $SUDO apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ---- tools ----------------------------------------------------------------------------------
missing=()
command -v yamllint >/dev/null 2>&1 || missing+=(yamllint)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
PY=""
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' >/dev/null 2>&1; then
        PY="$candidate"
        break
    fi
done
if [ -z "$PY" ]; then
    missing+=(python3-yaml)
    PY=/usr/bin/python3
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt_install "${missing[@]}"
fi

# nginx: the installed binary if there is one; otherwise Debian's package unpacked into a cache
# directory (apt-get download + dpkg-deb -x), so no nginx service is installed or started here.
nginx_bin() {
    if command -v nginx >/dev/null 2>&1; then
        command -v nginx
        return
    fi
    local dir="${TMPDIR:-/tmp}/pushgw-validate-nginx"
    if [ ! -x "$dir/usr/sbin/nginx" ]; then
        mkdir -p "$dir"
        if ! (cd "$dir" && apt-get download nginx >/dev/null 2>&1); then
            $SUDO apt-get update -qq
            (cd "$dir" && apt-get download nginx >/dev/null 2>&1)
        fi
        dpkg-deb -x "$(ls "$dir"/nginx_*.deb | head -n 1)" "$dir"
    fi
    echo "$dir/usr/sbin/nginx"
}

# ---- checks ---------------------------------------------------------------------------------
passed=0
failed=0
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# One check: its name, then the command. Output is shown only when it fails.
check() {
    local name="$1"
    shift
    if "$@" >"$WORK/out" 2>&1; then
        passed=$((passed + 1))
        echo "PASS $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        sed 's/^/     /' "$WORK/out"
    fi
}

# A tool that runs several checks itself and ends with "(... totals) passed=N failed=M".
check_many() {
    local name="$1"
    shift
    local rc=0
    "$@" >"$WORK/out" 2>&1 || rc=$?
    sed 's/^/  /' "$WORK/out" | grep -v 'totals) passed=' || true
    local totals p f
    totals="$(grep -o 'passed=[0-9]* failed=[0-9]*' "$WORK/out" | tail -n 1 || true)"
    if [ -z "$totals" ]; then
        failed=$((failed + 1))
        echo "FAIL $name (did not finish, exit $rc)"
        return
    fi
    p="${totals#passed=}"; p="${p%% *}"
    f="${totals##*failed=}"
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        failed=$((failed + 1))
        echo "FAIL $name (exit $rc with no failed check)"
    fi
}

check "docker-compose config accepts docker-compose.yml" \
    docker-compose -f docker-compose.yml config -q

yaml_files=(docker-compose.yml deploy/helm/pushgateway/values.yaml deploy/helm/pushgateway/Chart.yaml)
while IFS= read -r f; do yaml_files+=("$f"); done < <(find deploy/compose -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)
check "yamllint --strict (${#yaml_files[@]} files)" \
    yamllint --strict -c deploy/.yamllint "${yaml_files[@]}"

nginx_test() {
    local bin conf="$WORK/nginx/nginx.conf"
    bin="$(nginx_bin)"
    mkdir -p "$WORK/nginx/logs"
    # Only what differs outside the container: compose service names resolve to nothing here,
    # and the image's log, pid, mime.types and temp paths (/var/lib/nginx, compiled into Debian's
    # binary) need not exist on this machine, where nginx is unpacked rather than installed.
    sed -E \
        -e 's/\bgateway-([0-9]+):8080/127.0.0.1:1808\1/' \
        -e "s#^(\s*)error_log\s+[^;]+;#\1error_log stderr warn;#" \
        -e "s#^(\s*)access_log\s+/[^;]+;#\1access_log off;#" \
        -e "s#^(\s*)pid\s+[^;]+;#\1pid $WORK/nginx/nginx.pid;#" \
        -e "s#^(\s*)include\s+/etc/nginx/mime.types;#\1types { text/plain txt; }#" \
        -e "s#^http \{#http { client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy; fastcgi_temp_path $WORK/nginx/fastcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;#" \
        deploy/compose/nginx.conf >"$conf"
    "$bin" -t -q -p "$WORK/nginx" -e stderr -c "$conf"
}
check "nginx -t accepts deploy/compose/nginx.conf" nginx_test

check "Grafana dashboard JSON parses" \
    "$PY" -m json.tool deploy/compose/grafana/dashboards/pushgateway.json

check_many "configcheck" "$PY" deploy/tools/configcheck.py "$ROOT"

check "Go-template renderer unit tests" \
    "$PY" -m unittest discover -s deploy/tools -p 'test_*.py'

check_many "helmcheck" "$PY" deploy/tools/helmcheck.py deploy/helm/pushgateway

echo "deploy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
