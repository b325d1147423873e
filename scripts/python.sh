# Sourced by the other scripts: find_python VERSION prints an interpreter for that
# minor version (3.12, 3.13), trying $CHURNOPS_PYTHON_<MAJOR><MINOR>, PATH, pyenv.
find_python() {
    local version="$1" override candidate
    override="CHURNOPS_PYTHON_${version//./}"
    if [ -n "${!override:-}" ]; then
        echo "${!override}"
        return 0
    fi
    for candidate in "python$version" "/usr/bin/python$version" "/usr/local/bin/python$version"; do
        if "$candidate" -c 'import sys' >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python; do
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: Python $version not found; install it or set $override" >&2
    return 1
}
