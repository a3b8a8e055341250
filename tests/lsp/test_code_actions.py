"""Code actions applied to the document and checked as text: quick fix, rule action, disable, fix-all."""

from __future__ import annotations

import importlib
import shlex
import subprocess
import sys
from pathlib import Path

from lsprotocol import types as lsp

from tests.cases import Invalid
from tests.lsp.harness import (
    Client,
    apply_workspace_edit,
    codes,
    diagnostics,
    edited_uris,
    initialize,
    open_document,
    span,
)
from tests.lsp.test_diagnostics import ADAM
from torchlint.engine import analyze
from torchlint.fixing import fixer
from torchlint.model import Applicability
from torchlint.registry import all_rules

CASE_DIR = Path(__file__).parents[1] / "cases"
FIX_ALL = "source.fixAll.torchlint"
TWO_ADAMS = "import torch\n\nopt = torch.optim.Adam([])\nopt2 = torch.optim.Adam([])\n"
TWO_VARIABLES = (
    "import torch\nfrom torch.autograd import Variable\n\n"
    "x = Variable(torch.ones(1))\ny = Variable(torch.ones(2))\n"
    "opt = torch.optim.Adam([x])\nopt2 = torch.optim.Adam([y])\n"
)


def invalid_cases() -> list[tuple[str, Invalid]]:
    cases = []
    for path in sorted(CASE_DIR.glob("TL[0-9][0-9][0-9]_*.py")):
        module = importlib.import_module(f"tests.cases.{path.stem}")
        cases += [(path.name[:5], case) for case in module.CASES if isinstance(case, Invalid)]
    return cases


async def actions_at(client: Client, uri: str, rng: lsp.Range, only: list[str] | None = None) -> list[lsp.CodeAction]:
    context = lsp.CodeActionContext(diagnostics=[], only=only)
    params = lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), rng, context)
    return list(await client.text_document_code_action_async(params) or [])


async def resolved(client: Client, action: lsp.CodeAction) -> lsp.CodeAction:
    return await client.code_action_resolve_async(action) if action.edit is None else action


def send_edit(client: Client, uri: str, version: int, edit: lsp.WorkspaceEdit) -> None:
    """Report an applied edit back as the editor does: incremental changes, last position first."""
    edits = [e for change in edit.document_changes or [] for e in change.edits]
    edits += [e for es in (edit.changes or {}).values() for e in es]
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
    changes = [lsp.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in ordered]
    document = lsp.VersionedTextDocumentIdentifier(uri=uri, version=version)
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(document, changes))


