"""Printing findings: text (``path:line:col: CODE [*] message``), JSON and SARIF 2.1.0."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from . import __version__
from .model import Finding, Severity
from .rule import DOCS_URL, all_rules

SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def text(findings: Sequence[Finding]) -> str:
    lines = []
    for f in findings:
        mark = " [*]" if f.fixable else ""
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.code}{mark} {f.message}")
    return "\n".join(lines)


def summary(findings: Sequence[Finding], fixed: int, *, unsafe_allowed: bool) -> str:
    lines = []
    if fixed:
        lines.append(f"Fixed {_plural(fixed, 'finding')}.")
    if findings:
        lines.append(f"Found {_plural(len(findings), 'finding')}.")
        safe = sum(1 for f in findings if f.fix and f.fix.safe)
        unsafe = sum(1 for f in findings if f.fix and not f.fix.safe)
        if unsafe_allowed:
            safe, unsafe = safe + unsafe, 0
        if safe:
            lines.append(f"[*] {safe} fixable with `torchlint check --fix`.")
        if unsafe:
            lines.append(f"{unsafe} more fixable with `--fix --unsafe-fixes` (they may change behaviour).")
    elif not fixed:
        lines.append("All checks passed!")
    return "\n".join(lines)


def statistics(findings: Sequence[Finding]) -> str:
    counts = Counter(f.code for f in findings)
    fixable = {f.code for f in findings if f.fixable}
    names = {f.code: f.name for f in findings}
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "\n".join(
        f"{count:>{width}}\t{code}\t{'[*]' if code in fixable else '   '} {names[code]}"
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2)


def sarif(findings: Sequence[Finding]) -> str:
    """SARIF 2.1.0 as GitHub code scanning accepts it (columns counted in code points)."""
    rules = all_rules()
    codes = sorted(rules)
    index = {code: i for i, code in enumerate(codes)}
    descriptors = [
        {
            "id": code,
            "name": rules[code].name,
            "shortDescription": {"text": rules[code].summary()},
            "fullDescription": {"text": rules[code].message},
            "helpUri": DOCS_URL.format(code=code),
            "help": {"text": rules[code].message, "markdown": rules[code].documentation()},
            "defaultConfiguration": {"level": SARIF_LEVEL[rules[code].severity]},
        }
        for code in codes
    ]
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path.replace("\\", "/"), "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.range.start.line,
                            "startColumn": f.range.start.column,
                            "endLine": f.range.end.line,
                            "endColumn": f.range.end.column,
                        },
                    }
                }
            ],
        }
        for f in findings
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "torchlint",
                        "version": __version__,
                        "informationUri": "https://github.com/torchlint/torchlint",
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
