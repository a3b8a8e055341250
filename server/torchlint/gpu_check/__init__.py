"""The GPU check: a real smoke training step in the user's interpreter, reported as JSON.

:mod:`.smoke` is a standalone script (it needs torch, not torchlint) that :func:`run` starts in
the interpreter the user trains with; the language server and ``torchlint gpu-check`` share it,
and :mod:`.render` writes its report for both (text, Markdown and a one-line summary).
"""

from .render import markdown, summary
from .render import text as render_text
from .runner import CheckOptions, run

__all__ = ["CheckOptions", "markdown", "render_text", "run", "summary"]
