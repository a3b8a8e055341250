"""The generated rule reference and the README stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from torchlint.registry import all_rules
from torchlint.reporting import rules_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_rule_reference_is_generated_from_the_rules() -> None:
    expected = rules_markdown()
    assert (ROOT / "docs" / "rules.md").read_text() == expected, (
        "docs/rules.md is stale: run `torchlint rules --format markdown > docs/rules.md`"
    )


def test_every_catalog_code_is_implemented_and_documented() -> None:
    catalog = set(re.findall(r"\bTL\d{3}\b", (ROOT.parent / "shared" / "RULES.md").read_text()))
    rules = all_rules()
    assert catalog <= set(rules), f"not implemented: {sorted(catalog - set(rules))}"
    for rule in rules.values():
        assert rule.why.strip() and rule.example.strip() and rule.use_instead.strip(), rule.code
        assert rule.message.strip() and rule.summary(), rule.code


def test_readme_rule_table_lists_every_rule() -> None:
    readme = (ROOT / "README.md").read_text()
    for code, rule in all_rules().items():
        assert f"| {code} | {rule.name} |" in readme, code
