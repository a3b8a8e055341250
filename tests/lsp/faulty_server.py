"""``torchlint server`` with one more rule, TL999, that raises on any module mentioning ``EXPLODE``.

Run as a script by the robustness tests to see how the server reports a failing rule; it is
never imported by the test process, so the real rule registry there stays as it is.
"""

from torchlint.lsp import serve
from torchlint.model import Severity
from torchlint.registry import register
from torchlint.rule import Rule


class ExplodingRule(Rule):
    """Raises, to stand for a rule with a bug."""

    code = "TL999"
    name = "exploding-rule"
    severity = Severity.ERROR
    message = "Never reported."
    why = example = use_instead = ""
    requires = ("EXPLODE",)

    def check(self, ctx):
        raise RuntimeError("boom")


if __name__ == "__main__":
    register(ExplodingRule)
    serve()
