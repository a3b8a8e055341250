"""The GPU check: a real smoke training step in the user's interpreter, reported as JSON.

:mod:`.smoke` is a standalone script (it needs torch, not torchlint) that :func:`run` starts in
the interpreter the user trains with; the language server and ``torchlint gpu-check`` share it.
"""

from .runner import CheckOptions, render_text, run

__all__ = ["CheckOptions", "render_text", "run"]
