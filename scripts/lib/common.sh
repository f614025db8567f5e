# Shell functions shared by the scripts in scripts/ (sourced, not run).

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }

# copy_tree SOURCE DEST: the files, without build output, git data or a local store.
copy_tree() {
    mkdir -p "$2"
    tar -C "$1" --exclude=./.git --exclude=bin --exclude=obj --exclude=TestResults --exclude=./data -cf - . | tar -C "$2" -xf -
}

port_in_use() { ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }

# rss_mb PID: the process's resident memory in MB (empty if it is gone).
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# with_faults SOURCE DEST: a copy of raft.toml SOURCE with fault injection on ([faults] enabled = true), for the
# scripts that crash, restart or cut off nodes on purpose; raft.toml keeps it off.
with_faults() {
    if grep -q '^\[faults\]' "$1"; then
        sed -e '/^\[faults\]/,/^\[/ { /^enabled *=/d }' -e '/^\[faults\]/a enabled = true' "$1" >"$2"
    else
        { cat "$1"; printf '\n[faults]\nenabled = true\n'; } >"$2"
    fi
}
