"""JWT refresh-token families: a token reused after its rotation revokes every token of its login.

Each login (POST /api/token/) starts a family, a random `familia` claim that rotation carries into every
refresh token issued from it. A rotated (blacklisted) refresh token presented again means it was copied:
whoever holds the newest one may be the thief, so every outstanding refresh token of the family is
blacklisted and the user logs in again. Access tokens expire within JWT_ACCESS_MINUTES.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

logger = logging.getLogger(__name__)
FAMILY_CLAIM = "familia"


class FamilyTokenObtainPairSerializer(TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user: Any) -> Any:
        token = super().get_token(user)
        token[FAMILY_CLAIM] = uuid.uuid4().hex
        return token


class FamilyTokenRefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            return super().validate(attrs)
        except TokenError:
            revoke_family_if_reused(attrs["refresh"])
            raise


def revoke_family_if_reused(raw: str) -> int:
    """If `raw` is a genuine (signed, unexpired) refresh token already blacklisted, blacklist every
    outstanding token of its family; returns how many were revoked."""
    try:
        payload = token_backend.decode(raw, verify=True)  # type: ignore[arg-type]  # the stub says Token; it takes the encoded str
    except Exception:  # forged, expired or malformed: nothing to revoke
        return 0
    family, user_id = payload.get(FAMILY_CLAIM), payload.get(api_settings.USER_ID_CLAIM)
    if payload.get(api_settings.TOKEN_TYPE_CLAIM) != "refresh" or not family or user_id is None:
        return 0
    if not BlacklistedToken.objects.filter(token__jti=payload.get(api_settings.JTI_CLAIM)).exists():
        return 0
    revoked = 0
    alive = OutstandingToken.objects.filter(
        user_id=user_id, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    for outstanding in alive:
        try:
            claims = token_backend.decode(outstanding.token, verify=False)  # type: ignore[arg-type]
        except Exception:
            continue
        if claims.get(FAMILY_CLAIM) == family:
            BlacklistedToken.objects.get_or_create(token=outstanding)
            revoked += 1
    logger.warning("refresh token of user %s reused after rotation: %d tokens of its family revoked", user_id, revoked)
    return revoked
