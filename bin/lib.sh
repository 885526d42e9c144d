# Shared settings for bin/setup, bin/run and bin/test. Sourced, never executed.
# Everything that is downloaded or built lives in a cache outside the work tree so
# that a second clone reuses it; everything that depends on this clone lives in .local/.

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CM_CACHE="${CM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/collections_management}"
LOCAL_DIR="$REPO_DIR/.local"
ODOO_CONF="$LOCAL_DIR/odoo.conf"
DATA_DIR="$CM_CACHE/filestore"
REQUIREMENTS="$REPO_DIR/requirements.txt"
# The venv is keyed by the requirements' content: a change of pins builds a new one.
VENV_DIR="$CM_CACHE/venv-$(sha256sum "$REQUIREMENTS" | cut -c1-12)"
PYTHON="$VENV_DIR/bin/python"
ODOO_PACKAGE="odoo-19"
ODOO_SUITE="sid"
SELFIE_NPM="@mediapipe/selfie_segmentation@0.1.1675465747"

log() { printf '\033[1m[collections]\033[0m %s\n' "$*" >&2; }
die() {
    printf '\033[31m[collections] ERROR:\033[0m %s\n' "$*" >&2
    exit 1
}

# The folder that holds the unpacked `odoo` package (set by bin/setup, read by the others).
odoo_root() {
    local marker="$CM_CACHE/odoo/current"
    [ -f "$marker" ] || die "Odoo is not unpacked yet: run bin/setup first."
    cat "$marker"
}

odoo_bin() {
    "$PYTHON" -c 'import odoo.cli, sys; sys.argv[0] = "odoo"; odoo.cli.main()' "$@"
}
