#!/usr/bin/env bash
# The main job, from a fresh clone: set up, then bring up the walkthrough's Linux-bridge
# experiment, prove it works (the walkthrough's own ping, then nslab's ping matrix), take it down.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

nslab() { dist/bin/nslab "$@"; }
trap 'nslab down examples/seed/bridge.yaml >/dev/null 2>&1 || true' EXIT

nslab doctor
echo
echo "+ nslab up examples/seed/bridge.yaml"
nslab up examples/seed/bridge.yaml
echo "+ ip netns exec ns1 ping -c 3 10.1.1.3"
ip netns exec ns1 ping -c 3 10.1.1.3
echo "+ nslab ping seed-bridge"
nslab ping seed-bridge
echo "+ nslab status seed-bridge"
nslab status seed-bridge
echo "+ nslab down examples/seed/bridge.yaml"
nslab down examples/seed/bridge.yaml
trap - EXIT
echo
echo "done: the lab came up, answered, and is gone. Try examples/seed/direct.yaml and examples/seed/ovs.yaml too."
