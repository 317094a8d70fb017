"""Without Chromium the browser tests fail in CI and are skipped, with the reason, elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.rig import CHROMIUM, chromium_or_skip


def test_a_missing_browser_fails_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="browser tests need Chromium in CI"):
        chromium_or_skip(tmp_path / "chromium")


def test_a_missing_browser_skips_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium_or_skip(tmp_path / "chromium")


def test_a_file_that_cannot_run_is_no_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    (tmp_path / "chromium").write_text("not a program")
    with pytest.raises(pytest.fail.Exception):
        chromium_or_skip(tmp_path / "chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed here")
def test_the_installed_browser_is_used() -> None:
    assert chromium_or_skip() == str(CHROMIUM)
