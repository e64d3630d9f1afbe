from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.fetcher.httpfixture import LocalServer, Reply
from warta_fetcher.net import HttpPolicy, PoliteHttp
from warta_fetcher.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "fetcher"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer().start()
    srv.routes["/robots.txt"] = Reply(
        200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}
    )
    yield srv
    srv.stop()


def loopback_policy(**overrides: object) -> HttpPolicy:
    """Tests talk to 127.0.0.1, which production refuses: allow exactly loopback."""
    values: dict[str, object] = {
        "allowed_networks": ("127.0.0.0/8",),
        "per_host_delay_s": 0.0,
        "timeout_s": 2.0,
        "total_timeout_s": 5.0,
        "max_bytes": 1024 * 1024,
        "max_retry_after_wait_s": 2.0,
    }
    values.update(overrides)
    return HttpPolicy(**values)  # type: ignore[arg-type]


@pytest.fixture
def http() -> Iterator[PoliteHttp]:
    client = PoliteHttp(loopback_policy())
    yield client
    client.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        state_dir=tmp_path / "state",
        allowed_networks=["127.0.0.0/8"],
        per_host_delay_s=0.0,
        timeout_s=2.0,
        total_timeout_s=5.0,
        max_retry_after_wait_s=2.0,
        metrics_port=0,
    )
