"""The formats programs read: ``json``, ``json-lines``, ``github`` (workflow annotations),
``gitlab`` (Code Quality report) and ``junit`` (XML)."""

from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePath

from ..model import Severity
from .located import Located

GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
GITLAB_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def as_json(entries: Sequence[Located]) -> str:
    return json.dumps([entry.to_dict() for entry in entries], indent=2, ensure_ascii=False)


def json_lines(entries: Sequence[Located]) -> str:
    """One JSON object per line, the keys of ``json``'s."""
    return "\n".join(json.dumps(entry.to_dict(), ensure_ascii=False) for entry in entries)


def github(entries: Sequence[Located]) -> str:
    """GitHub Actions workflow commands, ``::warning file=...,line=...::message``, which the run
    shows as annotations on the pull request's lines (in a notebook: the cell's lines)."""
    lines = []
    for entry in entries:
        finding, end = entry.finding, entry.range.end
        properties = {
            "title": f"torchlint ({finding.code})",
            "file": entry.path,
            "line": entry.line,
            "col": entry.column,
            "endLine": end.line,
            "endColumn": end.column,
        }
        joined = ",".join(f"{key}={_escape(str(value), property=True)}" for key, value in properties.items())
        message = _escape(f"{entry.where()}: {finding.code} {finding.message}")
        lines.append(f"::{GITHUB_LEVEL[finding.severity]} {joined}::{message}")
    return "\n".join(lines)


def _escape(value: str, *, property: bool = False) -> str:
    """A workflow command's escaping: ``%``, CR and LF always; ``:`` and ``,`` in a property."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property else value


def gitlab(entries: Sequence[Located], project_dir: str | None = None) -> str:
    """A GitLab Code Quality report; paths relative to ``project_dir`` (GitLab's ``CI_PROJECT_DIR``).

    Fingerprints are stable across runs: they hash the path, cell, code, message and source line
    (not the line number, so a finding keeps its fingerprint when lines are added above it), and
    count repeats so two identical findings in one file still differ.
    """
    seen: Counter[tuple[str, ...]] = Counter()
    issues = []
    for entry in entries:
        finding, end = entry.finding, entry.range.end
        path = os.path.relpath(os.path.abspath(entry.path), project_dir) if project_dir else entry.path
        path = PurePath(path).as_posix()
        source = entry.lines[entry.line - 1].strip() if entry.line <= len(entry.lines) else ""
        key = (path, str(entry.cell), finding.code, finding.message, source)
        seen[key] += 1
        cell = f"cell {entry.cell}: " if entry.cell is not None else ""
        issues.append(
            {
                "description": f"{cell}{finding.code} {finding.message}",
                "check_name": finding.code,
                "fingerprint": hashlib.sha256("\0".join((*key, str(seen[key]))).encode()).hexdigest(),
                "severity": GITLAB_SEVERITY[finding.severity],
                "location": {
                    "path": path,
                    "positions": {
                        "begin": {"line": entry.line, "column": entry.column},
                        "end": {"line": end.line, "column": end.column},
                    },
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False)


def junit(entries: Sequence[Located]) -> str:
    """JUnit XML, as ruff writes it: a test suite per file, a failed test case per finding, and one
    passing case named "No errors found" when there is nothing to report."""
    count = str(len(entries))
    root = ET.Element("testsuites", name="torchlint", tests=count, failures=count, errors="0")
    if not entries:
        suite = ET.SubElement(root, "testsuite", name="torchlint", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="No errors found", classname="torchlint")
    by_path: dict[str, list[Located]] = {}
    for entry in entries:
        by_path.setdefault(entry.path, []).append(entry)
    for path, located in by_path.items():
        size = str(len(located))
        suite = ET.SubElement(root, "testsuite", name=path, tests=size, failures=size, errors="0", package="torchlint")
        for entry in located:
            finding = entry.finding
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"torchlint.{finding.code}",
                classname=PurePath(path).with_suffix("").as_posix(),
                line=str(entry.line),
                column=str(entry.column),
            )
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.code)
            cell = f"cell {entry.cell}, " if entry.cell is not None else ""
            failure.text = f"{cell}line {entry.line}, col {entry.column}, {finding.message}"
    ET.indent(root, "    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
