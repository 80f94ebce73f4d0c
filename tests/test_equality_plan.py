"""Active-measures plan, self-check quiz and the indi-jobad command line (indi.equality)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from indi.data import load_women_share
from indi.equality import QUIZ, ActiveMeasuresPlan, InputError, Measure, check_quiz, main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "equality"


def plan(employees: int = 32, **kw) -> ActiveMeasuresPlan:
    measures = kw.pop("measures", [
        Measure("recruitment", "Three ads in a row were masculine-coded", "An old template from 2009",
                "New template; at least two women on every shortlist", "Site manager", "2026-04-30",
                "Checked at each hiring"),
        Measure("pay", "Welders on nights | days paid differently", "Old local agreement", "Harmonise the supplement",
                "CEO", "2026-06-30"),
    ])
    return ActiveMeasuresPlan(firm="Example Works AB (fictional)", year=2026, employees=employees,
                              contact="HR", cooperation="Union club and safety rep took part.",
                              measures=measures, pay_survey={"done": True, "date": "2026-03-01"}, **kw)


@pytest.mark.parametrize("n, pay_doc, full_doc", [(9, False, False), (10, False, False), (24, False, False),
                                                   (25, True, True), (120, True, True)])
def test_what_must_be_documented_depends_on_head_count(n, pay_doc, full_doc):
    # Law from 1 July 2026: written pay survey from 25 employees (was 10).
    applies = [a for _, a in plan(n).obligations()]
    assert applies == [True, True, pay_doc, full_doc]


def test_markdown_plan_has_the_four_steps_and_every_measure():
    md = plan(language="en").to_markdown()
    assert "1. Investigate" in md and "2. Analyse" in md and "3. Act" in md and "4. Follow up" in md
    assert "| Recruitment and promotion | Three ads in a row" in md
    assert "Welders on nights \\| days" in md, "a pipe in the text must not break the table"
    assert "**Areas without a measure this year**" in md and "Working conditions" in md
    assert "- ✓ Document all active-measures work in writing" in md
    assert "<input" not in plan(9).to_html(), "no unlabeled checkboxes in the HTML export"
    assert "- – Document the pay survey in writing (25 or more employees) (does not apply" in plan(24, language="en").to_markdown()


def test_swedish_plan_and_html_export(tmp_path):
    p = plan()
    md = p.to_markdown()
    assert md.startswith("# Aktiva åtgärder 2026 — Example Works AB (fictional)")
    assert "Rekrytering och befordran" in md and "Lönekartläggning" in md
    files = p.save(tmp_path / "plans")
    assert files["md"].read_text(encoding="utf-8") == md
    page = files["html"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
    assert "<table>" in page and "<td>Rekrytering och befordran</td>" in page


@pytest.mark.parametrize("measure, message", [
    (Measure("canteen", "x", "y", "z", "CEO", "2026-01-01"), "five areas"),
    (Measure("pay", "x", "y", "z", "CEO", "next spring"), "not a date"),
    (Measure("pay", "x", "y", "z", " ", "2026-01-01"), "'responsible'"),
])
def test_plan_mistakes_are_clear_input_errors(measure, message):
    with pytest.raises(InputError, match=message):
        plan(measures=[measure]).to_markdown()


def test_head_count_must_be_positive():
    with pytest.raises(InputError, match="employees"):
        plan(0).to_markdown()


# ------------------------------------------------------------------ quiz


def test_quiz_all_correct_and_unanswered():
    key = {q[0]: q[4] for q in QUIZ}
    assert (check_quiz(key, ui="en")["result"] == "✓").all()
    assert (check_quiz(key)["resultat"] == "✓").all(), "Swedish column names by default"
    blank = check_quiz({}, ui="en")
    assert (blank["result"] == "—").all() and (blank["explanation"] == "").all()
    wrong = check_quiz({"q1": "a"}, ui="en")
    assert wrong.loc[0, "result"] == "✗" and "24.0 %" in wrong.loc[0, "explanation"]


def test_quiz_typos_are_input_errors():
    with pytest.raises(InputError, match="Unknown question"):
        check_quiz({"q99": "a"})
    with pytest.raises(InputError, match="not one of"):
        check_quiz({"q1": "d"})


def test_quiz_fact_matches_the_sourced_table():
    facts = load_women_share()
    aku = facts[facts.indicator.str.startswith("Women's share of employees aged 20-64")]
    assert aku.value_percent.tolist() == [24.0]
    q1 = next(q for q in QUIZ if q[0] == "q1")
    assert q1[3][q1[4]] == "24 %"


# ------------------------------------------------------------------ command line


def test_cli_report_json_and_html(tmp_path, capsys):
    ad = FIXTURES / "ad_sv_produktionsledare.txt"
    assert main([str(ad)]) == 0
    out = capsys.readouterr().out
    # 3 masculine, 5 feminine: a difference of 2 is less than 1.645·√8 ≈ 4.7, and the two duties are shown apart
    assert "läsning: neutral (balanserad)" in out and "uppgift eller ansvar, räknas inte: personalansvar" in out
    out_html = tmp_path / "ad.html"
    assert main([str(ad), "--json", "--ui", "en", "--html", str(out_html)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["language"], data["masculine"], data["feminine"], data["verdict"]) == ("sv", 3, 5, "neutral")
    assert data["duty"] == 2 and {h["kind"] for h in data["hits"]} == {"coded", "duty", "other"}
    assert any(h["word"] == "tystgående" and not h["counted"] for h in data["hits"])
    assert "<mark" in out_html.read_text(encoding="utf-8")


def test_cli_errors_exit_2_with_a_message(capsys):
    assert main(["no/such/file.txt"]) == 2
    assert "No such file" in capsys.readouterr().err
    assert main(["--text", "   "]) == 2


def test_python_dash_m_reads_stdin_and_console_script_is_declared():
    proc = subprocess.run([sys.executable, "-m", "indi.equality", "--lang", "en"], input="We need a driven leader.",
                          capture_output=True, text=True, timeout=60, check=True)
    assert "masculine-coded: 2" in proc.stdout
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["indi-jobad"] == "indi.equality:main"
