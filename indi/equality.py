"""The equality module's helpers: the active-measures plan, the workshop quiz, and (re-exported from
:mod:`indi.jobad`) the job-ad wording analyser.

    >>> from indi.equality import analyse          # the same function as indi.jobad.analyse
    >>> analyse("Vi söker en driven och självständig svetsare.").masculine_count
    2

``python -m indi.equality`` and ``indi-jobad`` run the analyser's command line (:func:`indi.jobad.main`).
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from indi.errors import InputError
from indi.jobad import (
    EXAMPLE_ADS,
    LANGUAGES,
    Analysis,
    Hit,
    analyse,
    analyser_widget,
    detect_language,
    main,
    read_ad,
    word_lists,
)

if TYPE_CHECKING:  # pandas is imported by the function that returns a table
    import pandas as pd

__all__ = [
    "Hit",
    "Analysis",
    "analyse",
    "detect_language",
    "word_lists",
    "analyser_widget",
    "read_ad",
    "EXAMPLE_ADS",
    "InputError",
    "AREAS",
    "GROUNDS",
    "Measure",
    "ActiveMeasuresPlan",
    "markdown_to_html",
    "QUIZ",
    "check_quiz",
    "main",
]


# --------------------------------------------------------------------------- active measures (Discrimination Act ch. 3)

AREAS = {  # Diskrimineringslagen (2008:567) 3 kap. 5 §: the five areas the employer must cover
    "working_conditions": ("Arbetsförhållanden", "Working conditions"),
    "pay": ("Bestämmelser och praxis om löner och andra anställningsvillkor", "Pay rules and practice, other terms of employment"),
    "recruitment": ("Rekrytering och befordran", "Recruitment and promotion"),
    "training": ("Utbildning och övrig kompetensutveckling", "Training and other competence development"),
    "parenthood": ("Möjligheter att förena förvärvsarbete och föräldraskap", "Combining work and parenthood"),
}
GROUNDS = ("kön", "könsöverskridande identitet eller uttryck", "etnisk tillhörighet", "religion eller annan trosuppfattning",
           "funktionsnedsättning", "sexuell läggning", "ålder")


@dataclass
class Measure:
    """One row of the plan: what was found in an area, why, what will be done, by whom and by when."""

    area: str  # a key of AREAS
    finding: str  # step 1: what the investigation found (risk or obstacle)
    cause: str  # step 2: analysis of causes
    action: str  # step 3: the measure
    responsible: str
    deadline: str  # ISO date, YYYY-MM-DD
    follow_up: str = ""  # step 4: how and when it is followed up

    def check(self) -> None:
        if self.area not in AREAS:
            raise InputError(f"area {self.area!r} is not one of the five areas: {', '.join(AREAS)}.")
        for name in ("finding", "cause", "action", "responsible"):
            if not str(getattr(self, name)).strip():
                raise InputError(f"A measure in area {self.area!r} has no '{name}': write one sentence, "
                                 "or remove the measure.")
        try:
            date.fromisoformat(self.deadline)
        except (TypeError, ValueError):
            raise InputError(f"deadline {self.deadline!r} of the measure {self.action!r} is not a date "
                             "like 2026-03-31.") from None


@dataclass
class ActiveMeasuresPlan:
    """A firm's yearly active-measures plan (Discrimination Act ch. 3), rendered as Markdown or HTML.

    ``employees`` is the head count on 1 January of ``year`` (it decides what must be written down).
    """

    firm: str
    year: int
    employees: int
    contact: str
    cooperation: str  # how employees / the union took part (3 kap. 4 §)
    measures: list[Measure]
    pay_survey: dict = field(default_factory=dict)  # keys: done (bool), date, unexplained_gaps, actions
    harassment_policy: str = ""  # guidelines and routines against harassment (3 kap. 6 §)
    gender_balance: str = ""  # promoting even gender distribution (3 kap. 7 §)
    language: str = "sv"

    def obligations(self) -> list[tuple[str, bool]]:
        """What the law in force from 1 July 2026 asks of a firm this size: (requirement, applies)."""
        sv = self.language == "sv"
        n = self.employees
        return [
            ("Arbeta med aktiva åtgärder i fyra steg, fortlöpande" if sv else
             "Work with active measures in four steps, continuously", True),
            ("Kartlägga och analysera lönerna varje år" if sv else "Survey and analyse pay every year", True),
            # Threshold 25 (was 10) since the pay-transparency amendments of 1 July 2026.
            ("Dokumentera lönekartläggningen skriftligt (25 eller fler anställda)" if sv else
             "Document the pay survey in writing (25 or more employees)", n >= 25),
            ("Dokumentera hela arbetet med aktiva åtgärder skriftligt varje år (25 eller fler anställda)" if sv else
             "Document all active-measures work in writing every year (25 or more employees)", n >= 25),
        ]

    def check(self) -> None:
        if not self.firm.strip():
            raise InputError("The plan needs the firm's name (firm='…').")
        if not isinstance(self.employees, int) or self.employees < 1:
            raise InputError(f"employees must be a whole number ≥ 1 (head count on 1 January), not {self.employees!r}.")
        if self.language not in LANGUAGES:
            raise InputError(f"language must be 'sv' or 'en', not {self.language!r}.")
        for m in self.measures:
            m.check()
        missing = [AREAS[a][0 if self.language == "sv" else 1] for a in AREAS if a not in {m.area for m in self.measures}]
        self._missing = missing

    def to_markdown(self) -> str:
        self.check()
        sv = self.language == "sv"
        i = 0 if sv else 1

        def t(s: str, e: str) -> str:
            return s if sv else e

        md = [f"# {t('Aktiva åtgärder', 'Active measures')} {self.year} — {self.firm}", "",
              f"*{t('Enligt diskrimineringslagen (2008:567) 3 kap. Antal anställda 1 januari', 'Under the Swedish Discrimination Act (2008:567), chapter 3. Employees on 1 January')}: "
              f"{self.employees}. {t('Kontaktperson', 'Contact')}: {self.contact}.*", "",
              f"## {t('Vad lagen kräver av oss', 'What the law asks of us')}", ""]
        # ✓/– as text, not task-list checkboxes: a printed plan has nothing to tick, and unlabeled
        # checkbox inputs fail accessibility checks in HTML
        md += [f"- {'✓' if applies else '–'} {req}" + ("" if applies else t(" (gäller inte oss i år)", " (does not apply to us this year)"))
               for req, applies in self.obligations()]
        md += ["", f"## {t('Samverkan med medarbetarna', 'Cooperation with employees')}", "", self.cooperation or "—", "",
               f"## {t('Fyra steg per område', 'Four steps per area')}", "",
               "| " + " | ".join(t("Område;1. Undersöka: vad vi hittade;2. Analysera: orsaker;3. Åtgärda: vad vi gör;Ansvarig;Klart senast;4. Följa upp", "Area;1. Investigate: what we found;2. Analyse: causes;3. Act: what we do;Responsible;Deadline;4. Follow up").split(";")) + " |",
               "|" + "---|" * 7]

        def esc(s) -> str:
            return str(s).replace("|", "\\|").replace("\n", " ")

        for m in sorted(self.measures, key=lambda m: (list(AREAS).index(m.area), m.deadline)):
            md.append("| " + " | ".join(esc(x) for x in (AREAS[m.area][i], m.finding, m.cause, m.action, m.responsible,
                                                          m.deadline, m.follow_up or "—")) + " |")
        if self._missing:
            md += ["", t("**Områden utan åtgärd i år** (skriv varför: ingen risk hittad, eller undersöks senare): ",
                         "**Areas without a measure this year** (say why: no risk found, or investigated later): ")
                   + ", ".join(self._missing)]
        ps = self.pay_survey or {}
        md += ["", f"## {t('Lönekartläggning', 'Pay survey')}", "",
               f"- {t('Genomförd', 'Done')}: {t('ja', 'yes') if ps.get('done') else t('nej', 'no')}"
               + (f" ({ps['date']})" if ps.get("date") else ""),
               f"- {t('Osakliga löneskillnader', 'Unexplained pay gaps')}: {ps.get('unexplained_gaps', '—')}",
               f"- {t('Åtgärder och lönejusteringar', 'Actions and pay adjustments')}: {ps.get('actions', '—')}",
               "", f"## {t('Riktlinjer mot trakasserier och repressalier', 'Guidelines against harassment and reprisals')}",
               "", self.harassment_policy or "—", "",
               f"## {t('Jämn könsfördelning', 'Even gender distribution')}", "", self.gender_balance or "—", "",
               f"*{t('Diskrimineringsgrunder som arbetet omfattar', 'Grounds covered')}: {', '.join(GROUNDS)}.*", "",
               f"*{t('Skapad med INDI Lab, jämställdhetsmodulen. Kontrollera aktuella regler hos Diskrimineringsombudsmannen (DO).', 'Made with INDI Lab, equality module. Check the current rules with the Equality Ombudsman (DO).')}*",
               ""]
        return "\n".join(md)

    def to_html(self) -> str:
        return markdown_to_html(self.to_markdown(), title=f"{self.firm} {self.year}", lang=self.language)

    def save(self, folder: str | Path) -> dict[str, Path]:
        """Write ``aktiva_atgarder_<year>.md`` and ``.html`` into ``folder`` (created if needed)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{'aktiva_atgarder' if self.language == 'sv' else 'active_measures'}_{self.year}"
        paths = {"md": folder / f"{stem}.md", "html": folder / f"{stem}.html"}
        paths["md"].write_text(self.to_markdown(), encoding="utf-8")
        paths["html"].write_text(self.to_html(), encoding="utf-8")
        return paths


