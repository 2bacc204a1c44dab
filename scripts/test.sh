#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run every test, browser tests included.
# This is the README's test command; .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# The project itself, editable, with its console script `resnet-explorer`, plus the test tools.
python3 -m pip install -q -r requirements-test.txt -e .

# The browser tests drive Debian's Chromium (Playwright cannot download a browser here), with a
# CJK font so that screenshots of the 简体中文 interface show characters, not boxes; Graphviz's
# `dot` lets the SVG export of the architecture graph be tested too; nginx balances two replicas
# in the deployment test (deploy/).
if ! command -v chromium >/dev/null 2>&1 || ! command -v dot >/dev/null 2>&1 \
        || ! command -v nginx >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk graphviz nginx >/dev/null
fi

python3 -m ruff check .
python3 -m ruff format --check .
python3 -m pytest -q -p no:cacheprovider "$@"
