#!/usr/bin/env bash
# Installs (or brings up to date) a homeamp agent on this machine. Idempotent: a second run
# with the same options changes nothing and says "unchanged" for every step. Run
# `install-agent.sh --help` for the options.
set -euo pipefail

# Files are created private; modes are widened explicitly where wanted.
umask 077

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly TEMPLATE="$SCRIPT_DIR/client-config.yaml"
readonly UNIT_SOURCE="$SCRIPT_DIR/homeamp-agent.service"
readonly SERVICE=homeamp-agent
readonly USER_NAME=homeamp

usage() {
    cat <<'EOF'
Usage: install-agent.sh --server NAME --host-url URL --token-file FILE [options]

Installs a homeamp agent: the `homeamp` system user, /etc/homeamp (0750) and
/var/lib/homeamp (0700) owned by it, the binary in /usr/local/bin, the systemd unit
homeamp-agent.service, /etc/homeamp/client-config.yaml from the template beside this
script (only when absent: an existing config is never overwritten), and the agent's token
in /etc/homeamp/agent.token (0600); then `systemctl daemon-reload` and
`systemctl enable --now homeamp-agent`. Running it again changes nothing that is already
in place and says "unchanged"; a new binary, unit or token is installed and the agent
restarted.

Options:
  --server NAME            this physical server's name (a `servers:` key of homeamp.yaml)
  --host-url URL           the host's API, e.g. https://host.example.net:8470
  --token-file FILE        the agent token from `homeamp token create --agent NAME` on the
                           host (needed on the first run; later runs may leave it out)
  --binary PATH            the homeamp binary to install as /usr/local/bin/homeamp
                           (needed on the first run)
  --redis-host HOST        the host's Redis (default: the host of --host-url)
  --redis-port PORT        default 6379
  --redis-password-file FILE
                           the password of the Redis user agent-NAME (docs/redis.md);
                           installed as /etc/homeamp/redis.password (0600). Without it the
                           config has no Redis user and password.
  --no-start               install everything, but do not run systemctl
  --dry-run                print each action it would take and change nothing
  --root DIR               install under DIR instead of / (for tests and images): the user
                           is not created, ownership is not set and systemctl is not run
                           (each is printed as skipped)
  -h, --help               this text

Every action is printed as one line: `<what> <path>: <result>`.

Example (on the agent's machine, as root):
  ./install-agent.sh --server ovh-ryzen --host-url https://host.example.net:8470 \
      --token-file ./agent.token --binary ./homeamp --redis-password-file ./redis.password
EOF
}

die() {
    echo "install-agent.sh: $*" >&2
    exit 2
}

SERVER=""
HOST_URL=""
TOKEN_FILE=""
BINARY=""
REDIS_HOST=""
REDIS_PORT="6379"
REDIS_PASSWORD_FILE=""
ROOT=""
DRY_RUN=0
NO_START=0

need_value() {
    [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --server) need_value "$@"; SERVER=$2; shift 2 ;;
        --host-url) need_value "$@"; HOST_URL=$2; shift 2 ;;
        --token-file) need_value "$@"; TOKEN_FILE=$2; shift 2 ;;
        --binary) need_value "$@"; BINARY=$2; shift 2 ;;
        --redis-host) need_value "$@"; REDIS_HOST=$2; shift 2 ;;
        --redis-port) need_value "$@"; REDIS_PORT=$2; shift 2 ;;
        --redis-password-file) need_value "$@"; REDIS_PASSWORD_FILE=$2; shift 2 ;;
        --root) need_value "$@"; ROOT=$2; shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        --no-start) NO_START=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown option \`$1\` (see --help)" ;;
    esac
done

# --- the options, checked before anything is done ---------------------------------------

[[ -n $SERVER ]] || die "give --server NAME (a \`servers:\` key of homeamp.yaml)"
[[ $SERVER =~ ^[A-Za-z0-9_-]+$ ]] ||
    die "--server \`$SERVER\`: a server name is letters, digits, \`-\` and \`_\`"
[[ -n $HOST_URL ]] || die "give --host-url URL (the host's API, e.g. https://host.example.net:8470)"
url_re='^https?://[][A-Za-z0-9._:/-]+$'
[[ $HOST_URL =~ $url_re ]] ||
    die "--host-url \`$HOST_URL\` is not an http:// or https:// URL"
HOST_URL=${HOST_URL%/}
if [[ -z $REDIS_HOST ]]; then
    # The host part of the URL: no scheme, no path, no port.
    REDIS_HOST=${HOST_URL#*://}
    REDIS_HOST=${REDIS_HOST%%/*}
    if [[ $REDIS_HOST == \[* ]]; then
        REDIS_HOST=${REDIS_HOST#[}
        REDIS_HOST=${REDIS_HOST%%]*}
    else
        REDIS_HOST=${REDIS_HOST%%:*}
    fi
fi
[[ $REDIS_HOST =~ ^[A-Za-z0-9._:-]+$ ]] || die "--redis-host \`$REDIS_HOST\` is not a host name or address"
if ! [[ $REDIS_PORT =~ ^[0-9]{1,5}$ ]] || ((10#$REDIS_PORT < 1 || 10#$REDIS_PORT > 65535)); then
    die "--redis-port \`$REDIS_PORT\` is not a port (1-65535)"
fi
REDIS_PORT=$((10#$REDIS_PORT))
for f in "$TOKEN_FILE" "$BINARY" "$REDIS_PASSWORD_FILE"; do
    [[ -z $f || -f $f ]] || die "$f: no such file"
done
if [[ -n $TOKEN_FILE ]] && ! grep -q '[^[:space:]]' "$TOKEN_FILE"; then
    die "$TOKEN_FILE: the token file is empty"
fi
[[ -f $TEMPLATE ]] || die "$TEMPLATE: the config template is missing (keep this script beside it)"
[[ -f $UNIT_SOURCE ]] || die "$UNIT_SOURCE: the unit file is missing (keep this script beside it)"
if [[ -n $ROOT ]]; then
    [[ -d $ROOT ]] || die "--root $ROOT: no such folder"
    ROOT=$(cd "$ROOT" && pwd)
elif [[ $DRY_RUN -eq 0 && $EUID -ne 0 ]]; then
    die "run as root (or try --dry-run, or --root DIR)"
fi

readonly ETC="$ROOT/etc/homeamp"
readonly STATE="$ROOT/var/lib/homeamp"
readonly BIN="$ROOT/usr/local/bin/homeamp"
readonly UNIT="$ROOT/etc/systemd/system/$SERVICE.service"
readonly CONFIG="$ETC/client-config.yaml"
readonly TOKEN="$ETC/agent.token"
readonly REDIS_PASSWORD="$ETC/redis.password"

# Whether anything the running agent reads was changed (then it is restarted).
CHANGED=0
# Whether the agent was running before this run (then a change restarts it).
WAS_ACTIVE=0
if [[ -z $ROOT && $NO_START -eq 0 ]] && command -v systemctl >/dev/null &&
    systemctl is-active --quiet "$SERVICE" 2>/dev/null; then
    WAS_ACTIVE=1
fi

say() {
    printf '%s\n' "$*"
}

# Sets OWNER on PATH when installing for real as root; says nothing.
set_owner() {
    local path=$1 owner=$2
    if [[ -z $ROOT && $DRY_RUN -eq 0 && $EUID -eq 0 ]]; then
        chown "$owner" "$path"
    fi
}

owner_of() {
    stat -c '%U:%G' "$1"
}

# Whether the owner of PATH needs setting (only when installing for real as root).
owner_differs() {
    local path=$1 owner=$2
    [[ -z $ROOT && $EUID -eq 0 && -e $path && "$(owner_of "$path")" != "$owner" ]]
}

ensure_user() {
    local cmd=(useradd --system --user-group --home-dir /var/lib/homeamp --no-create-home
        --shell /usr/sbin/nologin "$USER_NAME")
    if [[ -n $ROOT ]]; then
        say "user $USER_NAME: skipped (--root): ${cmd[*]}"
    elif id -u "$USER_NAME" >/dev/null 2>&1; then
        say "user $USER_NAME: unchanged"
    elif [[ $DRY_RUN -eq 1 ]]; then
        say "user $USER_NAME: would create: ${cmd[*]}"
    else
        "${cmd[@]}"
        say "user $USER_NAME: created"
    fi
}

# ensure_dir PATH MODE OWNER: the folder exists with MODE (and OWNER, when root).
ensure_dir() {
    local path=$1 mode=$2 owner=$3
    if [[ ! -d $path ]]; then
        if [[ $DRY_RUN -eq 1 ]]; then
            say "dir $path: would create ($mode $owner)"
            return
        fi
        (umask 022 && mkdir -p "$(dirname "$path")")
        mkdir "$path"
        chmod "$mode" "$path"
        set_owner "$path" "$owner"
        say "dir $path: created ($mode)"
        return
    fi
    local fixes=()
    [[ "$(stat -c '%a' "$path")" == "${mode#0}" ]] || fixes+=("mode $mode")
    owner_differs "$path" "$owner" && fixes+=("owner $owner")
    if [[ ${#fixes[@]} -eq 0 ]]; then
        say "dir $path: unchanged"
    elif [[ $DRY_RUN -eq 1 ]]; then
        say "dir $path: would set ${fixes[*]}"
    else
        chmod "$mode" "$path"
        set_owner "$path" "$owner"
        say "dir $path: set ${fixes[*]}"
    fi
}

# A system folder (e.g. /usr/local/bin) that only has to exist.
ensure_parent() {
    local path=$1
    if [[ -d $path ]]; then
        return
    elif [[ $DRY_RUN -eq 1 ]]; then
        say "dir $path: would create"
    else
        (umask 022 && mkdir -p "$path")
        say "dir $path: created"
    fi
}

# put_file WHAT SOURCE DEST MODE OWNER: DEST holds SOURCE's bytes with MODE (and OWNER).
# Written through a temp file in DEST's folder and renamed, so it is never half-written.
put_file() {
    local what=$1 source=$2 dest=$3 mode=$4 owner=$5
    if [[ -f $dest ]] && cmp -s "$source" "$dest"; then
        local fixes=()
        [[ "$(stat -c '%a' "$dest")" == "${mode#0}" ]] || fixes+=("mode $mode")
        owner_differs "$dest" "$owner" && fixes+=("owner $owner")
        if [[ ${#fixes[@]} -eq 0 ]]; then
            say "$what $dest: unchanged"
        elif [[ $DRY_RUN -eq 1 ]]; then
            say "$what $dest: would set ${fixes[*]}"
        else
            chmod "$mode" "$dest"
            set_owner "$dest" "$owner"
            say "$what $dest: set ${fixes[*]}"
        fi
        return
    fi
    local verb=installed
    [[ -e $dest ]] && verb=updated
    if [[ $DRY_RUN -eq 1 ]]; then
        say "$what $dest: would be $verb ($mode)"
        return
    fi
    local tmp
    tmp=$(mktemp "$dest.XXXXXX")
    cat "$source" >"$tmp"
    chmod "$mode" "$tmp"
    set_owner "$tmp" "$owner"
    mv -f "$tmp" "$dest"
    say "$what $dest: $verb ($mode)"
    CHANGED=1
}

# The template with this server's values. Only the keys it sets are touched; every comment
# stays.
render_config() {
    local section="" line
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line =~ ^([a-z_]+): ]]; then
            section=${BASH_REMATCH[1]}
        fi
        case "$section|$line" in
            "physical_server|physical_server: "*) line="physical_server: $SERVER" ;;
            "redis|  host: "*) line="  host: $(yaml_host "$REDIS_HOST")" ;;
            "redis|  port: "*) line="  port: $REDIS_PORT" ;;
            "redis|  username: "*)
                if [[ -n $REDIS_PASSWORD_FILE ]]; then
                    line="  username: agent-$SERVER"
                else
                    line="  #username: agent-$SERVER"
                fi
                ;;
            "redis|  password: "*) [[ -n $REDIS_PASSWORD_FILE ]] || line="  #${line#  }" ;;
            "host_api|  url: "*) line="  url: $HOST_URL" ;;
        esac
        printf '%s\n' "$line"
    done <"$TEMPLATE"
}

# An address with `:` (IPv6) is quoted; a name is written as it is.
yaml_host() {
    if [[ $1 == *:* ]]; then printf '"%s"' "$1"; else printf '%s' "$1"; fi
}

install_config() {
    if [[ -e $CONFIG ]]; then
        say "config $CONFIG: unchanged (it exists: never overwritten)"
        return
    fi
    if [[ $DRY_RUN -eq 1 ]]; then
        say "config $CONFIG: would be written from $TEMPLATE (server $SERVER, host $HOST_URL, redis $REDIS_HOST:$REDIS_PORT)"
        return
    fi
    local tmp
    tmp=$(mktemp "$CONFIG.XXXXXX")
    render_config >"$tmp"
    chmod 0640 "$tmp"
    set_owner "$tmp" "$USER_NAME:$USER_NAME"
    mv -f "$tmp" "$CONFIG"
    say "config $CONFIG: written (server $SERVER, host $HOST_URL, redis $REDIS_HOST:$REDIS_PORT)"
    CHANGED=1
}

# install_secret WHAT SOURCE DEST OPTION: a secret file, 0600, owned by homeamp.
install_secret() {
    local what=$1 source=$2 dest=$3 option=$4
    if [[ -n $source ]]; then
        put_file "$what" "$source" "$dest" 0600 "$USER_NAME:$USER_NAME"
    elif [[ -f $dest ]]; then
        say "$what $dest: unchanged (no $option given)"
    elif [[ $DRY_RUN -eq 1 && $option == --token-file ]]; then
        say "$what $dest: missing: give $option"
    elif [[ $option == --token-file ]]; then
        die "$dest does not exist yet: give --token-file FILE (\`homeamp token create --agent $SERVER\` on the host)"
    fi
}

# Runs systemctl ARGS..., or says why not.
systemctl_step() {
    local what="systemctl $*"
    if [[ $NO_START -eq 1 ]]; then
        say "service $SERVICE: skipped (--no-start): $what"
    elif [[ -n $ROOT ]]; then
        say "service $SERVICE: skipped (--root): $what"
    elif [[ $DRY_RUN -eq 1 ]]; then
        say "service $SERVICE: would run: $what"
    else
        systemctl "$@"
        if [[ $CHANGED -eq 0 ]]; then
            say "service $SERVICE: unchanged ($what)"
        else
            say "service $SERVICE: ran $what"
        fi
    fi
}

# Reload systemd when something changed, enable and start the agent, and restart it when it
# was already running on the old files.
start_service() {
    if [[ $CHANGED -eq 1 ]]; then
        systemctl_step daemon-reload
    fi
    systemctl_step enable --now "$SERVICE"
    if [[ $CHANGED -eq 1 && $WAS_ACTIVE -eq 1 ]]; then
        systemctl_step restart "$SERVICE"
    fi
}

# --- the actions ---------------------------------------------------------------------------

ensure_user
ensure_dir "$ETC" 0750 "$USER_NAME:$USER_NAME"
ensure_dir "$STATE" 0700 "$USER_NAME:$USER_NAME"

ensure_parent "$(dirname "$BIN")"
if [[ -n $BINARY ]]; then
    put_file binary "$BINARY" "$BIN" 0755 root:root
elif [[ -f $BIN ]]; then
    say "binary $BIN: unchanged (no --binary given)"
elif [[ $DRY_RUN -eq 1 ]]; then
    say "binary $BIN: missing: give --binary PATH"
else
    die "$BIN does not exist yet: give --binary PATH"
fi

ensure_parent "$(dirname "$UNIT")"
put_file unit "$UNIT_SOURCE" "$UNIT" 0644 root:root

install_secret token "$TOKEN_FILE" "$TOKEN" --token-file
install_secret redis-password "$REDIS_PASSWORD_FILE" "$REDIS_PASSWORD" --redis-password-file
install_config
start_service
