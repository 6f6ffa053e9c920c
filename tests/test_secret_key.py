"""The key tokens are signed with never comes from the repository: outside production it is made
once per data directory (and agreed on by processes starting together); production must be given
one."""

import multiprocessing
import stat
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from oneclass import settings as settings_module
from oneclass.settings import SECRET_KEY_FILE, Settings, load_or_create_secret

STARTING_TOGETHER = 8


def _settings(monkeypatch: pytest.MonkeyPatch, **values: Any) -> Settings:
    """Settings from these values alone: no SECRET_KEY from the environment or a `.env` file."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]  # pydantic-settings' own keyword


def _start(path: str, barrier: Barrier, keys: "multiprocessing.Queue[str]") -> None:
    barrier.wait()
    keys.put(load_or_create_secret(Path(path)))


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / SECRET_KEY_FILE
    context = multiprocessing.get_context("spawn")
    barrier, keys = context.Barrier(STARTING_TOGETHER), context.Queue()
    processes = [context.Process(target=_start, args=(str(path), barrier, keys)) for _ in range(STARTING_TOGETHER)]
    for process in processes:
        process.start()
    seen = {keys.get(timeout=60) for _ in processes}
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert seen == {path.read_text()}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [SECRET_KEY_FILE]  # no candidate left behind


@pytest.mark.parametrize("environment", ["development", "test"])
def test_without_secret_key_a_random_key_is_kept_under_the_data_dir(
    environment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _settings(monkeypatch, environment=environment, data_dir=tmp_path / "one")
    again = _settings(monkeypatch, environment=environment, data_dir=tmp_path / "one")
    other = _settings(monkeypatch, environment=environment, data_dir=tmp_path / "two")
    assert first.secret_key == again.secret_key == (tmp_path / "one" / SECRET_KEY_FILE).read_text()
    assert other.secret_key != first.secret_key
    assert len(first.secret_key) >= 32


def test_the_repository_holds_no_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = Path(settings_module.__file__).read_text()
    key = _settings(monkeypatch, data_dir=tmp_path).secret_key
    assert key not in source
    assert Settings.model_fields["secret_key"].default == ""


def test_a_set_secret_key_is_used_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    assert Settings(_env_file=None, data_dir=tmp_path).secret_key == "k" * 40  # type: ignore[call-arg]  # as above
    assert not (tmp_path / SECRET_KEY_FILE).exists()


def test_a_damaged_key_file_is_refused_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / SECRET_KEY_FILE).write_text("short")
    with pytest.raises(ValidationError, match="does not hold a usable key"):
        _settings(monkeypatch, data_dir=tmp_path)


def test_production_without_secret_key_refuses_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    passwords = {"app_db_password": "a-real-password", "platform_db_password": "another-real-password"}
    with pytest.raises(ValidationError, match="SECRET_KEY must be set in production"):
        _settings(monkeypatch, environment="production", data_dir=tmp_path, **passwords)
    with pytest.raises(ValidationError, match="SECRET_KEY must be set in production"):
        _settings(monkeypatch, environment="production", data_dir=tmp_path, secret_key="too-short", **passwords)
    assert not (tmp_path / SECRET_KEY_FILE).exists()  # production never makes its own
    chosen = _settings(monkeypatch, environment="production", secret_key="s" * 32, **passwords)
    assert chosen.secret_key == "s" * 32


def test_an_unknown_environment_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError):
        _settings(monkeypatch, environment="prod", data_dir=tmp_path)
