"""The README's commands run as written (with no network at all, so they touch nothing outside)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"<!-- readme-test: exit=(\d+)[^>]*-->\n```sh\n(.*?)```", re.S)


def blocks() -> list[tuple[int, str]]:
    return [(int(code), body) for code, body in BLOCK.findall((ROOT / "README.md").read_text())]


def test_readme_starts_with_the_two_commands() -> None:
    """The first lines are the fresh-machine commands: install and run, and run the tests."""
    text = (ROOT / "README.md").read_text()
    first = text.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert first[0].endswith("linkaudit check examples/rok-us-policy-brief-2025-03.md")
    assert first[1].endswith("python -m pytest")
    run_script = (ROOT / ".ci" / "run").read_text()
    assert "python -m pytest" in run_script


def test_every_job_has_a_tested_example() -> None:
    """Pre-publication check, CI gate and health report each have a block that the test runs."""
    bodies = "\n".join(body for _, body in blocks())
    assert "linkaudit check examples/rok" in bodies
    assert "--format sarif" in bodies and "linkaudit baseline" in bodies
    assert "report --health" in bodies


@pytest.mark.parametrize(("expected", "script"), blocks())
def test_readme_block(expected: int, script: str, tmp_path: Path) -> None:
    """Each marked block, run offline in a copy of examples/, ends with its documented exit code."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare --net to run the README offline")
    if subprocess.run([unshare, "--net", "true"], check=False).returncode != 0:
        pytest.skip("unshare --net is not permitted here")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    wrapped = "ip link set lo up 2>/dev/null\n" + script
    done = subprocess.run(
        [unshare, "--net", "bash", "-c", wrapped],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == expected, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stderr
