"""The torchlint language server (``torchlint server``): pygls on standard input/output."""


def serve() -> None:
    """Run the language server on standard input/output until the client says exit.

    The exit status is 0 after ``shutdown`` and ``exit``, 1 when the client exits (or goes)
    without ``shutdown``, as LSP says.
    """
    import sys

    from .server import create_server

    server = create_server()
    server.start_io()
    sys.exit(0 if server.protocol.shut_down else 1)
