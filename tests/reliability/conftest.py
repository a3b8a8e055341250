"""A fresh ``torchlint server`` per test, as in ``tests/lsp``."""

from __future__ import annotations

import pytest_lsp
from pytest_lsp import ClientServerConfig

from tests.lsp.harness import SERVER_COMMAND, Client, make_client


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client))
async def client(lsp_client: Client):
    yield
    await lsp_client.shutdown_session()
