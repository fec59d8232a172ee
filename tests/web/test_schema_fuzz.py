"""schemathesis against /openapi.json with a valid token: no request it generates gets a 5xx."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from advocado.web import create_app
from storage import Database
from tests.web.conftest import FakeJobs, _seed

EXAMPLES_PER_OPERATION = 20


def test_no_generated_request_gets_a_server_error(db: Database) -> None:
    site = _seed(db)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(site.db, jobs=FakeJobs(), session_secret="fuzz"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case: Any) -> None:
            case.call_and_validate(headers=site.auth, checks=[not_a_server_error, status_code_conformance,
                                                              response_schema_conformance])

        no_server_error()
