# Debian packages for the scripts: installed as root, or through sudo; the package lists are
# updated once per run. Usage: source scripts/_apt.sh; apt_install PACKAGE...

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "Please run as root or install: $*" >&2; exit 1
  fi
}

apt_install() {
  if [ -z "${APT_LISTS_UPDATED:-}" ]; then
    as_root apt-get update -qq </dev/null
    export APT_LISTS_UPDATED=1
  fi
  # env, not a prefix assignment: sudo would drop it, and without it apt may ask questions.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null
}
