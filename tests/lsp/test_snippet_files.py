"""The snippet files as VS Code reads them, and the expansion of VS Code snippet syntax.

(``tests/test_snippets.py`` checks that every snippet expands to clean code and runs.)
"""

from __future__ import annotations

import json

import pytest

from torchlint import snippets


def test_snippet_files_are_vs_code_snippet_json() -> None:
    files = sorted(snippets.folder().glob(f"*{snippets.SUFFIX}"))
    assert files, f"no snippets found in {snippets.folder()}"
    for path in files:
        for name, entry in json.loads(path.read_text(encoding="utf-8")).items():
            assert set(entry) == {"prefix", "body", "description"}, (path.name, name)
            assert isinstance(entry["body"], list) and all(isinstance(line, str) for line in entry["body"])
            assert entry["description"].strip(), (path.name, name)


def test_prefixes_share_one_namespace_and_are_unique() -> None:
    prefixes = [snippet.prefix for snippet in snippets.load()]
    assert all(prefix.startswith(snippets.NAMESPACE) for prefix in prefixes)
    assert len(prefixes) == len(set(prefixes))


@pytest.mark.parametrize(
    ("body", "expanded"),
    [
        ("${1:model}.to(${2:device})$0", "model.to(device)"),
        ("${1:x} = $1 + ${2:1}", "x = x + 1"),
        ("f(${1:a, ${2:b}})", "f(a, b)"),
        ("dtype=${1|torch.bfloat16,torch.float16|}", "dtype=torch.bfloat16"),
        ("cost = \\$5 ${1:n}\\}", "cost = $5 n}"),
        ("path = '${TM_FILENAME}' ${CLIPBOARD:fallback}", "path = '' fallback"),
        ("${1/(.*)/${1:/upcase}/}", ""),
        ("price in $", "price in $"),
    ],
)
def test_expand_fills_each_placeholder_with_its_default(body: str, expanded: str) -> None:
    assert snippets.expand(body) == expanded