def markdown_to_html(markdown: str, title: str = "", lang: str = "sv") -> str:
    """A standalone HTML page from Markdown (CommonMark with tables and task lists shown as text)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(markdown)
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}"
            "table{border-collapse:collapse}td,th{border:1px solid #666;padding:.3em;vertical-align:top}</style>"
            f"</head><body>\n{body}</body></html>\n")


# --------------------------------------------------------------------------- workshop quiz

QUIZ = [  # (id, question sv, question en, options, correct option, explanation sv, explanation en)
    ("q1", "Ungefär hur stor andel av de anställda i svensk tillverkningsindustri är kvinnor (AKU 2019)?",
     "Roughly what share of employees in Swedish manufacturing are women (Labour Force Survey 2019)?",
     {"a": "10 %", "b": "24 %", "c": "45 %"}, "b",
     "24,0 % av de anställda 20–64 år (SCB 2020).", "24.0 % of employees aged 20–64 (SCB 2020)."),
    ("q2", "Vad fann Castilla & Rho (2023) i nära 300 000 platsannonser och ett fältexperiment?",
     "What did Castilla & Rho (2023) find in close to 300,000 postings and a field experiment?",
     {"a": "Maskulint ordval halverar kvinnors ansökningar / Masculine wording halves women's applications",
      "b": "Försumbara effekter av ordvalet på vem som söker / Negligible effects of wording on who applies",
      "c": "Feminint ordval avskräcker män / Feminine wording deters men"}, "b",
     "Försumbara effekter: ordvalet är en liten faktor bland många.", "Negligible effects: wording is one small lever among many."),
    ("q3", "Vilka fyra steg har arbetet med aktiva åtgärder (3 kap. 2 §)?",
     "What are the four steps of active measures (ch. 3, § 2)?",
     {"a": "Undersöka, analysera, åtgärda, följa upp / Investigate, analyse, act, follow up",
      "b": "Rekrytera, utbilda, befordra, avveckla / Recruit, train, promote, dismiss",
      "c": "Planera, budgetera, rapportera, revidera / Plan, budget, report, audit"}, "a",
     "Undersöka risker, analysera orsaker, vidta åtgärder, följa upp och utvärdera.",
     "Investigate risks, analyse causes, take measures, follow up and evaluate."),
    ("q4", "Från hur många anställda måste lönekartläggningen dokumenteras skriftligt?",
     "From how many employees must the pay survey be documented in writing?",
     {"a": "5", "b": "10", "c": "25"}, "c",
     "25 eller fler anställda (räknat 1 januari), sedan 1 juli 2026; tidigare 10. Alla arbetsgivare ska "
     "kartlägga lönerna varje år.",
     "25 or more employees (counted on 1 January), since 1 July 2026; before that 10. Every employer must "
     "survey pay every year."),
    ("q5", "En kortlista har en kvinna och fyra män. Vad säger Johnson, Hekman & Chan (2016)?",
     "A shortlist has one woman and four men. What do Johnson, Hekman & Chan (2016) suggest?",
     {"a": "Det räcker: en kvinna ger henne rättvisa chanser / One is enough for a fair chance",
      "b": "Minst två kvinnor på slutlistan ökade chansen att en kvinna anställdes kraftigt / "
           "At least two women in the finalist pool raised the odds a woman was hired sharply",
      "c": "Kortlistans sammansättning spelar ingen roll / Composition does not matter"}, "b",
     "En ensam kvinna på slutlistan anställdes nästan aldrig; med minst två ökade oddsen kraftigt.",
     "A lone woman finalist was almost never hired; with at least two the odds rose sharply."),
    ("q6", "Varför räknar analysverktyget inte ordet 'varmvalsad'?",
     "Why does the analyser not count the word 'varmvalsad' (hot-rolled)?",
     {"a": "Det är ett tekniskt ord: 'varm' betyder här temperatur, inte personlighet / It is a technical sense",
      "b": "Verktyget kan inte läsa å, ä och ö / The tool cannot read å, ä, ö",
      "c": "Ordet är för långt / The word is too long"}, "a",
     "Ordlistans 'varm' gäller värme hos människor; i verkstadsspråk är det en processtemperatur.",
     "The list's 'warm' is about people; in the workshop it is a process temperature."),
    ("q7", "Vilket sätt att jämföra kandidater minskade könsbias i Bohnet m.fl. (2016)?",
     "Which way of comparing candidates reduced gender bias in Bohnet et al. (2016)?",
     {"a": "En i taget, var för sig / One at a time, separately",
      "b": "Sida vid sida, mot samma kriterier / Side by side, against the same criteria",
      "c": "Efter magkänsla i intervjun / By gut feeling in the interview"}, "b",
     "Gemensam utvärdering (sida vid sida) fick bedömarna att se prestation i stället för kön.",
     "Joint evaluation (side by side) made evaluators attend to performance rather than gender."),
]


def check_quiz(answers: dict[str, str | None], ui: str = "sv") -> pd.DataFrame:
    """Mark the self-check quiz: one row per question with ✓/✗/— and the explanation once answered.

    ``ui``: "sv" (Swedish column names and explanations) or "en".

    ``answers`` maps "q1" … to "a", "b" or "c" (None = not answered yet). Unknown question ids or
    options raise InputError, so a typo is not silently marked wrong.
    """
    import pandas as pd

    ids = {q[0] for q in QUIZ}
    unknown = set(answers) - ids
    if unknown:
        raise InputError(f"Unknown question id(s) {sorted(unknown)}: use {sorted(ids)}.")
    rows = []
    for qid, _q_sv, _q_en, options, correct, ex_sv, ex_en in QUIZ:
        given = answers.get(qid)
        if given is not None and str(given).strip().lower() not in options:
            raise InputError(f"Answer {given!r} to {qid} is not one of {sorted(options)}.")
        given = None if given is None else str(given).strip().lower()
        mark = "—" if given is None else ("✓" if given == correct else "✗")
        rows.append({"question": qid, "your answer": given or "", "result": mark,
                     "explanation": (ex_sv if ui == "sv" else ex_en) if given is not None else ""})
    table = pd.DataFrame(rows)
    if ui == "sv":
        table.columns = ["fråga", "ditt svar", "resultat", "förklaring"]
    return table


if __name__ == "__main__":
    sys.exit(main())
