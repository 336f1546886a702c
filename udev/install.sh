#!/usr/bin/env bash
# Installs the GuestAgentKit guest agent, its udev rules and its systemd unit into a guest image.
#
#   udev/install.sh --agent PATH [--prefix /usr] [--destdir DIR] [--no-reload]
#
#   --agent PATH   the published agent: the gak-agent binary (NativeAOT or single-file), or the
#                  `dotnet publish` output directory that contains an executable gak-agent
#   --prefix DIR   installation prefix, absolute (default /usr). The rules and unit name the agent
#                  as PREFIX/lib/guestagentkit/gak-agent. udev only reads /usr/lib/udev/rules.d and
#                  /etc/udev/rules.d, so other prefixes are for staging and tests.
#   --destdir DIR  stage everything under DIR (package builds, image builders); nothing is reloaded
#   --no-reload    do not reload systemd and udev after installing into the running system
#   -h, --help     this text
#
# Installs PREFIX/lib/guestagentkit/gak-agent (0755), PREFIX/lib/udev/rules.d/90-gak-channel.rules
# and PREFIX/lib/systemd/system/gak-agent@.service (0644). Exit code 0 on success, 2 on bad arguments,
# another non-zero code when a file cannot be installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=udev/install.sh

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
fail_usage() { echo "$prog: $1 (see --help)" >&2; exit 2; }
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || fail_usage "$1 needs a value"; }

prefix=/usr
destdir=
agent=
reload=1
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) need_value "$@"; prefix=$2; shift ;;
        --destdir) need_value "$@"; destdir=$2; shift ;;
        --agent) need_value "$@"; agent=$2; shift ;;
        --no-reload) reload=0 ;;
        -h|--help) usage; exit 0 ;;
        *) fail_usage "unknown argument '$1'" ;;
    esac
    shift
done

[ -n "$agent" ] || fail_usage "--agent is required"
case "$prefix" in
    /*) ;;
    *) fail_usage "--prefix must be an absolute path, got '$prefix'" ;;
esac
# The prefix is written into the rules and the unit: keep it to characters both quote safely.
[[ "$prefix" =~ ^[A-Za-z0-9._/+-]+$ ]] || fail_usage "--prefix may only contain letters, digits and ._/+-, got '$prefix'"
prefix=${prefix%/}
[ -n "$prefix" ] || fail_usage "--prefix / is not supported; use /usr"
if [ -n "$destdir" ]; then
    case "$destdir" in
        /*) ;;
        *) destdir="$(pwd)/$destdir" ;;
    esac
    reload=0
fi

if [ -d "$agent" ]; then
    [ -f "$agent/gak-agent" ] && [ -x "$agent/gak-agent" ] \
        || fail_usage "--agent directory '$agent' has no executable gak-agent (point it at the dotnet publish output)"
elif [ -f "$agent" ]; then
    [ -x "$agent" ] || fail_usage "--agent file '$agent' is not executable"
else
    fail_usage "--agent '$agent' does not exist"
fi

libdir="$destdir$prefix/lib/guestagentkit"
rulesdir="$destdir$prefix/lib/udev/rules.d"
unitdir="$destdir$prefix/lib/systemd/system"

# Written for /usr; rewrite the agent path for another prefix.
rewrite() { sed "s|/usr/lib/guestagentkit/|$prefix/lib/guestagentkit/|g" "$1"; }

install -d -m 0755 "$libdir" "$rulesdir" "$unitdir"
if [ -d "$agent" ]; then
    cp -R "$agent"/. "$libdir"/
    chmod 0755 "$libdir/gak-agent"
else
    install -m 0755 "$agent" "$libdir/gak-agent"
fi
rewrite "$here/90-gak-channel.rules" > "$rulesdir/90-gak-channel.rules"
chmod 0644 "$rulesdir/90-gak-channel.rules"
rewrite "$here/gak-agent@.service" > "$unitdir/gak-agent@.service"
chmod 0644 "$unitdir/gak-agent@.service"

echo "installed: $libdir/gak-agent"
echo "installed: $rulesdir/90-gak-channel.rules"
echo "installed: $unitdir/gak-agent@.service"
if [ "$prefix" != /usr ]; then
    echo "$prog: note: udev reads rules only from /usr/lib/udev/rules.d and /etc/udev/rules.d" >&2
fi

if [ "$reload" = 1 ] && [ -d /run/systemd/system ] && command -v udevadm >/dev/null; then
    # Pick up the new rules and unit, then replay hvc events so channels already present get the agent.
    systemctl daemon-reload
    udevadm control --reload
    udevadm trigger --action=change --subsystem-match=tty --sysname-match='hvc[1-7]'
    echo "reloaded systemd and udev; existing channels re-triggered"
fi
