"""The VS Code extension's settings as the server takes them: package.json's defaults are the server's.

The client sends every setting package.json contributes, unvalidated, with ``gpuCheck.device``
as ``{"gpuCheck": {"device": ...}}`` (client/src/settings.ts): the server must accept the
defaults without a warning and end up with its own defaults.
"""

from __future__ import annotations

import json
from pathlib import Path

from torchlint.lsp.settings import CLIENT_KEYS, KNOWN_KEYS, EditorSettings

PACKAGE_JSON = Path(__file__).resolve().parents[1] / "package.json"


def sent_defaults() -> dict:
    """What the client sends when no setting is changed."""
    properties = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["contributes"]["configuration"]["properties"]
    sent: dict = {}
    for key, schema in properties.items():
        *parents, leaf = key.removeprefix("torchlint.").split(".")
        target = sent
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = schema["default"]
    return sent


def test_the_defaults_of_package_json_are_the_servers() -> None:
    settings, warnings = EditorSettings.parse(sent_defaults())
    assert warnings == []
    assert settings == EditorSettings()


def test_every_contributed_setting_is_read_by_the_server_or_the_client() -> None:
    keys = set(sent_defaults())
    assert keys - set(CLIENT_KEYS) == set(KNOWN_KEYS)
    assert {"extendSelect", "profile", "targetTorch", "diagnosticsScope"} <= keys


def test_a_bad_value_from_the_client_is_the_servers_to_report() -> None:
    settings, warnings = EditorSettings.parse({**sent_defaults(), "debounce": "soon", "profile": "huge"})
    assert settings.debounce_ms == 150 and settings.profile is None
    assert any("debounce must be a number" in warning for warning in warnings)
    assert any("profile" in warning for warning in warnings)
