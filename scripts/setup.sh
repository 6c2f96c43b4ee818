#!/usr/bin/env bash
# Install what `make test`, `make run` and `make bench` need: Debian packages, the
# virtualenv and the Python dependencies. Idempotent, and quick when nothing is missing:
# it then calls neither apt nor pip.
#
# As root (the CI case) it installs missing Debian packages itself; otherwise it prints
# the exact apt-get command to run and exits 1.
set -euo pipefail

# Debian packages needed on every machine. Add new system dependencies here.
APT_PACKAGES=(
    mosquitto
    mosquitto-clients
    # Vietnamese glyphs for printed tickets and rendered screens (DejaVuSans).
    fonts-dejavu-core
    # Headless browser for the web-page tests (Playwright drives Debian's build).
    chromium
    # Offline voice for `motcua sounds build --engine espeak` (the committed clips need
    # nothing at run time; the build tests use it).
    espeak-ng
    # ZBar, which pyzbar loads: the kiosk's camera scanner decodes slips with it.
    libzbar0
)

# `setup.sh --bench` (what `make bench` runs) adds what only the benches use: Valgrind's
# callgrind counts the instructions of bench/dispatch_work.py's day.
if [[ "${1:-}" == "--bench" ]]; then
    APT_PACKAGES+=(valgrind)
fi

# Services that Debian starts when it installs these packages; tests and `make run` start
# their own on free ports, so the system ones are stopped to keep 1883/5432 out of the way.
SYSTEM_SERVICES=(mosquitto postgresql)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv
LOG=var/log/setup.log

step() { echo "setup: $*"; }

# Run a noisy command with its output in $LOG; show the end of the log only on failure.
quietly() {
    mkdir -p "$(dirname "$LOG")"
    if ! "$@" >>"$LOG" 2>&1; then
        echo "setup: FAILED: $*" >&2
        tail -n 40 "$LOG" >&2
        exit 1
    fi
}

is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# Debian keeps the server binaries off PATH, under /usr/lib/postgresql/<version>/bin.
have_postgres_server() {
    command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

# `python3 -m venv` fails on Debian's Python without python3-venv, which ships ensurepip;
# importing it is the same test without building a throw-away venv.
venv_works() {
    "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1
}

missing_packages() {
    local package
    for package in "${APT_PACKAGES[@]}"; do
        is_installed "$package" || echo "$package"
    done
    have_postgres_server || echo postgresql
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo python3
        echo python3-venv
    elif [[ ! -x $VENV/bin/pip ]] && ! venv_works; then
        echo python3-venv
    fi
}

# Stop the services of the packages just installed (arguments); leave others alone.
stop_system_services() {
    command -v service >/dev/null 2>&1 || return 0
    local name
    for name in "${SYSTEM_SERVICES[@]}"; do
        [[ " $* " == *" $name "* ]] || continue
        if service "$name" status >/dev/null 2>&1; then
            step "stopping the system $name service"
            service "$name" stop >/dev/null 2>&1 || true
        fi
    done
}

install_debian_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} == 0)); then
        step "Debian packages present"
        return
    fi
    if ((EUID != 0)); then
        echo "setup: missing Debian packages; install them with:" >&2
        echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    step "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    quietly apt-get -o DPkg::Lock::Timeout=300 update
    quietly apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"
    stop_system_services "${missing[@]}"
}

create_venv() {
    # A venv without pip is a half-made one (ensurepip failed): make it again.
    if [[ -x $VENV/bin/pip ]]; then
        step "virtualenv $VENV present"
        return
    fi
    step "creating virtualenv $VENV"
    rm -rf "$VENV"
    quietly "$PYTHON" -m venv "$VENV"
    quietly "$VENV/bin/python" -m pip install --no-input --upgrade pip
}

# The stamp names the pyproject.toml it was installed from, so editing the dependencies
# triggers a new install and nothing else does.
install_python_packages() {
    local stamp
    stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [[ -e $stamp ]]; then
        step "Python packages up to date"
        return
    fi
    step "installing Python packages (pip install -e '.[test]')"
    quietly "$VENV/bin/python" -m pip install --no-input --disable-pip-version-check -e '.[test]'
    rm -f "$VENV"/.installed-*
    touch "$stamp"
}

install_debian_packages
create_venv
install_python_packages
