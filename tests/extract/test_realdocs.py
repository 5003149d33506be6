"""
The extractors on tests/realdocs, a corpus of real documents with independent ground truth
(tests/realdocs/SOURCES.md): the thresholds of issue 20 per format.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from realdocs import score as corpus

TEXT_FLOOR = {"pdf": 0.95}


@pytest.fixture(scope="module")
def scores() -> dict[str, corpus.Score]:
    return corpus.score()


def test_every_format_meets_its_thresholds(scores: dict[str, corpus.Score]) -> None:
    print("\n" + corpus.table(scores))
    for name, result in scores.items():
        detail = "\n".join(result.mismatches[:20])
        assert result.recall >= 0.98, f"{name} recall {result.recall:.3f}\n{detail}"
        assert result.text >= TEXT_FLOOR.get(name, 0.97), f"{name} text {result.text:.3f}\n{detail}"


def test_precision_overall(scores: dict[str, corpus.Score]) -> None:
    matched = sum(s.matched for s in scores.values())
    extracted = sum(s.extracted for s in scores.values())
    assert matched / extracted >= 0.97


def test_the_scorer_finds_a_wrong_text_and_a_missing_link(tmp_path: Path) -> None:
    """The scorer itself can fail: a changed text and an invented link are counted."""
    import json

    truth = json.loads((corpus.HERE / "expected.json").read_text(encoding="utf-8"))
    entry = next(e for e in truth["files"] if e["format"] == "pdf")
    entry["path"] = str(corpus.HERE / entry["path"])
    entry["links"][0]["text"] = "not what the page shows"
    entry["links"].append({"url": "https://example.invalid/never", "text": None})
    altered = tmp_path / "expected.json"
    altered.write_text(json.dumps({"files": [entry]}), encoding="utf-8")
    result = corpus.score(altered)["pdf"]
    assert result.matched == result.expected - 1
    assert result.texts_right == result.texts - 1
