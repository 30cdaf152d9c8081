"""The API's throttles: counted in Redis, so they hold across gunicorn workers, per real client address."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.conftest import compose_web_command, gunicorn, workers_that_answered


def test_anonymous_throttle_holds_across_workers_and_forwarded_headers(tmp_path: Path) -> None:
    """A client that rotates X-Forwarded-For, answered by several workers, is still one client."""
    log = tmp_path / "gunicorn.log"
    with gunicorn(compose_web_command(), log, API_THROTTLE_ANON="10/minute") as base:

        def guess(n: int) -> int:
            return requests.post(
                f"{base}/api/token/refresh/", json={"refresh": "not-a-token"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"}, timeout=30,
            ).status_code  # fmt: skip

        # At once, so that sync workers busy with one request leave the next to another worker (one after
        # the other, the kernel may hand every connection to the same one).
        with ThreadPoolExecutor(max_workers=15) as pool:
            codes = sorted(pool.map(guess, range(15)))
    assert codes == [401] * 10 + [429] * 5
    assert len(workers_that_answered(log)) >= 2, log.read_text()
