#!/usr/bin/env bash
# The two commands of the README:
#   ./run.sh demo [ARGS]   run the pipeline on the embedded default (no services needed)
#   ./run.sh test [ARGS]   start the real services, then pytest (ARGS go to pytest)
# Both first make sure .venv exists with the project installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

VENV=.venv
STAMP="$VENV/.dossier-install-stamp"

say() { printf '[run.sh] %s\n' "$*" >&2; }

find_python() {
    local candidate
    for candidate in python3.11 /usr/bin/python3.11 "$HOME"/.pyenv/versions/3.11*/bin/python3.11; do
        if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    say "Python 3.11 is needed (apt-get install python3.11 python3.11-venv, or pyenv install 3.11)"
    return 1
}

find_uv() {
    if command -v uv >/dev/null 2>&1; then
        command -v uv
    elif [ -x "$VENV/bin/uv" ]; then
        echo "$VENV/bin/uv"
    else
        return 1
    fi
}

bootstrap() {
    local python uv wanted
    if ! uv=$(find_uv); then
        python=$(find_python)
        say "uv not found: installing it with pip into $VENV"
        [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
        "$VENV/bin/python" -m pip --version >/dev/null 2>&1 || "$VENV/bin/python" -m ensurepip --quiet
        "$VENV/bin/python" -m pip install --quiet uv
        uv="$VENV/bin/uv"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        python=${python:-$(find_python)}
        say "creating $VENV with $python"
        "$uv" venv --quiet --python "$python" "$VENV"
    fi
    wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$wanted" ] || [ ! -x "$VENV/bin/dossier" ]; then
        say "installing the project into $VENV (pyproject.toml changed)"
        "$uv" pip install --quiet --python "$VENV/bin/python" -e '.[dev]'
        echo "$wanted" >"$STAMP"
    fi
}

run_tests() {
    "$VENV/bin/dossier" services up
    local rc=0
    DOSSIER_REQUIRE_SERVICES=1 "$VENV/bin/pytest" "$@" || rc=$?
    if [ "$rc" -eq 5 ]; then
        say "pytest collected no tests: that is a failure"
        return 1
    fi
    return "$rc"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
    demo)
        bootstrap
        exec "$VENV/bin/dossier" demo "$@"
        ;;
    test)
        bootstrap
        run_tests "$@"
        ;;
    bootstrap)
        bootstrap
        ;;
    *)
        echo "usage: ./run.sh demo [ARGS] | ./run.sh test [PYTEST ARGS] | ./run.sh bootstrap" >&2
        exit 2
        ;;
esac
