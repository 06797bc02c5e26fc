"""The one rule for the page tests' browser: Chromium found as `satudata doctor` finds it
(SATUDATA_CHROMIUM, else `chromium` / `chromium-browser` on PATH), and without it the test FAILS with
the install command, for root and non-root alike: it never skips, and nothing installs it behind the
user's back (`make test` stops first, in `satudata doctor --tests`, with the same line)."""

from __future__ import annotations

import pytest

from satudata.doctor import CHROMIUM_FIX, find_chromium


def require_chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.fail(f"Chromium tidak ditemukan / Chromium is missing: {CHROMIUM_FIX}", pytrace=False)
    return path
