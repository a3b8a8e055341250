#!/usr/bin/env bash
# Fills bundled/libs with the language server and what it imports (torchlint, pygls, lsprotocol,
# libcst), so the extension lints without installing anything into the user's environment.
#
# Some of it differs per CPython version (libcst's compiled parser, backports such as
# exceptiongroup): the install for each version in BUNDLE_PYTHON_VERSIONS is merged into the same
# folder (files already there are kept), so the bundle runs under any of them.
# PYTHON: the interpreter that runs pip (default python3).
set -euo pipefail
cd "$(dirname "$0")/../.."

python=${PYTHON:-python3}
versions=${BUNDLE_PYTHON_VERSIONS:-3.10 3.11 3.12 3.13}
target=bundled/libs
pip=("$python" -m pip --disable-pip-version-check --quiet)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
rm -rf bundled
mkdir -p "$target" "$scratch/source"

# Built from a copy, so no build/ folder is left (or reused) in the repository.
# server/torchlint/_snippets links to ../../snippets.
cp -r pyproject.toml README.md snippets "$scratch/source/"
mkdir "$scratch/source/server"
cp -r server/torchlint "$scratch/source/server/"
"${pip[@]}" wheel --no-deps --wheel-dir "$scratch/wheel" "$scratch/source"
wheel=$(echo "$scratch"/wheel/torchlint-*.whl)
"${pip[@]}" install --no-compile --target "$target" "$wheel"

own=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
platform=$(sed -n 's/^Tag: [^-]*-[^-]*-//p' "$target"/libcst-*.dist-info/WHEEL | head -n 1)
# pip evaluates environment markers for the interpreter that runs it, not for --python-version:
# the backports that older Pythons need (tomli for torchlint, exceptiongroup for cattrs) are named.
backports=(tomli exceptiongroup)
for version in $versions; do
    [ "$version" = "$own" ] && continue
    extra=()
    [ "${version#3.}" -lt 11 ] && extra=("${backports[@]}")
    "${pip[@]}" install --no-compile --target "$scratch/$version" --only-binary=:all: \
        --implementation cp --python-version "$version" --platform "$platform" "$wheel" "${extra[@]}"
    "$python" - "$scratch/$version" "$target" <<'EOF'
import shutil
import sys
from pathlib import Path

source, target = map(Path, sys.argv[1:])
for file in source.rglob("*"):
    copy = target / file.relative_to(source)
    if file.is_file() and not copy.exists():
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, copy)
EOF
done

rm -rf "$target"/bin
find bundled \( -name __pycache__ -o -name tests \) -type d -prune -exec rm -rf {} +
echo "bundled/libs: $(cd "$target" && ls -d -- *.dist-info | sed 's/\.dist-info$//' | sort | tr '\n' ' ')"
echo "bundled/libs: for CPython $(printf "%s\n" $own $versions | sort -uV | tr "\n" " ")on $platform"
