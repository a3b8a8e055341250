#!/usr/bin/env bash
# The VS Code extension: build and package the .vsix, run the client's unit tests, then drive the
# packaged extension in a real VS Code (code-server from npm, Debian's chromium, playwright-core).
# Installs what it needs on a fresh Debian machine that reaches only the npm, PyPI and Debian
# registries. Expects the repository's .venv that .ci/run creates (torch is installed into it when
# it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { echo "e2e: $1 ($((SECONDS - start)) s)"; }

node_version=24.21.0
code_server_version=4.139.1
tools=${TORCHLINT_E2E_TOOLS:-$HOME/.cache/torchlint-e2e}
python=${TORCHLINT_PYTHON:-$PWD/.venv/bin/python}

if command -v apt-get >/dev/null; then
    # libkrb5-dev, g++ and make: code-server compiles native modules while it installs.
    packages=(chromium libkrb5-dev g++ make python3)
    command -v npm >/dev/null || packages+=(npm)
    missing=()
    for package in "${packages[@]}"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        step "apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

# Node 24 (code-server's and vsce's requirement) from the npm registry, into a folder of its own.
node_bin=$(echo "$tools"/node/node_modules/node/node_modules/node-linux-*/bin)
if [ ! -x "$node_bin/node" ]; then
    step "installing node@$node_version"
    npm install --prefix "$tools/node" --no-audit --no-fund "node@$node_version" >/dev/null
    node_bin=$(echo "$tools"/node/node_modules/node/node_modules/node-linux-*/bin)
fi
export PATH=$node_bin:$PATH
# Native modules are built against Node 24's headers, not the system Node's.
export npm_config_nodedir=${node_bin%/bin}
node --version | grep -q "^v24\." || { echo "e2e: $node_bin/node is not Node 24"; exit 1; }

code_server=$tools/code-server/bin/code-server
installed=$tools/code-server/.installed-$code_server_version
if [ ! -f "$installed" ]; then
    step "installing code-server@$code_server_version (builds native modules, a few minutes)"
    rm -rf "$tools/code-server"
    # npm 11 runs the install scripts of these packages only when allowed (older npm ignores the flag).
    npm install -g --prefix "$tools/code-server" --no-audit --no-fund \
        --allow-scripts=code-server,argon2 "code-server@$code_server_version" >"$tools/code-server-install.log" 2>&1 \
        || { tail -n 40 "$tools/code-server-install.log"; exit 1; }
    touch "$installed"
fi

# The smoke run and the GPU check run code in this interpreter: it needs torch. .ci/run's venv has
# it from tests/requirements.txt; another interpreter gets the same pin. Note that on the public
# PyPI, torch==2.13.0 for Linux is the CUDA build (it pulls about 20 nvidia-* packages); PyTorch's
# CPU-only wheels come from its own index (pip install torch==2.13.0 --index-url
# https://download.pytorch.org/whl/cpu), which these machines do not reach.
if ! "$python" -c "import torch" 2>/dev/null; then
    step "installing torch==2.13.0 into $python"
    "$python" -m pip install -q "torch==2.13.0"
fi

step "npm ci"
npm ci --no-audit --no-fund >/dev/null
step "typecheck and unit tests"
npm run --silent typecheck
npm test
step "packaging the .vsix (bundles the Python server)"
rm -f torchlint-*.vsix
PYTHON=$python npx @vscode/vsce package
vsix=$(echo "$PWD"/torchlint-*.vsix)

step "end-to-end test in code-server"
CODE_SERVER=$code_server TORCHLINT_VSIX=$vsix TORCHLINT_PYTHON=$python CHROMIUM=$(command -v chromium) npm run e2e
step "done"
