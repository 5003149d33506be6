"""The command line end to end: real documents, the simulated web, the store, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from linkaudit.cli import cli
from web import Reply, SimWeb, WebRequest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "rok-us-policy-brief-2025-03.md"
SCHEMAS = ROOT / "src" / "linkaudit" / "schemas"


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def brief(tmp_path: Path, web: SimWeb) -> Path:
    """A brief citing a live page, a dead one, a permanent redirect and a name that cannot exist."""
    doc = tmp_path / "brief.md"
    doc.write_text(
        "# Brief\n\n"
        f"The law was [formally]({web.url('/status/200')}) adopted.\n"
        f"Its [text]({web.url('/status/404')}) is gone.\n"
        f"The [agency]({web.url('/redirect/301/1')}) moved.\n"
        "The [ministry](https://ministry.invalid/report) vanished.\n"
        "A [placeholder](#) was left by layout.\n",
        encoding="utf-8",
    )
    return doc


def local_args(web: SimWeb, db: Path) -> list[str]:
    return [
        "--allow-private", "--db", str(db), "--timeout", "3", "--retries", "0",
        "--archive", "none", "--quiet",
    ]  # fmt: skip


@pytest.fixture
def canary_config(tmp_path: Path, web: SimWeb) -> Path:
    """A config whose network canary is the simulated web, so the run counts as online."""
    config = tmp_path / "linkaudit.toml"
    config.write_text(f'network_canaries = ["{web.url("/")}"]\nsoft404 = false\n')
    return config


def test_extract_example_brief_json() -> None:
    """The example brief yields its 37 links, and the JSON conforms to links-schema.json."""
    result = run("extract", str(EXAMPLE), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    jsonschema.validate(data, schema("links-schema.json"))
    links = data["links"]
    assert len(links) == 37
    placeholders = [link for link in links if link["problem"] == "placeholder"]
    assert len(placeholders) == 29
    assert placeholders[0]["text"] == "formally" and placeholders[0]["line"] == 80
    assert placeholders[-1]["text"] == "critical sectors"
    assert sum(1 for link in links if link["url"].startswith("mailto:")) == 2


def test_extract_table_fits_80_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped, the table is laid out for 80 columns (docs/reports.md): a long anchor text is
    shortened to fit, so every line is at most 80 columns; only a URL too long for any line
    overflows, whole, beside an anchor already at the 24-column floor."""
    monkeypatch.chdir(tmp_path)
    too_long = "https://example.org/" + "segment/" * 9
    Path("brief.md").write_text(
        f"[{'a long anchor text that will not fit beside its URL ' * 3}](https://example.org/a)\n"
        "[short](https://example.org/b)\n"
        f"[another anchor text, long enough to be cut]({too_long})\n"
    )
    result = run("extract", "brief.md")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    fitting = [line for line in lines if too_long not in line]
    assert any("a long anchor text" in line for line in fitting)
    assert max(len(line) for line in fitting) <= 80, "\n".join(fitting)
    (overflowing,) = [line for line in lines if too_long in line]  # the URL whole, never cut
    anchor = overflowing.split('"')[1]
    assert len(f'"{anchor}"') == 24 and anchor.endswith("…")  # down to the floor, no further
    links = json.loads(run("extract", str(EXAMPLE), "--format", "json").output)["links"]
    table = run("extract", str(EXAMPLE)).output.splitlines()
    for link in links:  # the example brief's long places and URLs: each URL whole on a line
        assert any(line.endswith(link["url"]) or f" {link['url']} " in line for line in table)


def test_check_against_simulated_web(tmp_path: Path, web: SimWeb, canary_config: Path) -> None:
    """Every kind of link gets its verdict, each URL is fetched once, and the gate fails on dead."""
    doc = brief(tmp_path, web)
    web.reset_log()
    out = tmp_path / "report.json"
    result = run(
        "check", str(doc), *local_args(web, tmp_path / "db.sqlite"),
        "--config", str(canary_config), "--format", "json", "--output", str(out),
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text())
    jsonschema.validate(data, schema("report-schema.json"))
    verdicts = {r["url"].split("/", 3)[-1]: (r["verdict"], r["reason"]) for r in data["results"]}
    assert verdicts["status/200"] == ("ok", None)
    assert verdicts["status/404"] == ("dead", "http_404")
    assert verdicts["redirect/301/1"] == ("redirected", "redirect_permanent")
    assert verdicts["report"] == ("dead", "dns")
    assert verdicts["#"] == ("invalid", "placeholder")
    assert data["summary"]["network"] == "ok"
    paths = [entry.target for entry in web.requests]
    assert paths.count("/status/200") == 1 and paths.count("/status/404") == 1


