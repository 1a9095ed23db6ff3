#!/usr/bin/env bash
# Build the offline stand-in images the engine tests run, since no registry can be reached to pull
# the real ones. Each is tagged devenv-test/<the reference it stands in for>, never under a real
# image's name (so a developer's own postgres:16.4 is left alone); the tests reach them through
# devenv's [mirrors], from tests/images/mirrors.toml:
#
#   devenv-test/busybox:1.36.1              Debian's busybox-static FROM scratch (also devenv-test/busybox:latest)
#   devenv-test/debian-base:12              a Debian 12 root filesystem made by mmdebstrap, `docker import`ed
#   devenv-test/postgres:16.4               PostgreSQL 15 behind an entrypoint that acts like the official image's
#   devenv-test/redis:7.4.1                 redis-server 7.0 behind the official entrypoint's rules
#   devenv-test/nginx:1.27.2                nginx-light laid out like the official image
#   devenv-test/postgrest/postgrest:v12.2.3 a small Python stand-in for the PostgREST endpoints the example uses
#   devenv-test/python:3.12-slim            Debian's Python 3.11 at the official image's paths
#
# Idempotent and fast when nothing changed: every image carries the label devenv.test.inputs, the
# sha256 of its build inputs (its folder here, the image it starts from, the files it copies from
# the host); an image whose label matches is not built again. DEVENV_IMAGES_FORCE=1 rebuilds all.
# Earlier versions tagged the stand-ins under the real names: such tags (recognised by that label;
# a real image has none) are listed, and removed with DEVENV_IMAGES_REMOVE_LEGACY=1.
# `build.sh --list` prints every tag it builds, without Docker.
# Needs a running Docker engine, and for the base image mmdebstrap and a reachable Debian mirror
# (the one in this machine's own apt sources).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LABEL=devenv.test.inputs
FORCE="${DEVENV_IMAGES_FORCE:-0}"
LOG_DIR="${DEVENV_IMAGES_LOG_DIR:-${TMPDIR:-/tmp}/devenv-images}"
# Every tag this script writes starts with this: tag_allowed refuses any other.
PREFIX=devenv-test/
BASE_REF=${PREFIX}debian-base:12
BUSYBOX=busybox:1.36.1
# The images built FROM the base: the folder here and the reference each stands in for.
ON_BASE=(
  "postgres postgres:16.4"
  "redis redis:7.4.1"
  "nginx nginx:1.27.2"
  "postgrest postgrest/postgrest:v12.2.3"
  "python python:3.12-slim"
)
SUITE=bookworm
# The legacy builder: BuildKit (buildx) is not installed on the test machines.
export DOCKER_BUILDKIT=0

mkdir -p "$LOG_DIR"

now_ms() { date +%s%3N; }
seconds_since() { local start="$1" end; end="$(now_ms)"; printf '%d.%03d' $(((end - start) / 1000)) $(((end - start) % 1000)); }
log() { printf 'images: %s\n' "$*"; }

# sha256 of a folder's files (names, modes, contents) and of any extra strings given.
inputs_hash() {
  local dir="$1"
  shift
  {
    printf '%s\n' "$@"
    (cd "$dir" && find . -type f -printf '%p %m\n' | LC_ALL=C sort)
    (cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -d' ' -f1
}

label_of() {
  docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true
}

image_id() {
  docker image inspect -f '{{ .Id }}' "$1"
}

# up_to_date REF HASH [EXTRA_TAG...]: true when REF and every extra tag carry HASH.
up_to_date() {
  local ref="$1" hash="$2"
  shift 2
  [ "$FORCE" = 1 ] && return 1
  [ "$(label_of "$ref")" = "$hash" ] || return 1
  local tag
  for tag in "$@"; do
    [ "$(label_of "$tag")" = "$hash" ] || return 1
  done
}

# run_logged NAME COMMAND...: runs the command with its output in a log file, shown on failure.
run_logged() {
  local name="$1"
  shift
  local logfile="$LOG_DIR/$name.log"
  if ! "$@" >"$logfile" 2>&1; then
    log "FAILED: $name (last lines of $logfile follow)" >&2
    tail -n 60 "$logfile" >&2
    return 1
  fi
}

# tag_allowed TAG: true for our own names only; a stand-in must never take a real image's name.
tag_allowed() {
  case "$1" in
    "$PREFIX"?*) return 0 ;;
    *) log "refusing to tag '$1': stand-ins are named ${PREFIX}..." >&2; return 1 ;;
  esac
}

