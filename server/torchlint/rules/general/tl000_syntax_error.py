"""TL000: the module does not parse."""

from ...model import Severity
from ...rule import Rule


class SyntaxErrorRule(Rule):
    """The file does not parse, so no other rule can look at it.

    The engine reports it (once, at the error position) instead of running the other rules.
    """

    code = "TL000"
    name = "syntax-error"
    severity = Severity.ERROR
    message = "Syntax error"
    requires = ()
    why = """
        torchlint reads the module's syntax tree; a module that does not parse has none, so every
        other rule is silent on it until the error is fixed.
    """
    example = """
        for batch in loader
            loss = model(batch)
    """
    use_instead = """
        for batch in loader:
            loss = model(batch)
    """

    def check(self, ctx):
        return ()
