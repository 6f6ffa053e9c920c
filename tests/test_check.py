"""`oneclass check` names any table that escapes row level security."""

import subprocess
import sys

from sqlalchemy import text

from oneclass import cli, db
from oneclass.settings import PROJECT_ROOT


def run_check() -> subprocess.CompletedProcess[str]:
    # A real process: the console command, its exit code and its output.
    return subprocess.run(
        [sys.executable, "-m", "oneclass", "check"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )


def test_check_passes_on_the_migrated_schema() -> None:
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok" in result.stdout


def test_check_fails_and_names_a_tenant_table_without_rls() -> None:
    with db.owner_engine().begin() as connection:
        connection.execute(text("CREATE TABLE rogue_notes (id serial PRIMARY KEY, school_id uuid NOT NULL)"))
    try:
        result = run_check()
        assert result.returncode == 1
        assert "FAIL rogue_notes: row level security is not enabled" in result.stdout
        assert "FAIL rogue_notes: no policy on app.current_school_id" in result.stdout
        with db.owner_engine().begin() as connection:
            connection.execute(text("ALTER TABLE rogue_notes ENABLE ROW LEVEL SECURITY"))
        # Enabled but neither forced nor with a policy: still refused, for both reasons.
        result = run_check()
        assert result.returncode == 1
        assert "rogue_notes: row level security is not forced" in result.stdout
        assert "rogue_notes: no policy" in result.stdout
        assert "users" not in result.stdout
    finally:
        with db.owner_engine().begin() as connection:
            connection.execute(text("DROP TABLE rogue_notes"))


def test_check_in_process_matches(capsys) -> None:
    assert cli.main(["check"]) == 0
    assert "ok" in capsys.readouterr().out