# Every `docker build` and `docker tag` of this script passes here: each tag it names must be ours.
docker() {
  local arg expect_tag=0 tags=()
  case "${1:-} ${2:-}" in
    "build "* | "image build")
      for arg in "$@"; do
        if [ "$expect_tag" = 1 ]; then tags+=("$arg"); expect_tag=0; continue; fi
        case "$arg" in
          -t | --tag) expect_tag=1 ;;
          --tag=*) tags+=("${arg#--tag=}") ;;
          -t?*) tags+=("${arg#-t}") ;;
        esac
      done
      ;;
    "tag "*) tags+=("${!#}") ;;
    "image tag") tags+=("${!#}") ;;
  esac
  for arg in "${tags[@]}"; do
    tag_allowed "$arg" || return 1
  done
  command docker "$@"
}

# docker_build NAME CONTEXT HASH REF [EXTRA_TAG...]
docker_build() {
  local name="$1" context="$2" hash="$3" ref="$4"
  shift 4
  local tags=(-t "$ref") tag
  for tag in "$@"; do tags+=(-t "$tag"); done
  run_logged "$name" docker build --label "$LABEL=$hash" "${tags[@]}" "$context"
}

BUILT=()
SKIPPED=()

build_busybox() {
  local ref="$PREFIX$BUSYBOX" alias="${PREFIX}busybox:latest" hash start context
  [ -x /bin/busybox ] || { log "missing /bin/busybox: install Debian's busybox-static"; return 1; }
  hash="$(inputs_hash "$HERE/busybox" "busybox $(sha256sum /bin/busybox | cut -d' ' -f1)" "$(declare -f build_busybox)")"
  if up_to_date "$ref" "$hash" "$alias"; then SKIPPED+=("$ref"); return 0; fi
  start="$(now_ms)"
  context="$(mktemp -d)"
  cp "$HERE/busybox/Dockerfile" "$context/"
  cp /bin/busybox "$context/busybox"
  docker_build busybox "$context" "$hash" "$ref" "$alias" || { rm -rf "$context"; return 1; }
  rm -rf "$context"
  BUILT+=("$ref")
  log "built $ref and $alias in $(seconds_since "$start") s"
}

# The apt sources file this machine uses, given to mmdebstrap as its mirror argument, so that the
# mirror's address is read from the machine and written nowhere here.
apt_sources_file() {
  local candidate
  for candidate in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    if [ -s "$candidate" ] && grep -qE '^[[:space:]]*(deb|Types:|URIs:)' "$candidate"; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  log "no apt sources file found (looked for /etc/apt/sources.list.d/debian.sources and /etc/apt/sources.list)"
  return 1
}

