#!/usr/bin/env bash
# Fills bundled/libs with the language server and what it imports (torchlint, pygls, lsprotocol,
# libcst), so the extension lints without installing anything into the user's environment.
#
# libcst's parser is a compiled module built per CPython version: its build for every version in
# BUNDLE_PYTHON_VERSIONS is added beside the one pip installed, so the bundle runs under any of them.
# PYTHON: the interpreter that runs pip (default python3).
set -euo pipefail
cd "$(dirname "$0")/../.."

python=${PYTHON:-python3}
versions=${BUNDLE_PYTHON_VERSIONS:-3.10 3.11 3.12 3.13}
target=bundled/libs
pip=("$python" -m pip install --quiet --disable-pip-version-check --no-compile)

rm -rf bundled
mkdir -p "$target"
# tomli: torchlint reads pyproject.toml with it on Python 3.10.
"${pip[@]}" --target "$target" ".[server]" "tomli>=2"

own=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
libcst=$(sed -n 's/^Version: //p' "$target"/libcst-*.dist-info/METADATA)
platform=$(sed -n 's/^Tag: [^-]*-[^-]*-//p' "$target"/libcst-*.dist-info/WHEEL | head -n 1)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for version in $versions; do
    [ "$version" = "$own" ] && continue
    "${pip[@]}" --target "$scratch/$version" --no-deps --only-binary=:all: \
        --implementation cp --python-version "$version" --platform "$platform" "libcst==$libcst"
    cp "$scratch/$version"/libcst/native.*.so "$target/libcst/"
done

rm -rf "$target"/bin
find bundled -name __pycache__ -type d -prune -exec rm -rf {} +
echo "bundled/libs: torchlint $(sed -n 's/^Version: //p' "$target"/torchlint-*.dist-info/METADATA), libcst $libcst for Python $own ${versions} ($platform)"
