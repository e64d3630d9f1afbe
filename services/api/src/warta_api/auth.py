"""API keys → tenants. ``Authorization: Bearer <key>``; keys come from ``WARTA_API_KEYS``."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from warta_api.errors import ApiError

# auto_error=False: we raise our own 401 body; the scheme still shows the "Authorize" button in /docs.
_bearer = HTTPBearer(auto_error=False, description="API key, sent as `Authorization: Bearer <key>`")

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class ApiKeys:
    """Looks keys up in constant time per stored key, so timing does not reveal a key's prefix."""

    def __init__(self, keys: dict[str, str]) -> None:
        self._keys = [(k.encode("utf-8"), tenant) for k, tenant in keys.items()]

    def tenant_for(self, key: str) -> str | None:
        candidate = key.encode("utf-8")
        found: str | None = None
        for stored, tenant in self._keys:
            if hmac.compare_digest(stored, candidate):
                found = tenant
        return found


def _tenant_from_credentials(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> str | None:
    if credentials is None:
        return None
    keys: ApiKeys = request.app.state.api_keys
    tenant = keys.tenant_for(credentials.credentials)
    if tenant is None:
        raise ApiError(401, "unauthorized", "unknown API key", headers=_CHALLENGE)
    return tenant


async def require_tenant(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """The caller's tenant; 401 when the key is missing or unknown."""
    tenant = _tenant_from_credentials(request, credentials)
    if tenant is None:
        raise ApiError(
            401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'", headers=_CHALLENGE
        )
    return tenant


async def reader_tenant(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str | None:
    """For read-only article endpoints: a key is required unless ``WARTA_API_PUBLIC_READ`` is set.

    A key that is sent must still be valid, even when reads are public.
    """
    tenant = _tenant_from_credentials(request, credentials)
    if tenant is None and not request.app.state.settings.public_read:
        raise ApiError(
            401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'", headers=_CHALLENGE
        )
    return tenant


Tenant = Annotated[str, Depends(require_tenant)]
Reader = Annotated[str | None, Depends(reader_tenant)]
