"""The README's "Five minutes" run exactly as written, by the installed ``zhibu``, in a fresh folder:
every command succeeds, the outputs it quotes are what zhibu prints, and the tables it shows are
the tables zhibu draws."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.conftest import REPO
from tests.e2e.test_installed import executable

SECTION = re.search(r"## Five minutes with zhibu\n(.*?)\n## ", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", SECTION.group(1) if SECTION else "", re.S)
CJK = re.compile(r"[\u4e00-\u9fff]")


def shell(folder: Path, command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIBU_")}  # nothing but what the README says
    env["PATH"] = f"{Path(executable()).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-c", command], cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_five_minutes_run_as_written(tmp_path: Path) -> None:
    assert len(BLOCKS) >= 4, "the README's Five minutes section lost its blocks"
    last_output = ""
    ran = 0
    for kind, body in BLOCKS:
        if kind == "sh":
            for line in body.splitlines():
                expected = line.strip().removeprefix("#").strip()
                if line.startswith("#"):  # an output line quoted below the command
                    assert expected in last_output, f"{expected!r} not in the output of the command above"
                    continue
                command, _, comment = line.partition("  #")
                result = shell(tmp_path, command.strip())
                assert result.returncode == 0, f"{command}: {result.stderr}"
                assert "Traceback" not in result.stderr
                last_output, ran = result.stdout, ran + 1
                comment = comment.strip()
                if CJK.search(comment):  # a quoted output, not a remark
                    assert comment in result.stdout, f"{command}: {comment!r} not in {result.stdout!r}"
        elif body.startswith("$ "):
            command, _, shown = body.partition("\n")
            result = shell(tmp_path, command.removeprefix("$ "))
            assert result.returncode == 1
            assert result.stderr.strip() == shown.strip()
        else:  # a table the previous command printed
            assert last_output.strip() == body.strip()
    assert ran >= 12
    status = shell(tmp_path, "zhibu status")
    assert "模拟库" in status.stdout  # --simulate made it one; nothing in the environment did
