"""A fake API key planted in a source's secret parameter never leaves the server (changedetection's canary idea)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from tests.web.conftest import CANARY, Site


def test_the_canary_key_appears_in_no_response(browser_client: TestClient, site: Site) -> None:
    seen: dict[str, str] = {"/openapi.json": json.dumps(browser_client.get("/openapi.json").json())}
    document = browser_client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        if "get" in operations:
            concrete = re.sub(r"\{[^}]+\}", str(site.youtube_id if "source" in path else site.brand_id), path)
            seen[concrete] = browser_client.get(concrete, headers=site.auth).text
    for page in ("/", f"/brands/{site.brand_id}", "/mentions", "/moderation", "/brands", "/jobs",
                 f"/sources/{site.youtube_id}"):
        seen[page] = browser_client.get(page).text
    assert len(seen) >= 18
    for path, body in seen.items():
        assert CANARY not in body, path
    assert "PermanentError: request with key=******** refused" in seen["/api/v1/jobs"]
    assert "api_key=********" in seen[f"/sources/{site.youtube_id}"]
