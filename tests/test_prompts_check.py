"""`phoneline prompts check` on the shipped catalogs and on broken copies of them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from phoneline.catalog import DEFAULT_PROMPTS_DIR
from phoneline.cli import main
from phoneline.prompts_check import check_prompts

TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    copy = tmp_path / "prompts"
    shutil.copytree(DEFAULT_PROMPTS_DIR, copy)
    return copy


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["prompts", "check", "--today", TODAY.isoformat(), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def edit_yaml(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shipped_catalogs_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 0, err
    assert "0 errors" in err
    for lang in ("nl:", "ar:", "ti:", "fa:"):
        assert lang in out.splitlines()
    assert "  sms.stop.done: 1 (UCS-2)" in out
    assert "  guide digid_get:" in out


def test_missing_key_named(prompts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_yaml(prompts / "pl.yaml", lambda data: data["prompts"].pop("guide.integration.3"))
    code, _, err = run(capsys, "--dir", str(prompts))
    assert code == 1
    assert "pl.yaml: missing key guide.integration.3" in err


def test_missing_keywords_named(prompts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_yaml(prompts / "tr.yaml", lambda data: data["keywords"].pop("stop"))
    code, _, err = run(capsys, "--dir", str(prompts))
    assert code == 1
    assert "tr.yaml: missing keywords stop" in err


def test_step_without_source_named(prompts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def drop_source(data: dict[str, list[dict[str, list[dict[str, object]]]]]) -> None:
        data["topics"][0]["steps"][1].pop("source")

    edit_yaml(prompts / "menu.yaml", drop_source)
    code, _, err = run(capsys, "--dir", str(prompts))
    assert code == 1
    assert "menu.yaml: guide.ind_status.2 has no source" in err


def test_sms_over_budget_named(prompts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    too_long = {"sms.stop.done": "ب" * 202}
    edit_yaml(prompts / "ar.yaml", lambda data: data["prompts"].update(too_long))
    code, _, err = run(capsys, "--dir", str(prompts))
    assert code == 1
    assert "ar.yaml: sms.stop.done is 4 segments (UCS-2, 202 units)" in err


def test_old_check_only_warns(prompts: Path) -> None:
    report = check_prompts(prompts, today=TODAY + dt.timedelta(days=200))
    assert report.errors == []
    assert any("guide.digid_get.1 was checked 201 days ago" in w for w in report.warnings)
    assert check_prompts(prompts, today=TODAY, max_age_days=180).warnings == []


def test_max_age_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--max-age-days", "0")
    assert code == 0
    assert "warning: menu.yaml: guide.ind_card.1 was checked" in err


def test_spoken_placeholder_is_error(prompts: Path) -> None:
    edit_yaml(prompts / "ro.yaml", lambda data: data["prompts"].update({"goodbye": "La {name}"}))
    errors = check_prompts(prompts, today=TODAY).errors
    assert "ro.yaml: spoken key goodbye has placeholders ['name']" in errors


def test_keyword_conflict_is_error(prompts: Path) -> None:
    edit_yaml(prompts / "bg.yaml", lambda data: data["keywords"].update({"forget": ["стоп"]}))
    errors = check_prompts(prompts, today=TODAY).errors
    assert any(error.startswith("keyword 'стоп' means several things") for error in errors)


def test_reviewed_needs_reviewer(prompts: Path) -> None:
    def mark_reviewed(data: dict[str, dict[str, dict[str, str]]]) -> None:
        data["language"]["review"]["status"] = "reviewed"

    edit_yaml(prompts / "uk.yaml", mark_reviewed)
    errors = check_prompts(prompts, today=TODAY).errors
    assert "uk.yaml: a reviewed language needs review.by and review.date" in errors


def test_broken_yaml_reported(prompts: Path) -> None:
    (prompts / "ru.yaml").write_text("prompts: [unclosed", encoding="utf-8")
    errors = check_prompts(prompts, today=TODAY).errors
    assert len(errors) == 1
    assert "ru.yaml is not valid YAML" in errors[0]
