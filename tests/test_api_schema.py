"""Property-based run of the OpenAPI schema (schemathesis): no 5xx, no response outside the schema.

Bounded (a few examples per operation) so it stays part of `make test`. Runs as an analyst: staff-only
writes are expected to answer 403, which the schema documents.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis import checks

from youon.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# No 5xx, and every answer within the schema: status code, content type, headers, body.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def analyst_token(db: None) -> Iterator[str]:
    """An analyst's token; requests run inside the test transaction, as Django's test client does."""
    user, _ = get_user_model().objects.get_or_create(username="schemathesis")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield str(AccessToken.for_user(user))
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.exclude(path_regex=r"^/api/token").parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case: schemathesis.Case, analyst_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {analyst_token}"}, checks=CHECKS)
