"""SARIF 2.1.0, as GitHub code scanning accepts it."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .. import __version__
from ..model import Severity
from ..registry import all_rules
from ..rule import DOCS_URL
from .located import Located

SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif(entries: Sequence[Located]) -> str:
    """The log of one run (columns counted in code points; in a notebook, lines counted in the
    cell, whose number the result's ``properties.cell`` gives)."""
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
                "results": [_result(entry, index[entry.finding.code]) for entry in entries],
            }
        ],
    }
    return json.dumps(log, indent=2)


def _result(entry: Located, rule_index: int) -> dict:
    finding, start, end = entry.finding, entry.range.start, entry.range.end
    result = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": entry.path.replace("\\", "/"), "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "startLine": start.line,
                        "startColumn": start.column,
                        "endLine": end.line,
                        "endColumn": end.column,
                    },
                }
            }
        ],
    }
    if entry.cell is not None:
        result["properties"] = {"cell": entry.cell}
    return result
