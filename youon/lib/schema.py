"""OpenAPI schema: every operation documents the error answers the API gives."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema

ERRORS = {
    "400": "A parameter or the body is invalid; each key names the parameter and says why.",
    "401": "No valid token (missing, forged, expired, or signed with another algorithm).",
    "403": "Not allowed for this user, or from this network.",
    "404": "No such object.",
    "429": "Too many requests; retry after the Retry-After header.",
}
ERROR_BODY = {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            responses.setdefault(code, {"content": ERROR_BODY, "description": description})
        if self.method in ("POST", "PUT", "PATCH"):
            unreadable = "A body of a media type the endpoint does not read (JSON and forms), or a malformed one."
            responses.setdefault("415", {"content": ERROR_BODY, "description": unreadable})
        return responses
