"""The optional bearer token that guards every route but the health probes and the page shells."""

from __future__ import annotations

import hmac

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer


def token_guard(token: str | None):
    """A FastAPI dependency requiring `Authorization: Bearer <token>`, or None when the server has no token.
    Declared through HTTPBearer so that /docs offers its "Authorize" button."""
    if token is None:
        return None
    scheme = HTTPBearer(auto_error=False, description="The token the server was started with.")
    expected = token.encode()

    async def require_token(credentials: HTTPAuthorizationCredentials | None = Depends(scheme)) -> None:
        if credentials is None:
            raise HTTPException(401, "Authorization: this server needs a token; send the header "
                                     "'Authorization: Bearer <token>'.", headers={"WWW-Authenticate": "Bearer"})
        # compare_digest: the time taken does not tell how much of a guess was right
        if not hmac.compare_digest(credentials.credentials.encode(), expected):
            raise HTTPException(401, "Authorization: wrong token.",
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    return require_token
