"""TL14x: deprecated and unsafe PyTorch APIs (the ground TorchFix covered)."""
