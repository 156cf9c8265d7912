"""The console script pauses the garbage collector for start-up only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# prints, as the process ends, whether the collector runs and whether start-up's objects are frozen
PROBE = """
import atexit, gc, sys
atexit.register(lambda: print("collecting", gc.isenabled(), "frozen", gc.get_freeze_count() > 0))
sys.argv = ["zhibu", *sys.argv[1:]]
from scheduler.console import main
main()
"""


def _probe(*args: str, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, check=False)
    return done.stdout.strip().splitlines()[-1]


def test_a_command_runs_with_the_collector_on_and_start_up_frozen(tmp_path: Path) -> None:
    # the command fails (no config) after it was loaded: what it ran with is what `run` gets
    assert _probe("--config", str(tmp_path / "missing.toml"), "list", cwd=tmp_path) == "collecting True frozen True"


def test_the_collector_stays_paused_when_no_command_is_loaded(tmp_path: Path) -> None:
    assert _probe("--help", cwd=tmp_path) == "collecting False frozen False"
