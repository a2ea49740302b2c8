#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so the keychain
# suites talk to a real OS keychain (the Secret Service), not a stand-in. The keyring's files live
# in a temp dir that is removed afterwards. Where dbus-run-session or gnome-keyring-daemon is
# missing, the command runs as it is and the keychain suites skip, saying why.
# With HOLDFAST_REQUIRE_KEYRING=1 (CI) a missing keyring is an error instead, so the suites never
# pass by skipping.
set -euo pipefail
if [ -n "${HOLDFAST_TEST_KEYRING:-}" ]; then
  exec "$@"
fi
if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  if [ -n "${HOLDFAST_REQUIRE_KEYRING:-}" ]; then
    echo "with-keyring: dbus-run-session and gnome-keyring-daemon are required (HOLDFAST_REQUIRE_KEYRING is set); run .ci/setup" >&2
    exit 1
  fi
  exec "$@"
fi
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  # Its output goes nowhere: a daemon that outlives the session must not hold the callers pipes open.
  echo -n holdfast-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  export HOLDFAST_TEST_KEYRING=1
  "$@"
' bash "$@" 2> >(grep -v "Failed to set fd limit" >&2)
