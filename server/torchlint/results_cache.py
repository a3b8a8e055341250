"""The results cache of ``torchlint check`` (``.torchlint_cache``, as ruff keeps ``.ruff_cache``).

An entry holds one file's findings as JSON, keyed by the file's name and text, the settings that
apply to it and torchlint itself: its version and the size and modification time of each of its own
files, so that an edited rule or data table is never answered from an old entry. A hit costs a read
and a hash, and loads no rule. Only a plain check is cached (``--fix`` and ``--diff`` always analyse),
and never the findings of a file a rule failed on.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import __version__
from .config import Config
from .model import Applicability, Finding, Fix, Range, Severity

FOLDER = ".torchlint_cache"
#: Enum members by value: a dict lookup is several times cheaper than calling the enum per finding.
_SEVERITIES = {severity.value: severity for severity in Severity}
_APPLICABILITIES = {applicability.value: applicability for applicability in Applicability}
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# A cache folder of torchlint (https://bford.info/cachedir/).\n"


@cache
def _torchlint_fingerprint() -> str:
    """torchlint's version and the size and modification time of every file of the package."""
    package = Path(__file__).parent
    stats = sorted(
        (str(path.relative_to(package)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    return hashlib.sha256(json.dumps([__version__, stats]).encode()).hexdigest()


@dataclass(frozen=True)
class ResultsCache:
    #: The cache folder (``.torchlint_cache`` in the working folder).
    folder: Path

    def key(self, name: str, text: str, config: Config) -> str:
        digest = hashlib.sha256(json.dumps([_torchlint_fingerprint(), name, repr(config)]).encode())
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str) -> list[Finding] | None:
        """The findings stored under ``key``; ``None`` when there are none (or they cannot be read)."""
        try:
            records = json.loads(self._path(key).read_text(encoding="utf-8"))
            return [_finding(record) for record in records]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, findings: list[Finding]) -> None:
        """Store ``findings`` under ``key``; a cache that cannot be written is left alone."""
        records = [_record(finding) for finding in findings]
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            for name, content in (("CACHEDIR.TAG", _TAG), (".gitignore", "# Created by torchlint\n*\n")):
                if not (self.folder / name).exists():
                    (self.folder / name).write_text(content)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(records, file)
            os.replace(temporary, path)  # readers in other processes never see half an entry
        except OSError:
            pass

    def _path(self, key: str) -> Path:
        return self.folder / __version__ / key[:2] / f"{key}.json"


def _record(finding: Finding) -> dict:
    fix = [finding.fix.title, finding.fix.applicability.value] if finding.fix else None
    return {**finding.to_dict(), "fix": fix}


def _finding(record: dict) -> Finding:
    """A finding as a report needs it: its fix has a title and a safety, not an edit (a cached
    result is never applied: ``--fix`` analyses again)."""
    fix = Fix(record["fix"][0], applicability=_APPLICABILITIES[record["fix"][1]]) if record["fix"] else None
    rng = Range.of(record["line"], record["column"], record["end_line"], record["end_column"])
    return Finding(record["code"], record["name"], record["message"], _SEVERITIES[record["severity"]], rng, record["path"], fix)
