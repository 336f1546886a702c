#!/usr/bin/env bash
# The whole GuestAgentKit test suite: installs what the tests need, builds, runs every test
# project, and ends with one line "N passed, N failed, N skipped" summed over all projects.
# Exit code: 0 when nothing failed, 1 when a test failed, 2 when the build or setup failed.
#
#   tests/run.sh                 # everything (as root on Debian 12 with the .NET 10 SDK)
#   tests/run.sh --no-install    # do not call apt-get (tests needing missing packages will fail)
#   tests/run.sh --filter EXPR   # dotnet test --filter expression, for a quick subset
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

install=1
filter=""
while [ $# -gt 0 ]; do
    case "$1" in
        --no-install) install=0 ;;
        --filter) filter="${2:?--filter needs an expression}"; shift ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "tests/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# Debian packages the test tiers use: real Xen userspace (xenstored, oxenstored, xenconsoled,
# xenstore-* tools, libxen headers for the test-only stand-in libraries), a C compiler for those
# stand-ins, real third-party peers, and clang + zlib for the NativeAOT publish of gak-agent that the
# benchmarks smoke test runs. Keep this list and docs/testing.md in step.
packages=(gcc libc6-dev xenstore-utils xen-utils-4.17 libxen-dev systemd udev util-linux socat qemu-guest-agent clang zlib1g-dev)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$install" = 1 ] && [ "$(id -u)" = 0 ]; then
        echo "== installing test dependencies: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null || { echo "apt-get update failed" >&2; exit 2; }
        # xen-utils pulls in a hypervisor package and tries to start daemons; neither is used.
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
            || { echo "apt-get install ${missing[*]} failed" >&2; exit 2; }
    else
        echo "== warning: missing packages (tests that need them will fail): ${missing[*]}" >&2
    fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== building"
if ! dotnet build GuestAgentKit.sln -c Release -nologo -v q -clp:ErrorsOnly; then
    echo "build failed" >&2
    echo "0 passed, 1 failed"
    exit 2
fi

results=$(mktemp -d /tmp/gak-test-results.XXXXXX)
passed=0 failed=0 skipped=0
for proj in tests/*.Tests/*.Tests.csproj; do
    name=$(basename "$proj" .csproj)
    echo "== $name"
    args=(test "$proj" -c Release --no-build -nologo
          --logger "trx;LogFileName=$name.trx" --results-directory "$results"
          -- RunConfiguration.TestSessionTimeout=1500000)
    [ -n "$filter" ] && args=(test "$proj" -c Release --no-build -nologo --filter "$filter"
          --logger "trx;LogFileName=$name.trx" --results-directory "$results")
    dotnet "${args[@]}"
    rc=$?
    trx="$results/$name.trx"
    if [ -f "$trx" ]; then
        counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
        get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
        p=$(get passed); f=$(get failed); e=$(get error); t=$(get total); x=$(get executed)
        p=${p:-0} f=${f:-0} e=${e:-0} t=${t:-0} x=${x:-0}
        passed=$((passed + p))
        failed=$((failed + f + e))
        skipped=$((skipped + t - x))
        [ "$rc" != 0 ] && [ "$f" = 0 ] && [ "$e" = 0 ] && { echo "$name: test host exited $rc" >&2; failed=$((failed + 1)); }
    else
        echo "$name: no results (test host exited $rc)" >&2
        failed=$((failed + 1))
    fi
done
rm -rf "$results"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
