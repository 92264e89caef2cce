#!/usr/bin/env bash
# Installs what nslab needs (Debian packages, npm packages) and builds it. Safe to run again: it
# installs only what is missing (by package status, not by command names) and rebuilds only what
# changed.
#   bash scripts/setup.sh           what the main job needs (`npm run quickstart`)
#   bash scripts/setup.sh --tests   also everything the test suite needs (`npm test`): Mininet,
#                                   Chromium, FRR, the OpenFlow controllers, nftables/iptables, sshd…
# Installing starts no service: Debian's maintainer scripts would start Open vSwitch, FRR, sshd and
# ovs-testcontroller, so a policy-rc.d that forbids it is in place for the install, and afterwards
# the script checks that no program of the packages it installed is running.
set -euo pipefail
cd "$(dirname "$0")/.."

# The main job: namespaces, veths, bridges, OVS, ping/iperf3/tcpdump, and the native agent's compiler.
main_packages=(iproute2 iputils-ping util-linux ethtool openvswitch-switch iperf3 tcpdump gcc libc6-dev)
# The tests also need: Mininet (parity tests), Chromium (web view), and what the routing, controller,
# NAT/firewall, simulated-machine and terminal tests use.
test_packages=(mininet chromium frr openvswitch-testcontroller python3-os-ken nftables iptables
               openssh-server tmux)

packages=("${main_packages[@]}")
case "${1:-}" in
  "") ;;
  --tests) packages+=("${test_packages[@]}") ;;
  *) echo "usage: bash scripts/setup.sh [--tests]" >&2; exit 64 ;;
esac

# Packages of `packages` that are not installed (dpkg's status, not a command on PATH).
missing() {
  local p
  for p in "${packages[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"
  done
}
# Every installed package, one per line (to tell what the install added).
installed_packages() { dpkg-query -W -f='${db:Status-Status} ${Package}\n' | awk '$1 == "installed" { print $2 }' | sort; }

policy=/usr/sbin/policy-rc.d
policy_backup=""
policy_ours=0
# Forbid service starts for the install (exit 101 = "action forbidden" for invoke-rc.d and
# deb-systemd-invoke). A policy that already forbids them is kept; another one is set aside and put back.
forbid_service_starts() {
  if [ -e "$policy" ] && [ -x "$policy" ]; then
    local rc=0
    "$policy" ssh start >/dev/null 2>&1 || rc=$?
    if [ "$rc" = 101 ]; then return 0; fi
  fi
  if [ -e "$policy" ]; then
    policy_backup="$policy.nslab-setup.$$"
    mv "$policy" "$policy_backup"
  fi
  printf '#!/bin/sh\n# Written by nslab scripts/setup.sh for the duration of one apt-get install.\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  policy_ours=1
}
allow_service_starts() {
  if [ "$policy_ours" = 1 ]; then
    rm -f "$policy"
    policy_ours=0
    if [ -n "$policy_backup" ]; then mv "$policy_backup" "$policy"; policy_backup=""; fi
  fi
}

# Processes running a program that one of the packages in "$@" installed: none may be, after an
# install that was not allowed to start anything.
programs_running_from() {
  local exe f p
  declare -A prog=()
  if [ $# = 0 ]; then return 0; fi
  while IFS= read -r f; do
    if [ -f "$f" ] && [ -x "$f" ]; then prog["$f"]=1; fi
  done < <(dpkg -L "$@" 2>/dev/null)
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    if [ -n "${prog[$exe]:-}" ]; then echo "  pid ${p#/proc/}: $exe"; fi
  done
}

# The systemd units (service, socket, timer) of the packages in "$@" that are enabled: disabled, and
# their names printed. Works with or without a running systemd (it edits the unit links).
disable_boot_units() {
  local unit
  command -v systemctl >/dev/null 2>&1 || return 0
  [ $# = 0 ] && return 0
  while IFS= read -r unit; do
    if [ "$(systemctl is-enabled "$unit" 2>/dev/null || true)" = enabled ]; then
      systemctl disable --quiet --no-reload "$unit" >/dev/null 2>&1 && echo "$unit"
    fi
  done < <(dpkg -L "$@" 2>/dev/null | grep -E '^/(usr/)?lib/systemd/system/[^/@]+\.(service|socket|timer)$' | xargs -r -n1 basename | sort -u)
}

need=$(missing)
if [ -n "$need" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: $(echo $need) (run as root to install them)" >&2
    exit 1
  fi
  # Installing packages other labs and tests use on this host: hold the host-wide test lock
  # exclusively (test/support/host-lock.ts), and look again once it is ours.
  lock_file=${NSLAB_HOST_NET_LOCK:-/run/lock/nslab-tests/host-net.lock}
  mkdir -p "$(dirname "$lock_file")"
  exec 9>>"$lock_file"
  if ! flock -x -n 9; then
    echo "setup: waiting for tests on this host to finish (exclusive lock $lock_file)…" >&2
    flock -x -w 3600 9
  fi
  need=$(missing)
fi
if [ -n "$need" ]; then
  echo "setup: installing $(echo $need)" >&2
  export DEBIAN_FRONTEND=noninteractive
  before=$(installed_packages)
  listening_before=$(ss -Hltnu 2>/dev/null | awk '{ print $1, $5 }' | sort -u || true)
  trap allow_service_starts EXIT
  forbid_service_starts
  # (another apt run on the host holds dpkg's lock for a while: wait for it rather than fail)
  apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
  # shellcheck disable=SC2086 # one word per package
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $need >/dev/null
  allow_service_starts
  trap - EXIT
  added=$(comm -13 <(echo "$before") <(installed_packages))
  echo "setup: installed $(echo "$added" | wc -w) package(s) (with dependencies)" >&2
  # shellcheck disable=SC2086
  running=$(programs_running_from $added)
  if [ -n "$running" ]; then
    echo "setup: the install started programs of the packages it installed (it must not):" >&2
    echo "$running" >&2
    exit 1
  fi
  # Nor does it leave them to start at the next boot: the units of the packages it added that the
  # install enabled (sshd, FRR, Open vSwitch…) are disabled again; nslab starts what a lab needs.
  # shellcheck disable=SC2086
  disabled=$(disable_boot_units $added)
  if [ -n "$disabled" ]; then
    echo "setup: not started at boot (enabled by their install, disabled again): $(echo $disabled)" >&2
  fi
  new_listeners=$(comm -13 <(echo "$listening_before") <(ss -Hltnu 2>/dev/null | awk '{ print $1, $5 }' | sort -u || true))
  if [ -n "$new_listeners" ]; then
    echo "setup: note: sockets that began listening during the install (not started by it, see above):" >&2
    echo "$new_listeners" | sed 's/^/  /' >&2
  fi
fi
if [ -n "${lock_file:-}" ]; then flock -u 9; exec 9>&-; fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
