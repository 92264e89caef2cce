#!/usr/bin/env bash
# Packs nslab as `npm publish` would, installs the tarball in a scratch project and uses it there:
#   - the library: ESM imports of `nslab` and `nslab/testing` (internal paths stay closed);
#   - the types: the API examples (examples/api/*.ts) compile against the installed declarations
#     (strict, NodeNext, no skipLibCheck);
#   - the CLI: `nslab` from node_modules/.bin, with the native agent shipped in the package;
#   - as root: the CLI brings a seed lab up (unique name and prefix), pings it and takes it down,
#     and both examples run against the kernel.
# It removes its temporary directory and takes down its labs, also when a step fails.
#   usage: scripts/pack-check.sh    (the kernel part needs root; with CI set it is required)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/nslab-pack.XXXXXX")"
app="$tmp/app"
tag="p$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')" # e.g. p3fa9: unique per run
lab="pack-check-$tag"
prefix="$tag-"
is_root=0
[ "$(id -u)" = 0 ] && is_root=1

step() { printf 'pack-check: %s\n' "$*" >&2; }

cleanup() {
  local rc=$?
  if [ "$is_root" = 1 ] && [ -x "$app/node_modules/.bin/nslab" ]; then
    "$app/node_modules/.bin/nslab" -q down "$lab" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "packing (npm pack builds dist/ and the native agent first)"
cd "$repo"
tarball="$(npm pack --silent --pack-destination "$tmp" | tail -n 1)"
step "the package carries its licence and its documentation, every README link resolving inside it"
listing="$(tar tzf "$tmp/$tarball")"
grep -qx 'package/LICENSE' <<<"$listing" || { echo "pack-check: LICENSE is not in the package" >&2; exit 1; }
for target in $(grep -o '](\(docs/[^)#]*\|LICENSE\|schema/[^)#]*\))' README.md | sed 's/^](//; s/)$//' | sort -u); do
  grep -qx "package/$target" <<<"$listing" || { echo "pack-check: README links to $target, not in the package" >&2; exit 1; }
done
step "installing $tarball in a scratch project"
mkdir "$app"
cd "$app"
printf '{ "name": "scratch", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tmp/$tarball"

step "library: import nslab and nslab/testing"
node --input-type=module -e '
import * as nslab from "nslab";
import * as testing from "nslab/testing";
const want = ["loadTopology", "parseTopology", "topologyFromObject", "defineTopology", "planLab", "up", "down",
  "status", "exec", "ping", "setLinkState", "Lab", "NslabError", "TopologyError", "ApplyError", "CommandError"];
const missing = want.filter((name) => !(name in nslab));
if (missing.length > 0) throw new Error(`nslab does not export ${missing.join(", ")}`);
if (typeof testing.withLab !== "function") throw new Error("nslab/testing does not export withLab");
const t = nslab.defineTopology("scratch").node("a").node("b").link("a:e0", "b:e0").toTopology({ prefix: "x-" });
if (!nslab.planLab(t, { ovsKernelDatapath: false }).toShell().includes("ip netns add x-a"))
  throw new Error("unexpected plan");
try {
  nslab.parseTopology("name: bad\nnodes:\n  a: { kidn: netns }\n", { file: "bad.yaml" });
  throw new Error("an invalid topology was accepted");
} catch (e) {
  if (!(e instanceof nslab.TopologyError) || e.problems[0].location.line !== 3) throw e;
}
'
if node --input-type=module -e 'await import("nslab/dist/engine/up.js")' 2>/dev/null; then
  step "internal modules are importable; the exports map should close them"
  exit 1
fi

step "types: the API examples compile against the installed declarations"
cp "$repo"/examples/api/*.ts .
cat >tsconfig.json <<EOF
{
  "compilerOptions": {
    "target": "ES2023",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "typeRoots": ["$repo/node_modules/@types"],
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": false,
    "rootDir": ".",
    "outDir": "out"
  },
  "include": ["*.ts"]
}
EOF
"$repo/node_modules/.bin/tsc" -p tsconfig.json

step "CLI: nslab from node_modules/.bin, with the shipped native agent"
nslab="$app/node_modules/.bin/nslab"
"$nslab" --version
"$nslab" validate node_modules/nslab/examples/seed/bridge.yaml
"$nslab" plan node_modules/nslab/examples/seed/ovs.yaml --name "$lab" --prefix "$prefix" >/dev/null
doctor="$("$nslab" doctor --json || true)" # exit 1 when something optional is missing
printf '%s' "$doctor" | node -e '
const checks = JSON.parse(require("fs").readFileSync(0, "utf8"));
const agent = checks.find((c) => c.name === "native agent");
if (agent?.status !== "ok") throw new Error(`native agent: ${JSON.stringify(agent)}`);
console.error(`pack-check: native agent ${agent.detail}`);
'

if [ "$is_root" != 1 ]; then
  if [ -n "${CI:-}" ]; then
    step "CI is set but this is not root: the kernel checks cannot run"
    exit 1
  fi
  step "not root: skipping the kernel checks (library, types and CLI are fine)"
  exit 0
fi

labs_before="$(ls /run/nslab/labs 2>/dev/null | grep -E '^(api-bridge|two-hosts)-' || true)"
step "kernel: nslab up/ping/exec/down of the seed bridge lab as $lab (prefix $prefix), agent backend"
export NSLAB_BACKEND=agent NO_COLOR=1
"$nslab" up node_modules/nslab/examples/seed/bridge.yaml --name "$lab" --prefix "$prefix"
"$nslab" ping "$lab"
"$nslab" exec "$lab" ns1 -- ping -c 1 -W 2 10.1.1.3 >/dev/null
"$nslab" down "$lab"

step "kernel: node out/bridge.js"
node out/bridge.js
step "kernel: node --test out/bridge-vs-ovs.test.js"
node --test out/bridge-vs-ovs.test.js

step "leak check"
leaks="$(ip netns list | grep -E "^$prefix" || true)$(ip -o link show | grep -E ": $prefix" || true)"
labs_after="$(ls /run/nslab/labs 2>/dev/null | grep -E '^(api-bridge|two-hosts)-' || true)"
if [ -n "$leaks" ] || [ "$labs_after" != "$labs_before" ]; then
  step "left behind: $leaks $labs_after"
  exit 1
fi
step "ok"
