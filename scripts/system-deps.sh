#!/usr/bin/env bash
# Install the system packages the grader and its tests need when they are missing:
# bubblewrap (the sandbox of every submission's kernel) and Chromium (the browser tests). On Debian/Ubuntu as root it installs
# them; elsewhere it stops and prints the exact command to run.
set -euo pipefail

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
if [ "${1:-}" = "--with-browser" ]; then
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "installing ${missing[*]} (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -qq "${missing[@]}"; then
            apt-get update
            apt-get install -y "${missing[@]}"
        fi
        exit 0
    fi
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "installing ${missing[*]} (sudo apt-get)"
        sudo -n apt-get install -y "${missing[@]}" || { sudo -n apt-get update && sudo -n apt-get install -y "${missing[@]}"; }
        exit 0
    fi
    echo "missing system package(s): ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}" >&2
elif command -v dnf >/dev/null 2>&1; then
    echo "missing system package(s): ${missing[*]}. Run: sudo dnf install -y ${missing[*]}" >&2
else
    echo "missing system package(s): ${missing[*]} (the bubblewrap sandbox, https://github.com/containers/bubblewrap); install it with your system's package manager" >&2
fi
exit 1
