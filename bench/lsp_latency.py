"""Latency of the language server: from ``didChange`` to the ``publishDiagnostics`` it causes.

Drives ``torchlint server`` over stdio with a pygls client that announces VS Code's
capabilities, on 1,000- and 5,000-line modules built from the realistic training scripts of
``examples/`` and ``tests/corpus/`` (as ``bench/run.py`` builds them). Each run types one
character into the optimizer line (an incremental change, as editors send it) and waits for
the diagnostics of that version; the table gives the median over the runs, with the
server's debounce at 0 (pure analysis and transport) and at its default.

    python bench/lsp_latency.py            # 9 runs per row
    python bench/lsp_latency.py --runs 25
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pytest_lsp import client_capabilities

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import build, templates  # noqa: E402  (bench/run.py builds the modules)

from torchlint.engine import analyze  # noqa: E402
from torchlint.lsp.settings import DEFAULT_DEBOUNCE_MS  # noqa: E402

SERVER = [sys.executable, "-m", "torchlint", "server"]
MARKER = "optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)\n"


class Probe(LanguageClient):
    """Records when each ``publishDiagnostics`` arrives."""

    def __init__(self) -> None:
        super().__init__("torchlint-latency", "1")
        self.arrivals: list[tuple[float, int]] = []

        @self.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            adam = sum(1 for d in params.diagnostics if d.code == "TL103")
            self.arrivals.append((time.perf_counter(), adam))

        @self.feature(lsp.WORKSPACE_CONFIGURATION)
        def configuration(params: lsp.ConfigurationParams) -> list[None]:
            return [None for _ in params.items]  # no editor settings beyond initializationOptions

        @self.feature(lsp.CLIENT_REGISTER_CAPABILITY)
        def register(params: lsp.RegistrationParams) -> None:
            return None

        @self.feature(lsp.WINDOW_LOG_MESSAGE)
        def log(params: lsp.LogMessageParams) -> None:
            if params.type == lsp.MessageType.Error:
                print(params.message, file=sys.stderr)

    async def next_publication(self, after: int, adam: int, timeout: float = 60.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, count in self.arrivals[after:]:
                if count == adam:
                    return at
            await asyncio.sleep(0.001)
        raise TimeoutError("no diagnostics for the edited version")


def module(lines: int) -> str:
    """A realistic module of about ``lines`` lines whose first line is an ``Adam`` optimizer."""
    return MARKER + build(lines - 1, templates())


async def measure(text: str, debounce_ms: int, runs: int) -> list[float]:
    client = Probe()
    await client.start_io(*SERVER)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        await client.initialize_async(
            lsp.InitializeParams(
                capabilities=client_capabilities("visual_studio_code"),
                root_uri=root.as_uri(),
                workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), "bench")],
                initialization_options={"debounce": debounce_ms},
            )
        )
        client.initialized(lsp.InitializedParams())
        uri = (root / "train.py").as_uri()
        adam = sum(1 for f in analyze(text, "train.py") if f.code == "TL103")
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "python", 1, text)))
        await client.next_publication(0, adam)
        column = MARKER.index("(")
        latencies = []
        for run in range(runs):
            # Odd versions add the "W" of AdamW (one finding fewer), even ones take it away.
            adding = run % 2 == 0
            rng = lsp.Range(lsp.Position(0, column), lsp.Position(0, column + (0 if adding else 1)))
            seen = len(client.arrivals)
            start = time.perf_counter()
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(uri=uri, version=run + 2),
                    [lsp.TextDocumentContentChangePartial(range=rng, text="W" if adding else "")],
                )
            )
            arrived = await client.next_publication(seen, adam - 1 if adding else adam)
            latencies.append((arrived - start) * 1000)
            await asyncio.sleep(0.05)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return latencies


def engine_ms(text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        analyze(text, "train.py")
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    rows = []
    for lines in (1000, 5000):
        text = module(lines)
        analysis = engine_ms(text, args.runs)
        for debounce in (0, DEFAULT_DEBOUNCE_MS):
            latencies = asyncio.run(measure(text, debounce, args.runs))
            rows.append((text.count("\n"), debounce, analysis, statistics.median(latencies), min(latencies), max(latencies)))
    print(f"didChange -> publishDiagnostics, median of {args.runs} runs (ms)")
    print(f"{'lines':>6} {'debounce':>9} {'engine':>8} {'median':>8} {'min':>8} {'max':>8}")
    for lines, debounce, analysis, median, low, high in rows:
        print(f"{lines:>6} {debounce:>9} {analysis:>8.1f} {median:>8.1f} {low:>8.1f} {high:>8.1f}")


if __name__ == "__main__":
    main()
