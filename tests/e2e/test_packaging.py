"""The wheel a user installs with ``pip install .`` carries every data file zhibu reads at run
time (an editable install would hide a missing one)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_contains_the_data_files(tmp_path: Path) -> None:
    # build from a clean copy: a leftover build/ folder would hand back files the package lacks
    source = tmp_path / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            "build", "*.egg-info", ".git", ".venv", "venv", "__pycache__", "*.db*", ".*_cache"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("zhibu-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [
        "workflows/catalogue/obligations.toml",
        "workflows/config/starter.toml",
        "scheduler/store/migrations/env.py",
        "scheduler/store/migrations/script.py.mako",
        *(
            f"scheduler/store/migrations/versions/{p.name}"
            for p in (REPO / "scheduler/store/migrations/versions").glob("0*.py")
        ),
        *(f"notifiers/templates/{p.parent.name}/{p.name}" for p in (REPO / "notifiers/templates").glob("*/*")),
    ]
    missing = [name for name in expected if name not in names]
    assert not missing, f"not in the wheel: {missing}"