async def test_quick_fix_is_applied_with_a_minimal_edit(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    (item,) = await diagnostics(client, uri, until=bool)
    actions = await actions_at(client, uri, item.range)
    titles = [action.title for action in actions]
    assert titles == ["torchlint (TL103): Replace Adam with AdamW (unsafe)", "torchlint (TL103): Disable for this line"]
    fix = actions[0]
    assert fix.kind == lsp.CodeActionKind.QuickFix
    assert not fix.is_preferred  # renaming Adam changes the meaning of weight_decay: unsafe
    assert codes(fix.diagnostics) == ["TL103"] and fix.diagnostics[0].range == item.range
    assert fix.edit is None  # VS Code resolves edits lazily

    fix = await resolved(client, fix)
    (document_edit,) = fix.edit.document_changes
    assert document_edit.text_document.version == 1
    (edit,) = document_edit.edits
    assert edit.range.start.line == edit.range.end.line - 1 == 3  # one line, not the whole document
    fixed = apply_workspace_edit({uri: ADAM}, fix.edit)[uri]
    assert fixed == ADAM.replace("torch.optim.Adam(", "torch.optim.AdamW(").replace("lr=1e-3)", "lr=1e-3, weight_decay=0.0)")

    seen = len(client.published)
    send_edit(client, uri, 2, fix.edit)
    assert await diagnostics(client, uri, after=seen) == []


async def test_disable_for_this_line(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    (item,) = await diagnostics(client, uri, until=bool)
    disable = next(a for a in await actions_at(client, uri, item.range) if a.title == "torchlint (TL103): Disable for this line")
    disable = await resolved(client, disable)
    text = apply_workspace_edit({uri: ADAM}, disable.edit)[uri]
    assert text.splitlines()[3] == "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)  # torchlint: disable=TL103"
    seen = len(client.published)
    send_edit(client, uri, 2, disable.edit)
    assert await diagnostics(client, uri, after=seen) == []


async def test_disable_extends_an_existing_comment(client: Client, tmp_path: Path) -> None:
    text = "import torch\n\nopt = torch.optim.Adam(params)  # torchlint: disable=TL110\n"
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", text)
    found = await diagnostics(client, uri, until=bool)  # TL103, and TL001 for the TL110 that suppresses nothing
    item = next(item for item in found if item.code == "TL103")
    offered = await actions_at(client, uri, item.range)
    disable = await resolved(client, next(a for a in offered if a.title == "torchlint (TL103): Disable for this line"))
    fixed = apply_workspace_edit({uri: text}, disable.edit)[uri]
    assert fixed.splitlines()[2] == "opt = torch.optim.Adam(params)  # torchlint: disable=TL103,TL110"


async def test_disable_never_breaks_the_code(client: Client, tmp_path: Path) -> None:
    """A comment after a backslash continuation would be a syntax error: no edit instead."""
    text = "import torch\n\nopt = torch.optim.Adam \\\n    (params)\n"
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", text)
    (item,) = await diagnostics(client, uri, until=bool)
    disable = await resolved(client, (await actions_at(client, uri, item.range))[-1])
    assert disable.title == "torchlint (TL103): Disable for this line" and disable.edit is None


async def test_clients_that_cannot_resolve_get_the_edits_at_once(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, resolve=False)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    (item,) = await diagnostics(client, uri, until=bool)
    actions = await actions_at(client, uri, item.range)
    assert all(action.edit is not None for action in actions)
    assert "AdamW" in apply_workspace_edit({uri: ADAM}, actions[0].edit)[uri]


async def test_an_action_for_an_older_version_resolves_to_nothing(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    (item,) = await diagnostics(client, uri, until=bool)
    (fix, _) = await actions_at(client, uri, item.range)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [lsp.TextDocumentContentChangePartial(range=span(0, 0), text="# edited\n")],
        )
    )
    assert (await client.code_action_resolve_async(fix)).edit is None


async def test_no_actions_away_from_findings(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    assert await actions_at(client, uri, span(0, 0)) == []


async def disabled_fix_all(client: Client, uri: str) -> str:
    """The reason of the disabled fix-all offered for ``uri`` (the editor's "Fix All" command)."""
    await diagnostics(client, uri, until=bool)
    (action,) = await actions_at(client, uri, span(0, 0), only=["source.fixAll"])
    assert action.kind == FIX_ALL and action.title == "torchlint: Fix all safe fixes"
    assert (await resolved(client, action)).edit is None
    return action.disabled.reason


def run_command(reason: str, cwd: Path) -> None:
    """Run the CLI command quoted in ``reason`` in ``cwd``, as in a terminal opened on the workspace."""
    name, *arguments = shlex.split(reason.split("`")[1])
    assert name == "torchlint"
    subprocess.run([str(Path(sys.executable).parent / name), *arguments], cwd=cwd, check=True, capture_output=True)


async def test_fix_all_with_only_unsafe_fixes_left_says_how_many_and_how_to_apply_them(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    (tmp_path / "train.py").write_text(TWO_ADAMS)
    (tmp_path / "other.py").write_text(ADAM)
    reason = await disabled_fix_all(client, open_document(client, tmp_path / "train.py", TWO_ADAMS))
    assert reason == (
        "No safe fixes: 2 unsafe fixes are left. Apply each from its quick fix (marked (unsafe)), "
        "or run `torchlint check --fix --unsafe-fixes train.py`."
    )
    run_command(reason, tmp_path)
    assert (tmp_path / "train.py").read_text() == TWO_ADAMS.replace("Adam([])", "AdamW([], weight_decay=0.0)")
    assert (tmp_path / "other.py").read_text() == ADAM  # the command names this file only


async def test_unsafe_fixes_left_in_a_folder_with_a_space_name_it_quoted(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    runs = tmp_path / "my runs"
    runs.mkdir()
    (runs / "train.py").write_text(ADAM)
    reason = await disabled_fix_all(client, open_document(client, runs / "train.py", ADAM))
    assert reason.startswith("No safe fixes: 1 unsafe fix is left.")
    assert reason.endswith("or run `torchlint check --fix --unsafe-fixes 'my runs/train.py'`.")
    run_command(reason, tmp_path)
    assert "torch.optim.AdamW(" in (runs / "train.py").read_text()


async def test_unsafe_fixes_left_in_an_untitled_document_are_applied_one_by_one(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = "untitled:Untitled-1"
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, TWO_ADAMS)))
    reason = await disabled_fix_all(client, uri)
    assert reason == "No safe fixes: 2 unsafe fixes are left. Apply each from its quick fix (marked (unsafe))."


async def test_fix_all_is_not_offered_to_a_client_without_disabled_actions(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path, disabled_actions=False)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    await diagnostics(client, uri, until=bool)
    assert await actions_at(client, uri, span(0, 0), only=["source.fixAll"]) == []


async def test_fix_all_of_one_code_applies_its_unsafe_fixes_and_says_so(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", TWO_ADAMS)
    first, _ = await diagnostics(client, uri, until=lambda items: len(items) == 2)
    titles = [action.title for action in await actions_at(client, uri, first.range)]
    assert titles == [
        "torchlint (TL103): Replace Adam with AdamW (unsafe)",
        "torchlint: Fix all TL103 in this file (unsafe)",
        "torchlint (TL103): Disable for this line",
    ]
    # A range over both findings still offers one "Fix all TL103".
    everything = [action.title for action in await actions_at(client, uri, span(0, 0, 9, 0))]
    assert everything.count("torchlint: Fix all TL103 in this file (unsafe)") == 1
    fix_code = await resolved(client, (await actions_at(client, uri, first.range))[1])
    fixed = apply_workspace_edit({uri: TWO_ADAMS}, fix_code.edit)[uri]
    assert fixed == TWO_ADAMS.replace("Adam([])", "AdamW([], weight_decay=0.0)")


async def test_fix_all_of_one_code_leaves_the_other_codes_alone(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", TWO_VARIABLES)
    found = await diagnostics(client, uri, until=lambda items: len(items) == 4)
    variable = next(item for item in found if item.code == "TL120")
    titles = [action.title for action in await actions_at(client, uri, variable.range)]
    assert titles == [
        "torchlint (TL120): Remove the Variable wrapper",
        "torchlint: Fix all TL120 in this file",
        "torchlint (TL120): Disable for this line",
        "torchlint: Fix all safe fixes",
    ]
    fix_code = await resolved(client, (await actions_at(client, uri, variable.range))[1])
    fixed = apply_workspace_edit({uri: TWO_VARIABLES}, fix_code.edit)[uri]
    assert fixed == (
        "import torch\n\nx = torch.ones(1)\ny = torch.ones(2)\nopt = torch.optim.Adam([x])\nopt2 = torch.optim.Adam([y])\n"
    )  # the Variable import goes with its last use; Adam stays


async def test_one_fixable_finding_of_a_code_gets_no_fix_all_of_that_code(client: Client, tmp_path: Path) -> None:
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", ADAM)
    (item,) = await diagnostics(client, uri, until=bool)
    assert not [action for action in await actions_at(client, uri, item.range) if "Fix all" in action.title]


def _safe_fix_cases() -> list[tuple[str, Invalid]]:
    rules = all_rules()
    chosen: dict[str, Invalid] = {}
    for code, case in invalid_cases():
        rule = rules.get(code)
        safe = rule is not None and rule.fixable() and rule.fix_applicability is Applicability.SAFE
        if code not in chosen and safe and case.fixed is not None:
            chosen[code] = case
    return list(chosen.items())


async def test_fix_all_applies_every_safe_fix_in_one_edit(client: Client, tmp_path: Path) -> None:
    """For every rule with a safe fix, fix-all through the server gives what the engine's ``fix_all`` gives."""
    cases = _safe_fix_cases()
    assert cases
    await initialize(client, tmp_path)
    for index, (code, case) in enumerate(cases):
        uri = open_document(client, tmp_path / f"case_{index}.py", case.source)
        await diagnostics(client, uri)
        (action,) = await actions_at(client, uri, span(0, 0), only=["source.fixAll"])
        assert action.kind == FIX_ALL and action.title == "torchlint: Fix all safe fixes"
        action = await resolved(client, action)
        assert edited_uris(action.edit) == [uri]
        expected = fixer.fix_all(case.source, str(tmp_path / f"case_{index}.py")).source
        assert apply_workspace_edit({uri: case.source}, action.edit)[uri] == expected, code


async def test_every_rule_code_action_matches_the_engine(client: Client, tmp_path: Path) -> None:
    """Each rule's code action, offered on its finding, edits the text as the engine's ``run_action`` does."""
    cases = [(code, case) for code, case in invalid_cases() if case.action is not None]
    assert cases
    await initialize(client, tmp_path)
    for index, (code, case) in enumerate(cases):
        path = tmp_path / f"action_{index}.py"
        uri = open_document(client, path, case.source)
        await diagnostics(client, uri)
        finding = next((f for f in analyze(case.source, str(path)) if f.code == code and f.actions), None)
        assert finding is not None, f"{code}: the engine offers no code action on {case.source!r}"
        line, column = finding.line - 1, finding.column - 1
        title = f"torchlint ({code}): {finding.actions[0].title}"
        offered = await actions_at(client, uri, span(line, column))
        action = next((a for a in offered if a.title == title), None)
        assert action is not None, f"{code}: {title!r} not among {[a.title for a in offered]}"
        action = await resolved(client, action)
        expected = fixer.run_action(case.source, finding, finding.actions[0])
        assert apply_workspace_edit({uri: case.source}, action.edit)[uri] == expected, code


async def test_quick_fix_in_a_crlf_document_with_a_form_feed(client: Client, tmp_path: Path) -> None:
    """Line breaks stay as they were, and a form feed (no line break for LSP) does not shift lines."""
    text = "import torch\r\n\x0c\r\n# -- training --\r\nopt = torch.optim.Adam([])  # lr\r\n"
    await initialize(client, tmp_path)
    uri = open_document(client, tmp_path / "train.py", text)
    (item,) = await diagnostics(client, uri, until=bool)
    assert item.range == span(3, 6, 3, 22)
    fix = await resolved(client, (await actions_at(client, uri, item.range))[0])
    assert apply_workspace_edit({uri: text}, fix.edit)[uri] == text.replace("Adam([])", "AdamW([], weight_decay=0.0)")
