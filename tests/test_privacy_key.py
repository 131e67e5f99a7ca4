"""ID numbers at rest are an HMAC under a key from settings, never from code."""

from __future__ import annotations

import hashlib
import hmac
import logging
import stat
from pathlib import Path

import pytest

from dossier.privacy import KEY_FILE, hash_id_number
from dossier.settings import get_settings, reset_settings

NUMBER = "11010519491231002X"


@pytest.fixture
def no_key_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded default: nothing configured (tests/conftest.py sets a session key)."""
    monkeypatch.delenv("DOSSIER_ID_HASH_KEY", raising=False)
    reset_settings()


def test_without_a_setting_a_random_key_is_made_once_in_the_data_folder(
    isolated_data_dir: Path, no_key_setting: None,
) -> None:
    first = hash_id_number(NUMBER)
    key_file = isolated_data_dir / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) == 64
    assert first == hmac.new(key.encode(), NUMBER.encode(), hashlib.sha256).hexdigest()
    assert hash_id_number(NUMBER.lower()) == first  # read back, not made again
    assert key_file.read_text().strip() == key
    # Not the unkeyed hash, nor the old public default salt's.
    assert first not in {hashlib.sha256(NUMBER.encode()).hexdigest(),
                         hashlib.sha256(b"dossier-pipeline" + NUMBER.encode()).hexdigest()}


def test_another_data_folder_has_another_key(
    isolated_data_dir: Path, no_key_setting: None, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = hash_id_number(NUMBER)
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(tmp_path / "other"))
    reset_settings()
    assert hash_id_number(NUMBER) != first


def test_the_setting_is_the_key_and_is_never_shown(
    isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "k" * 40
    monkeypatch.setenv("DOSSIER_ID_HASH_KEY", secret)
    reset_settings()
    assert hash_id_number(NUMBER) == hmac.new(secret.encode(), NUMBER.encode(),
                                              hashlib.sha256).hexdigest()
    assert not (isolated_data_dir / KEY_FILE).exists()
    settings = get_settings()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("settings %s %r", settings, settings)
    assert secret not in caplog.text and secret not in settings.model_dump_json()
