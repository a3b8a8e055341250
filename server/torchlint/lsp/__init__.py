"""The torchlint language server (``torchlint server``): pygls on standard input/output."""


def serve() -> None:
    """Run the language server on standard input/output until the client says exit."""
    from .server import create_server

    create_server().start_io()