def test_cached_rerun_fetches_nothing(tmp_path: Path, web: SimWeb, canary_config: Path) -> None:
    """A second run within --max-age answers from the store: cached results, no requests."""
    doc = brief(tmp_path, web)
    db = tmp_path / "db.sqlite"
    base = ["check", str(doc), *local_args(web, db), "--config", str(canary_config)]
    run(*base, "--format", "json", "--output", str(tmp_path / "first.json"))
    web.reset_log()
    run(*base, "--format", "json", "--output", str(tmp_path / "second.json"))
    second = json.loads((tmp_path / "second.json").read_text())
    fetched = [r for r in second["results"] if r["verdict"] not in ("invalid", "skipped")]
    assert fetched and all(r["cached"] for r in fetched)
    assert [e.target for e in web.requests if e.target.startswith("/status")] == []
    web.reset_log()
    run(*base, "--fresh", "--format", "json", "--output", str(tmp_path / "third.json"))
    assert any(e.target == "/status/200" for e in web.requests)


def test_several_formats_in_one_run(tmp_path: Path, web: SimWeb, canary_config: Path) -> None:
    """--format/--output pairs, and an --output whose suffix picks the format."""
    doc = brief(tmp_path, web)
    result = run(
        "check", str(doc), *local_args(web, tmp_path / "db.sqlite"), "--config",
        str(canary_config), "--format", "sarif", "--output", str(tmp_path / "a.sarif"),
        "--output", str(tmp_path / "b.html"), "--format", "html",
    )  # fmt: skip
    assert result.exit_code == 1
    sarif = json.loads((tmp_path / "a.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert (tmp_path / "b.html").read_text().startswith("<!DOCTYPE html>")


def test_stored_reports_history_and_baseline(
    tmp_path: Path, web: SimWeb, canary_config: Path
) -> None:
    """report, history and baseline read the store with no network; the baseline quiets the gate."""
    doc = brief(tmp_path, web)
    db = tmp_path / "db.sqlite"
    args = ["check", str(doc), *local_args(web, db), "--config", str(canary_config)]
    assert run(*args).exit_code == 1
    report = run("report", "--db", str(db), "--format", "json", "--output", "-")
    assert report.exit_code == 0
    jsonschema.validate(json.loads(report.output), schema("report-schema.json"))
    health = run("report", "--db", str(db), "--health", "--format", "markdown", "-o", "-")
    assert "Archive health" in health.output and "Lost evidence" in health.output
    history = run("history", web.url("/status/404"), "--db", str(db))
    assert "dead" in history.output and "http_404" in history.output
    baseline = tmp_path / "baseline.toml"
    assert run("baseline", "--db", str(db), "--output", str(baseline)).exit_code == 0
    assert run(*args, "--baseline", str(baseline)).exit_code == 0


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    """A broken document gives one line naming it and exit code 2; no traceback."""
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + os.urandom(200))
    good = tmp_path / "good.md"
    good.write_text("[a](https://example.org/)\n")
    result = run("extract", str(bad), str(good), "--format", "json")
    assert result.exit_code == 2
    assert "broken.pdf" in result.stderr and "Traceback" not in result.stderr
    assert json.loads(result.stdout)["documents"][1]["links"] == 1


def test_bad_store_is_one_line(tmp_path: Path) -> None:
    """A store that is not SQLite is refused in one line with exit code 2."""
    db = tmp_path / "notes.sqlite"
    db.write_text("these are my notes\n")
    result = run("history", "https://example.org/", "--db", str(db))
    assert result.exit_code == 2
    assert "not a linkaudit store" in result.output and "Traceback" not in result.output
    assert db.read_text() == "these are my notes\n"


def test_a_bad_ca_bundle_is_one_line(
    tmp_path: Path, web: SimWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CA bundle is read when the first https origin opens; a broken one stops the run
    with one line and exit code 2, as it did when it was read at start-up."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    doc = tmp_path / "brief.md"
    doc.write_text(f"[a]({web.https_url('/status/200')})\n")
    result = run("check", str(doc), "--no-store", "--allow-private", "--archive", "none")
    assert result.exit_code == 2
    assert "cannot load the CA certificates" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_config_key(tmp_path: Path) -> None:
    """An unknown config key names the key and the file."""
    config = tmp_path / "linkaudit.toml"
    config.write_text("retires = 3\n")
    result = run("check", str(EXAMPLE), "--config", str(config), "--no-store")
    assert result.exit_code == 2
    assert "retires" in result.output and "linkaudit.toml" in result.output


def test_private_targets_refused_by_default(tmp_path: Path, web: SimWeb) -> None:
    """Without --allow-private a loopback target is skipped (private_address), never fetched."""
    web.reset_log()
    only, _ = _check_one(tmp_path, f"[admin]({web.url('/status/200')})\n")
    assert (only["verdict"], only["reason"]) == ("skipped", "private_address")
    assert web.requests == []


def test_homepage_redirect_and_login_wall(tmp_path: Path, web: SimWeb, canary_config: Path) -> None:
    """Deep links sent to the home page are dead; links sent to a login page are restricted."""

    async def to_home(request: WebRequest) -> Reply:
        return Reply(301, headers={"Location": "/"})

    web.route("/reports/2019/annual.pdf", to_home)
    doc = tmp_path / "doc.md"
    doc.write_text(
        f"[report]({web.url('/reports/2019/annual.pdf')}) and "
        f"[members]({web.url('/private/report')})\n"
    )
    out = tmp_path / "r.json"
    run(
        "check", str(doc), *local_args(web, tmp_path / "db.sqlite"), "--config",
        str(canary_config), "--format", "json", "--output", str(out),
    )  # fmt: skip
    got = {
        r["url"].rsplit("/", 1)[-1]: (r["verdict"], r["reason"])
        for r in json.loads(out.read_text())["results"]
    }
    assert got["annual.pdf"] == ("dead", "homepage_redirect")
    assert got["report"] == ("restricted", "login_redirect")


def _check_one(tmp_path: Path, markdown: str) -> tuple[dict[str, Any], str]:
    """Check a one-link brief with default guards (exit 0 expected): its one result and the
    JSON report's text."""
    doc = tmp_path / "brief.md"
    doc.write_text(markdown)
    out = tmp_path / "r.json"
    result = run(
        "check", str(doc), "--no-store", "--quiet", "--archive", "none",
        "--format", "json", "--output", str(out),
    )  # fmt: skip
    assert result.exit_code == 0
    text = out.read_text()
    (only,) = json.loads(text)["results"]
    return only, text


def _offline(*argv: str) -> subprocess.CompletedProcess[str] | None:
    """Run the CLI in a network namespace with only loopback (no network at all)."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        return None
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return None
    script = 'ip link set lo up 2>/dev/null; exec "$@"'
    cmd = [unshare, "--net", "sh", "-c", script, "sh", sys.executable, "-m", "linkaudit", *argv]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT)


def test_example_brief_offline(tmp_path: Path) -> None:
    """No network at all: placeholders invalid, mailto skipped, web links unreachable; exit 1."""
    out = tmp_path / "offline.json"
    done = _offline("check", str(EXAMPLE), "--no-store", "--quiet", "--format", "json",
                    "--output", str(out))  # fmt: skip
    if done is None:
        pytest.skip("needs root and unshare --net for a machine with no network")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(out.read_text())
    jsonschema.validate(data, schema("report-schema.json"))
    assert data["summary"]["network"] == "unavailable"
    by_verdict = data["summary"]["by_verdict"]
    assert by_verdict == {"invalid": 1, "skipped": 2, "unreachable": 6}
    (placeholder,) = [r for r in data["results"] if r["verdict"] == "invalid"]
    assert len(placeholder["occurrences"]) == 29
    assert placeholder["occurrences"][-1]["text"] == "allyshoring" or any(
        o["text"] == "allyshoring" for o in placeholder["occurrences"]
    )
    unreachable = [r for r in data["results"] if r["verdict"] == "unreachable"]
    assert {r["reason"] for r in unreachable} == {"network_unavailable"}


def test_offline_with_nothing_else_exits_3(tmp_path: Path) -> None:
    """Offline and only web links: exit code 3, never a page of dead links."""
    doc = tmp_path / "web.md"
    doc.write_text("[a](https://example.org/a) and [b](https://example.net/b)\n")
    done = _offline("check", str(doc), "--no-store", "--quiet")
    if done is None:
        pytest.skip("needs root and unshare --net for a machine with no network")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "dead" not in done.stdout.split("unreachable")[0]


def test_folder_globs(tmp_path: Path) -> None:
    """--glob and --exclude-glob choose the files of a folder."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.md").write_text("[a](https://a.example/)\n")
    (tmp_path / "sub" / "b.md").write_text("[b](https://b.example/)\n")
    (tmp_path / "c.html").write_text('<a href="https://c.example/">c</a>\n')
    result = run(
        "extract", str(tmp_path), "--glob", "*.md", "--exclude-glob", "sub/*", "--format", "json"
    )
    assert [link["url"] for link in json.loads(result.output)["links"]] == ["https://a.example/"]


def test_periodic_reports_are_dated(
    tmp_path: Path, web: SimWeb, canary_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`linkaudit report --health --format html` writes reports/health-<date>.html by default."""
    import datetime as dt

    doc = brief(tmp_path, web)
    db = tmp_path / "db.sqlite"
    run("check", str(doc), *local_args(web, db), "--config", str(canary_config))
    monkeypatch.chdir(tmp_path)
    result = run("report", "--health", "--db", str(db), "--format", "html")
    assert result.exit_code == 0
    written = tmp_path / "reports" / f"health-{dt.date.today().isoformat()}.html"
    assert written.read_text().startswith("<!DOCTYPE html>")


def test_file_url_outside_the_brief_is_refused(tmp_path: Path) -> None:
    """`file:///etc/passwd` in an untrusted brief is skipped (private_address), never read."""
    only, report = _check_one(tmp_path, "See [the accounts](file:///etc/passwd).\n")
    assert (only["verdict"], only["reason"]) == ("skipped", "private_address")
    assert "root" in only["error"] and "root:" not in report
