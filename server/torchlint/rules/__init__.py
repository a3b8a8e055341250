"""One module per rule family; every :class:`~torchlint.rule.Rule` subclass here registers itself."""
