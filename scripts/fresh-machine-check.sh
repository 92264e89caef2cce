#!/usr/bin/env bash
# Proves the README's two commands on a "new machine": removes what the set-up is supposed to install
# (apt-get purge of Mininet, Chromium, Open vSwitch, FRR … with their dependencies, OVS's database,
# apt's package cache, npm's cache), then from a fresh `git clone` runs `npm run quickstart` and
# `npm test`, timing both, and checks that installing started no service (no new listening socket,
# no sshd, FRR, ovs-testcontroller or OVS daemon left running).
#
#   sudo bash scripts/fresh-machine-check.sh [BRANCH]     (default: the branch checked out here)
#
# On a machine shared with others this pulls packages from under everyone's tests, so it runs only
# while holding the host-wide test lock exclusively (/run/lock/nslab-tests/host-net.lock: it waits
# until no test runs, and no test starts meanwhile), and only when no Open vSwitch daemon is running
# (someone's lab may use it): then it gives the lock back and tries again later. The run's own tests
# serialise among themselves on a private lock file (NSLAB_HOST_NET_LOCK). Not part of CI.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
HOST_LOCK=/run/lock/nslab-tests/host-net.lock
SEED_LOCK=/run/lock/nslab-tests/seed-names.lock
BUSY=75 # EX_TEMPFAIL: somebody else uses OVS right now

# What scripts/setup.sh --tests installs, and what those packages pulled in with them. Not purged:
# iproute2, iputils-ping, util-linux (on every Debian install) and gcc (this machine's
# build-essential needs it).
PURGE=(mininet chromium chromium-common openvswitch-switch openvswitch-common openvswitch-testcontroller
       openvswitch-pki python3-openvswitch frr frr-pythontools python3-os-ken nftables iptables
       openssh-server tmux iperf3 iperf tcpdump ethtool cgroup-tools socat telnet inetutils-telnet)

[ "$(id -u)" = 0 ] || { echo "fresh-machine-check: run as root" >&2; exit 1; }

if [ "${1:-}" != --locked ]; then
  branch=${1:-$(git -C "$here" rev-parse --abbrev-ref HEAD)}
  mkdir -p "$(dirname "$HOST_LOCK")"
  for attempt in $(seq 1 30); do
    echo "fresh-machine-check: waiting for the exclusive host-net lock (attempt $attempt)…" >&2
    rc=0
    flock -x "$HOST_LOCK" bash "$0" --locked "$branch" || rc=$?
    [ "$rc" = "$BUSY" ] || exit "$rc"
    echo "fresh-machine-check: Open vSwitch is in use by someone; trying again in 2 minutes" >&2
    sleep 120
  done
  echo "fresh-machine-check: gave up: Open vSwitch stayed in use" >&2
  exit "$BUSY"
fi
branch=$2

# --- holding host-net exclusively from here on ---
ovs_daemons() {
  local p
  for p in /proc/[0-9]*; do
    case "$(cat "$p/comm" 2>/dev/null)" in ovsdb-server | ovs-vswitchd) echo "${p#/proc/}" ;; esac
  done
}
daemons=$(ovs_daemons)
if [ -n "$daemons" ]; then
  echo "fresh-machine-check: OVS daemons are running (pids $(echo $daemons)); not purging from under them" >&2
  exit "$BUSY"
fi

work=$(mktemp -d /tmp/nslab-fresh-XXXXXX)
log() { echo "fresh-machine-check: $*" >&2; }
listeners() { ss -Hltnu | awk '{ print $1, $5 }' | sort -u; }

# Debian as installed has no policy-rc.d (this machine's image has Docker's "exit 101" one): set it
# aside so that the set-up's own guard against starting services is what is tested; put it back.
policy=/usr/sbin/policy-rc.d
if [ -e "$policy" ]; then
  mv "$policy" "$work/policy-rc.d.saved"
  trap 'mv "$work/policy-rc.d.saved" "$policy"' EXIT
fi

log "purging: ${PURGE[*]} (and what only they needed)"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 purge -y -q --autoremove "${PURGE[@]}" >"$work/purge.log" 2>&1
apt-get clean
rm -rf /etc/openvswitch /var/lib/openvswitch /var/log/openvswitch /var/run/openvswitch
for p in "${PURGE[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ]; then
    log "$p is still installed after the purge"; exit 1
  fi
done
listening_before=$(listeners)

log "cloning branch $branch into $work/nslab"
git clone -q --branch "$branch" "$(git -C "$here" rev-parse --path-format=absolute --git-common-dir)" "$work/nslab"
cd "$work/nslab"
git log --oneline -1 >&2
export npm_config_cache="$work/npm-cache" # no npm cache either, as on a new machine
# We hold the real host-net lock: the set-up's install and this run's tests lock a private file.
export NSLAB_HOST_NET_LOCK="$work/host-net.lock"
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

status=0
t0=$(date +%s.%N)
# The quickstart brings up the walkthrough's fixed names (ns1, ns2, br0): hold their lock too.
flock -x "$SEED_LOCK" npm run quickstart >"$work/quickstart.log" 2>&1 || status=$?
t1=$(date +%s.%N)
log "npm run quickstart: exit $status, $(secs "$t0" "$t1") s (log: $work/quickstart.log)"
if [ "$status" != 0 ]; then tail -40 "$work/quickstart.log" >&2; exit "$status"; fi

npm test >"$work/test.log" 2>&1 || status=$?
t2=$(date +%s.%N)
log "npm test: exit $status, $(secs "$t1" "$t2") s (log: $work/test.log)"
sed 's/\x1b\[[0-9;]*m//g' "$work/test.log" | grep -E "Test Files|Tests  |all [0-9]+ tests ran|did not run" >&2 || true

# Installing started nothing: no new listening socket, and no daemon of the packages installed.
new_listeners=$(comm -13 <(echo "$listening_before") <(listeners))
# (Zombies do not count: daemons nslab stopped at the end of the tests may await their reaping by
# this machine's init for a moment.)
left=$(for p in /proc/[0-9]*; do
  case "$(cat "$p/comm" 2>/dev/null)" in
    sshd | zebra | watchfrr | mgmtd | staticd | bgpd | ospfd | ovs-testcontrol | ovsdb-server | ovs-vswitchd)
      state=$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f1)
      case "$state" in Z | X | "") ;; *) echo "  pid ${p#/proc/} ($state): $(tr '\0' ' ' <"$p/cmdline")" ;; esac ;;
  esac
done)
if [ -n "$new_listeners" ] || [ -n "$left" ]; then
  log "left running after the two commands:"
  [ -z "$new_listeners" ] || echo "$new_listeners" | sed 's/^/  listening: /' >&2
  [ -z "$left" ] || echo "$left" >&2
  status=1
else
  log "nothing left running: no new listening socket, no sshd/FRR/controller/OVS daemon"
fi
exit "$status"
