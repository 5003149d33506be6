"""The GitHub Action and the pre-commit hook, run as their hosts run them: the Action's shell
steps in order against a fixture repository, the hook through ``pre-commit try-repo``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from linkaudit.extract.formats import SUFFIXES

yaml = pytest.importorskip("yaml", reason="PyYAML comes with pre-commit (the test extras)")

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def test_action_is_valid_against_the_action_metadata_schema() -> None:
    """check-jsonschema's built-in schema for action.yml (SchemaStore's github-action)."""
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is in the test extras")
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions",
         str(ACTION)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@dataclass
class ActionRun:
    """What a runner would have after the Action's steps: outputs, logs, files, the job's fate."""

    outputs: dict[str, str]
    logs: dict[str, str]
    job_failed_with: int
    summary: str
    skipped: list[str]


def run_action(repo: Path, tmp: Path, **given: str) -> ActionRun:
    """Run the Action's shell steps as a composite action runs them: ``${{ }}`` expressions
    substituted in ``env``, each ``run`` script in bash in the repository, ``uses`` steps
    stood in for (setup-python: this interpreter; upload-sarif: the file must exist)."""
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"no such inputs: {unknown}"
    inputs.update(given)
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    fake_bin = tmp / "fake-bin"
    fake_bin.mkdir(exist_ok=True)
    installs = tmp / "pip-installs.txt"
    stand_in = fake_bin / "python"
    stand_in.write_text(f'#!/bin/sh\necho "$@" >> "{installs}"\n')
    stand_in.chmod(0o755)
    outputs: dict[str, dict[str, dict[str, str]]] = {}
    logs: dict[str, str] = {}
    skipped: list[str] = []
    summary_file = tmp / "step-summary.md"
    summary_file.write_text("")
    failed = 0
    for step in action["runs"]["steps"]:
        context = {"inputs": inputs, "steps": outputs, "github": {"action_path": str(ROOT)}}
        condition = step.get("if")
        if condition is not None and not _truthy(condition, context):
            skipped.append(step.get("name", step.get("uses", "")))
            continue
        if "uses" in step:
            if "upload-sarif" in step["uses"]:
                sarif = Path(_substitute(step["with"]["sarif_file"], context))
                json.loads(sarif.read_text(encoding="utf-8"))  # what code scanning receives
            continue
        assert step["shell"] == "bash"
        github_output = tmp / f"output-{len(logs)}"
        github_output.write_text("")
        env = {k: _substitute(str(v), context) for k, v in step.get("env", {}).items()}
        installing = "pip install" in step["run"]
        path = f"{fake_bin if installing else BIN}{os.pathsep}{os.environ['PATH']}"
        env.update(
            PATH=path, HOME=str(tmp), RUNNER_TEMP=str(runner_temp),
            GITHUB_OUTPUT=str(github_output), GITHUB_STEP_SUMMARY=str(summary_file),
        )  # fmt: skip
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=repo, env=env,
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        name = step.get("name", "")
        logs[name] = done.stdout + done.stderr
        assert "Traceback" not in logs[name]
        if "id" in step:
            outputs[step["id"]] = {
                "outputs": dict(
                    line.split("=", 1) for line in github_output.read_text().splitlines() if line
                )
            }
        if done.returncode != 0:
            failed = done.returncode
            break
    assert installs.read_text().split()[-1] == str(ROOT), "the Action installs its own checkout"
    return ActionRun(
        outputs=outputs.get("check", {}).get("outputs", {}),
        logs=logs,
        job_failed_with=failed,
        summary=summary_file.read_text(encoding="utf-8"),
        skipped=skipped,
    )


def _lookup(expression: str, context: dict[str, Any]) -> str:
    value: Any = context
    for part in expression.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return str(value)


def _substitute(text: str, context: dict[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: _lookup(m.group(1), context), text)


def _truthy(condition: str, context: dict[str, Any]) -> bool:
    """The Action's conditions: ``a == 'x' && b != ''`` over inputs and step outputs."""
    inner = EXPRESSION.fullmatch(condition.strip())
    text = inner.group(1) if inner else condition
    for clause in text.split("&&"):
        left, op, right = re.split(r"\s*(==|!=)\s*", clause.strip())
        value = _lookup(left, context)
        expected = right.strip("'")
        if (value == expected) != (op == "=="):
            return False
    return True


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a brief whose links need no network: one placeholder, one local
    file that exists, one missing; and a build folder .gitignore keeps out."""
    root = tmp_path / "repo"
    (root / "docs" / "build").mkdir(parents=True)
    (root / ".git").mkdir()  # a checkout: its top-level .gitignore applies to docs/
    (root / ".gitignore").write_text("build/\n")
    (root / "docs" / "annex.md").write_text("# Annex\n\nNothing cited.\n")
    (root / "docs" / "brief.md").write_text(
        "# Brief\n\nThe [annex](annex.md#annex) and the [figures](figures.md) and [the law](#).\n"
    )
    (root / "docs" / "build" / "copy.md").write_text("[stale](#)\n")
    return root


def test_action_with_findings_fails_the_job(repo: Path, tmp_path: Path) -> None:
    """Annotations on stdout, a Markdown job summary, SARIF uploaded, the job fails with 1."""
    done = run_action(repo, tmp_path, paths="docs")
    assert done.outputs["exit-code"] == "1"
    assert done.job_failed_with == 1
    log = done.logs["Check links"]
    assert "::error file=docs/brief.md,line=3" in log
    assert "build/copy.md" not in log  # .gitignore honoured
    assert done.summary.startswith("#") and "figures.md" in done.summary
    sarif = json.loads(Path(done.outputs["sarif-file"]).read_text())
    assert sarif["runs"][0]["results"]
    assert "Upload SARIF" not in done.skipped
    assert not (repo / "linkaudit.sqlite").exists()


def test_action_clean_repository_passes(repo: Path, tmp_path: Path) -> None:
    (repo / "docs" / "brief.md").write_text("# Brief\n\nThe [annex](annex.md#annex).\n")
    done = run_action(repo, tmp_path, paths="docs", sarif="false")
    assert (done.outputs["exit-code"], done.job_failed_with) == ("0", 0)
    assert "Upload SARIF" in done.skipped


def test_action_network_unavailable_passes_unless_asked(repo: Path, tmp_path: Path) -> None:
    """Exit 3 (no remote host reachable, nothing decided) never fails the job by default."""
    (repo / "docs" / "brief.md").write_text("[remote](http://127.0.0.1:9/report)\n")
    config = repo / "ci.toml"
    config.write_text(
        'network_canaries = ["http://127.0.0.1:9/"]\nallow_private = true\n'
        "retries = 0\ntimeout = 3\n"
    )
    done = run_action(repo, tmp_path, paths="docs", config="ci.toml")
    assert (done.outputs["exit-code"], done.job_failed_with) == ("3", 0)
    assert "::warning title=linkaudit::no remote host" in done.logs["Gate"]
    strict = run_action(
        repo, tmp_path, paths="docs", config="ci.toml", **{"fail-on-network-unavailable": "true"}
    )
    assert (strict.outputs["exit-code"], strict.job_failed_with) == ("3", 3)


def test_action_inputs_reach_linkaudit(repo: Path, tmp_path: Path) -> None:
    """fail-on, baseline and args: a baseline accepting the placeholder and fail-on
    invalid only leave the missing file… which is dead, so it passes; a bad flag is exit 2."""
    (repo / "baseline.toml").write_text('[[ignore]]\npattern = "#"\nreason = "known"\n')
    done = run_action(
        repo, tmp_path, paths="docs", baseline="baseline.toml", **{"fail-on": "invalid"}
    )
    assert (done.outputs["exit-code"], done.job_failed_with) == ("0", 0)
    bad = run_action(repo, tmp_path, paths="docs", args="--format yaml")
    assert (bad.outputs["exit-code"], bad.job_failed_with) == ("2", 2)
    assert "'yaml' is not one of" in bad.logs["Check links"]


def test_hook_files_cover_every_supported_suffix() -> None:
    """The hook's `files` pattern is the format table's suffixes, no more, no fewer."""
    [hook] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    pattern = re.compile(hook["files"])
    for suffix in SUFFIXES:
        assert pattern.search(f"docs/x{suffix}") and pattern.search(f"X{suffix.upper()}")
    written = set(re.findall(r"[a-z]+", hook["files"].split("(", 2)[2]))
    assert written == {s.lstrip(".") for s in SUFFIXES}
    assert "--offline" in hook["entry"] and "--no-store" in hook["entry"]


def test_hook_manifest_is_valid() -> None:
    """pre-commit's own manifest check."""
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extras")
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(HOOKS)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs the hook from this checkout and checks staged files:
    a placeholder in Markdown fails the commit, a text and a BibTeX file are read, and no
    store is left in the repository."""
    pre_commit = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
    git = shutil.which("git")
    if pre_commit is None or git is None:
        pytest.skip("pre-commit (test extras) and git are needed")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = dict(
        os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), HOME=str(tmp_path),
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
    )  # fmt: skip
    subprocess.run([git, "init", "-q"], cwd=repo, env=env, check=True)
    (repo / "brief.md").write_text("# Brief\n\nThe [law](#) and the [annex](annex.md).\n")
    (repo / "notes.txt").write_text("See https://example.org/report for the figures.\n")
    (repo / "refs.bib").write_text("@misc{a, url = {https://example.org/a}}\n")
    (repo / "annex.md").write_text("# Annex\n")
    subprocess.run([git, "add", "."], cwd=repo, env=env, check=True)
    done = subprocess.run(
        [pre_commit, "try-repo", str(ROOT), "linkaudit", "--verbose",
         "--files", "brief.md", "notes.txt", "refs.bib"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    out = done.stdout + done.stderr
    if "An unexpected error has occurred" in out or "CalledProcessError" in out:
        pytest.skip(f"pre-commit could not install the hook here: {out[-500:]}")
    assert done.returncode == 1, out
    assert "placeholder" in out
    assert "3 documents" in out
    assert "exit code: 1" in out
    assert not (repo / "linkaudit.sqlite").exists()
