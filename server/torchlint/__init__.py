"""torchlint: keeps PyTorch training code on modern engineering paradigms."""

__version__ = "0.1.0"
