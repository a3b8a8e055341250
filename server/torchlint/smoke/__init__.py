"""The smoke run: the user's own training script, stopped after a few optimizer steps, measured.

:mod:`.harness` runs inside the user's interpreter (it needs torch, not torchlint);
:func:`run` starts it, :mod:`.diagnosis` ties what it measured to the rules, and
:mod:`.render` writes the report as text or Markdown for the CLI and the editor.
"""

from .render import markdown, text
from .report import SmokeReport
from .runner import SmokeOptions, run

__all__ = ["SmokeOptions", "SmokeReport", "markdown", "run", "text"]
