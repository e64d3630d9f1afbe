"""``warta-api``: serve the HTTP API with uvicorn on ``WARTA_API_HOST``:``WARTA_API_PORT``."""

from __future__ import annotations

import logging

import uvicorn

from warta.logs import setup_logging
from warta_api.app import create_app
from warta_api.settings import Settings

log = logging.getLogger("warta_api")


def main() -> None:
    settings = Settings()
    setup_logging(settings.log_level, settings.log_json)
    if settings.keys == Settings.model_fields["keys"].default:
        log.warning("WARTA_API_KEYS not set: only the development key is accepted")
    app = create_app(settings)
    log.info("Warta API on http://%s:%s (docs at /docs)", settings.host, settings.port)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep our logging set-up
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
