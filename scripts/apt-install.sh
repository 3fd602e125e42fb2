#!/usr/bin/env bash
# Install Debian packages (`scripts/apt-install.sh chromium fonts-dejavu-core`), waiting for another package
# manager run (unattended-upgrades, a second `make test`) to finish instead of failing at once.
# apt-get waits for dpkg's lock itself (DPkg::Lock::Timeout); `apt-get update` does not wait for the lock of
# the package lists (apt 2.6 fails at once: "Could not get lock /var/lib/apt/lists/lock"), so it is retried
# while that lock is held. APT_LOCK_TIMEOUT (seconds, default 600) bounds the wait; APT_OPTIONS adds options.
set -euo pipefail

wait_s=${APT_LOCK_TIMEOUT:-600}
export DEBIAN_FRONTEND=noninteractive LC_ALL=C  # LC_ALL: the lock message below is matched in English
read -r -a extra <<<"${APT_OPTIONS:-}"
apt=(apt-get -qq -o "DPkg::Lock::Timeout=$wait_s" "${extra[@]}")

deadline=$((SECONDS + wait_s))
told=""
until output=$("${apt[@]}" update 2>&1); do
    if ! grep -q "Could not get lock" <<<"$output" || ((SECONDS >= deadline)); then
        printf '%s\n' "$output" >&2
        exit 1
    fi
    if [[ -z $told ]]; then
        echo "Another package manager is updating the package lists; waiting (up to ${wait_s} s)..." >&2
        told=yes
    fi
    sleep 2
done

if (($#)); then
    "${apt[@]}" install -y "$@" >/dev/null
fi