build_debian_base() {
  local ref="$BASE_REF" hash start packages sources
  packages="$(grep -vE '^[[:space:]]*(#|$)' "$HERE/debian-base/packages.txt" | tr '\n' ',' | sed 's/,$//')"
  # The recipe is this function itself: editing it (mmdebstrap's options, say) rebuilds.
  hash="$(inputs_hash "$HERE/debian-base" "debian-base $SUITE $(dpkg --print-architecture)" "$(declare -f build_debian_base)")"
  if up_to_date "$ref" "$hash"; then SKIPPED+=("$ref"); return 0; fi
  command -v mmdebstrap >/dev/null || { log "missing mmdebstrap: apt-get install mmdebstrap"; return 1; }
  sources="$(apt_sources_file)"
  start="$(now_ms)"
  log "building $ref with mmdebstrap (packages: $packages)"
  # mmdebstrap writes a tarball to stdout and docker import reads it into an untagged image; the
  # tag is set only when both succeeded (pipefail), so a failed run never looks up to date.
  run_logged debian-base bash -c '
    set -euo pipefail
    mmdebstrap --variant=apt --mode=root --format=tar \
      --aptopt="APT::Install-Recommends \"false\"" \
      --aptopt="APT::Install-Suggests \"false\"" \
      --dpkgopt="path-exclude=/usr/share/man/*" \
      --dpkgopt="path-exclude=/usr/share/info/*" \
      --dpkgopt="path-exclude=/usr/share/doc/*" \
      --dpkgopt="path-include=/usr/share/doc/*/copyright" \
      --dpkgopt="path-exclude=/usr/share/locale/*" \
      --include="$1" \
      --customize-hook="\"$2\" \"\$1\"" \
      "$3" - "$4" |
    docker import \
      --change "LABEL $5" \
      --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      --change "ENV LANG=C.UTF-8" \
      --change "CMD [\"bash\"]" \
      - >"$6"
  ' build-base "$packages" "$HERE/debian-base/customize.sh" "$SUITE" "$sources" "$LABEL=$hash" "$LOG_DIR/debian-base.id"
  docker tag "$(tail -n 1 "$LOG_DIR/debian-base.id")" "$ref"
  BUILT+=("$ref")
  log "built $ref in $(seconds_since "$start") s ($(docker image inspect -f '{{ .Size }}' "$ref" | awk '{ printf "%d MB", $1 / 1000000 }'))"
}

# build_on_base NAME REF: an image whose Dockerfile is in the folder NAME and starts FROM the base.
build_on_base() {
  local name="$1" ref="$2" hash start
  hash="$(inputs_hash "$HERE/$name" "$name $(image_id "$BASE_REF")")"
  if up_to_date "$ref" "$hash"; then SKIPPED+=("$ref"); return 0; fi
  start="$(now_ms)"
  docker_build "$name" "$HERE/$name" "$hash" "$ref"
  BUILT+=("$ref")
  log "built $ref in $(seconds_since "$start") s"
}

# The references the stand-ins replace, one a line.
stood_in_for() {
  local entry
  printf '%s\n' "$BUSYBOX"
  for entry in "${ON_BASE[@]}"; do printf '%s\n' "${entry#* }"; done
}

# Every tag this script writes, one a line.
list_tags() {
  printf '%s\n' "$BASE_REF" "${PREFIX}busybox:latest"
  stood_in_for | sed "s|^|$PREFIX|"
}

# Tags under a real image's name that an earlier build.sh gave its stand-ins (they carry LABEL; a
# real image does not): listed, or untagged with DEVENV_IMAGES_REMOVE_LEGACY=1. Real images are
# never touched.
legacy_tags() {
  local ref found=()
  while read -r ref; do
    if [ -n "$(label_of "$ref")" ]; then found+=("$ref"); fi
  done < <(stood_in_for)
  if [ "${#found[@]}" -eq 0 ]; then return 0; fi
  if [ "${DEVENV_IMAGES_REMOVE_LEGACY:-0}" = 1 ]; then
    for ref in "${found[@]}"; do
      if docker image rm "$ref" >/dev/null; then log "untagged old stand-in $ref"; else log "could not untag $ref"; fi
    done
  else
    log "old stand-ins still hold real image names: ${found[*]} (DEVENV_IMAGES_REMOVE_LEGACY=1 untags them)"
  fi
}

main() {
  local start entry
  if [ "${1:-}" = --list ]; then list_tags; return 0; fi
  start="$(now_ms)"
  docker info >/dev/null 2>&1 || { log "no Docker engine answers (run .ci/setup-engine.sh)"; return 1; }
  build_busybox
  build_debian_base
  for entry in "${ON_BASE[@]}"; do
    build_on_base "${entry%% *}" "$PREFIX${entry#* }"
  done
  # Images replaced by a rebuild are left untagged: remove those of ours.
  if [ "${#BUILT[@]}" -gt 0 ]; then
    docker image prune -f --filter "label=$LABEL" >/dev/null 2>&1 || true
  fi
  log "built ${#BUILT[@]} (${BUILT[*]:-none}), up to date ${#SKIPPED[@]} (${SKIPPED[*]:-none})"
  legacy_tags
  log "done in $(seconds_since "$start") s"
}

# Sourced (by the unit tests), it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
