"""``.env.example`` lists every variable the Settings classes read (regenerate it if this fails)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_env_example_matches_the_settings_classes():
    spec = importlib.util.spec_from_file_location("env_example", REPO / "deploy" / "tools" / "env_example.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    actual = (REPO / ".env.example").read_text("utf-8")
    assert actual == expected, "run: uv run python deploy/tools/env_example.py > .env.example"
    assert "WARTA_KAFKA_BOOTSTRAP=" in actual and "WARTA_API_KEYS=" in actual
