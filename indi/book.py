"""The book's interactive parts: two self-assessments, the tool catalogue and the outcome-alignment table.

Every interactive object here works twice:

* in JupyterLab it is a live ipywidgets form (answer, see the result change);
* in the published HTML book (no kernel) the same object shows a readable **static fallback**: the
  questions, the scoring rule and the full table, as plain HTML. The object's MIME bundle carries
  both; JupyterLab picks the widget, the book build picks ``text/html`` (``_config.yml`` ranks
  ``text/html`` above the widget view for the HTML builder).

Data files (a teacher edits these, never the code):

``book/catalogue/tools.yml``  the curated tool catalogue (validated by ``validate_catalogue``)
``book/outcomes.yml``         learning outcomes → pages → lab tasks → graded cells

Command line (from the repository root)::

    python -m indi.book catalogue        # validate the catalogue; list entries due for a re-check
    python -m indi.book outcomes         # print the outcome-alignment table; exit 1 on gaps
    python -m indi.book hub-url URL      # point the book's JupyterHub launch button at your hub
    python -m indi.book times [--write]  # study time of every page from the rule; --write updates the pages
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indi.errors import InputError
from indi.paths import REPO_ROOT

CATALOGUE_YML = REPO_ROOT / "book" / "catalogue" / "tools.yml"
# Swedish descriptions, by tool name (kept apart so the English catalogue's checks stay one file).
CATALOGUE_SV_YML = REPO_ROOT / "book" / "catalogue" / "tools_sv.yml"
OUTCOMES_YML = REPO_ROOT / "book" / "outcomes.yml"
TOC_YML = REPO_ROOT / "_toc.yml"

# ----------------------------------------------------------------------------- shared helpers

#: English interface texts asked for in Swedish that indi/book_sv.py does not have (tests check it stays empty).
MISSING_SV: set[str] = set()


def book_language(lang: str | None = None) -> str:
    """"sv" or "en": the ``lang`` argument, else INDI_BOOK_LANG (the Swedish edition sets it), else English."""
    lang = (lang or os.environ.get("INDI_BOOK_LANG") or "en").lower()
    return "sv" if lang.startswith("sv") else "en"


def _(text: str, lang: str) -> str:
    """``text`` in the book's language (Swedish from indi/book_sv.py; English is the key itself)."""
    if lang != "sv":
        return text
    from indi import book_sv

    if text not in book_sv.UI:
        MISSING_SV.add(text)
    return book_sv.UI.get(text, text)


def _sv(name: str):
    from indi import book_sv

    return getattr(book_sv, name)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(header: list[str], rows: Iterable[Iterable[object]], caption: str = "", raw_cols=(), cls: str = "") -> str:
    """A small accessible HTML table (caption, th with scope); cells are escaped unless in raw_cols."""
    out = [f'<table class="{" ".join(["indi-table", cls]).strip()}">']
    if caption:
        out.append(f"<caption>{_esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{_esc(h)}</th>' for h in header) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = [str(c) if i in raw_cols else _esc(c) for i, c in enumerate(row)]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def page_link(docname: str, title: str | None = None) -> str:
    """An HTML link from a book page one folder deep (book/<part>/page) to another page of the book."""
    href = "../../" + docname + ".html"
    return f'<a href="{_esc(href)}">{_esc(title or docname)}</a>'


class Interactive:
    """A widget with a static HTML fallback. Displaying it gives JupyterLab the widget and the book the HTML."""

    def __init__(self, widget, fallback_html: str, lang: str | None = None):
        self.widget = widget
        self.fallback_html = fallback_html
        self.lang = book_language(lang)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/html": f'<div class="indi-static">{self.fallback_html}</div>',
                  "text/plain": _("(interactive form: open this page in JupyterLab to use it)", self.lang)}
        if self.widget is not None:
            data = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
            if isinstance(data, tuple):
                data = data[0]
            for key, value in data.items():
                if key != "text/plain":
                    bundle[key] = value
        return bundle


def _widgets():
    """ipywidgets, or None when it is not installed (the static fallback still works)."""
    try:
        import ipywidgets
    except ImportError:  # pragma: no cover - ipywidgets is pinned in requirements.txt
        return None
    return ipywidgets


def toc_docnames(toc_path: Path = TOC_YML) -> list[str]:
    """Every page listed in _toc.yml (root first), in reading order."""
    toc = yaml.safe_load(Path(toc_path).read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(str(entry["file"]).removesuffix(".md").removesuffix(".ipynb"))
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return names


def lab_page(lab_id: str) -> str:
    """The lab's own book page when it exists and is in _toc.yml, else the labs overview page."""
    doc = f"labs/{lab_id}/README"
    try:
        listed = doc in toc_docnames()
    except (OSError, yaml.YAMLError, KeyError):
        listed = False
    return doc if listed and (REPO_ROOT / f"{doc}.md").exists() else "labs/README"


SENSOR_LAB, VISION_LAB, AM_LAB = (lab_page(x) for x in ("sensor_analytics", "vision_inspection", "am_parameters"))

# ----------------------------------------------------------------------------- company maturity (acatech)

#: The six development stages of the acatech Industrie 4.0 Maturity Index (Schuh et al. 2017, 2020).
MATURITY_STAGES = [
    ("Computerisation", "different IT systems are used, but in isolation from each other"),
    ("Connectivity", "the IT systems are connected; machines and business systems exchange data"),
    ("Visibility", "you can see what is happening in the shop, in (close to) real time, from data"),
    ("Transparency", "you understand why it is happening: data from many sources is analysed for causes"),
    ("Predictive capacity", "you can say what will happen: simulations and forecasts support decisions"),
    ("Adaptability", "the firm adapts by itself: decisions are automated where that is safe and sensible"),
]

#: Two plain-language statements per stage, as a 30-person shop would recognise them.
MATURITY_QUESTIONS = [
    (1, "Orders, drawings and NC programs are kept in computer systems (ERP, CAD/CAM), not only on paper."),
    (1, "Most machines are CNC-controlled and programs are stored and versioned centrally."),
    (2, "Machines are on the company network and NC programs are sent to them over it (DNC)."),
    (2, "The business system and the shop floor exchange data without re-typing (e.g. order status, times)."),
    (3, "Machine states (running, idle, alarm) are recorded automatically and can be viewed live."),
    (3, "Quality measurements are stored digitally, linked to order, part and machine."),
    (4, "We regularly analyse recorded data to find the causes of scrap, downtime or tool breakage."),
    (4, "Someone in the firm owns data quality and knows which data exists where."),
    (5, "We forecast events from data (tool wear, maintenance needs, delivery dates) and act on forecasts."),
    (5, "We test changes (a new fixture, a new schedule) in a model or simulation before trying them."),
    (6, "Some decisions are taken automatically from data (e.g. re-scheduling, adaptive feed control)."),
    (6, "Lessons from data are fed back into processes and training as a routine, not a project."),
]

ANSWERS = {"no": 0, "partly": 1, "yes": 2}

#: What to read and do next, by the stage the firm is working towards (1..6).
MATURITY_PATH = {
    1: ["book/digital/industry40", "book/digital/data_first", "book/find/tool_catalogue"],
    2: ["book/digital/data_first", "book/tech/sensors_iiot", "book/find/tool_catalogue"],
    3: ["book/tech/sensors_iiot", "book/tech/machine_vision", SENSOR_LAB],
    4: ["book/digital/pilot", "book/digital/ai_literacy", VISION_LAB],
    5: ["book/digital/pilot", "book/digital/costs_risks", SENSOR_LAB],
    6: ["book/digital/costs_risks", "book/tech/automation", "book/careers/paths"],
}


def maturity_stage(answers: Mapping[int, str] | list[str], threshold: float = 1.5) -> int:
    """The acatech stage a firm has reached (0–6) from answers to ``MATURITY_QUESTIONS``.

    ``answers`` is a list (one of "no", "partly", "yes" per question, in order) or a mapping from
    question index to answer. A stage counts as reached when its statements average at least
    ``threshold`` points (yes = 2, partly = 1, no = 0) **and** every earlier stage is reached:
    the acatech stages build on each other, so a live dashboard (stage 3) on unconnected
    machines (stage 2 missing) does not count.
    """
    if not isinstance(answers, Mapping):
        answers = dict(enumerate(answers))
    if len(answers) != len(MATURITY_QUESTIONS):
        raise InputError(f"expected {len(MATURITY_QUESTIONS)} answers, got {len(answers)}: answer every statement")
    points: dict[int, list[int]] = {}
    for i, (stage, _text) in enumerate(MATURITY_QUESTIONS):
        answer = str(answers.get(i, "")).strip().lower()
        if answer not in ANSWERS:
            raise InputError(f"answer {i + 1} is {answer!r}: use one of {', '.join(ANSWERS)}")
        points.setdefault(stage, []).append(ANSWERS[answer])
    reached = 0
    for stage in range(1, len(MATURITY_STAGES) + 1):
        if sum(points[stage]) / len(points[stage]) >= threshold:
            reached = stage
        else:
            break
    return reached


def _stages(lang: str) -> list[tuple[str, str]]:
    return _sv("MATURITY_STAGES") if lang == "sv" else MATURITY_STAGES


def _statements(lang: str) -> list[tuple[int, str]]:
    if lang != "sv":
        return MATURITY_QUESTIONS
    return [(s, t) for (s, _en), t in zip(MATURITY_QUESTIONS, _sv("MATURITY_QUESTIONS"), strict=True)]


def maturity_recommendation(stage: int) -> list[str]:
    """The pages to read next for a firm at ``stage`` (it works towards stage + 1)."""
    target = min(max(stage + 1, 1), len(MATURITY_STAGES))
    return MATURITY_PATH[target]


def _maturity_result_html(stage: int, titles: Mapping[str, str], lang: str = "en") -> str:
    stages = _stages(lang)
    target = min(stage + 1, len(stages))
    if stage == 0:
        head = _("Stage 1 (Computerisation) is not fully reached yet: start there.", lang)
    else:
        head = _("Reached: stage {stage}, {name}.", lang).format(stage=stage, name=stages[stage - 1][0])
    if stage < len(stages):
        head += _(" Next: stage {stage}, {name} — {desc}.", lang).format(
            stage=target, name=stages[target - 1][0], desc=stages[target - 1][1])
    items = "".join(f"<li>{page_link(d, titles.get(d))}</li>" for d in maturity_recommendation(stage))
    return f"<p><strong>{_esc(head)}</strong></p><p>{_('Recommended path:', lang)}</p><ol>{items}</ol>"


def maturity_static_html(titles: Mapping[str, str] | None = None, lang: str | None = None) -> str:
    """The self-assessment on paper: statements, scoring rule and the path for each result."""
    titles = titles or {}
    lang = book_language(lang)
    stages = _stages(lang)
    questions = _table(
        ["#", _("stage", lang), _("statement (answer no / partly / yes)", lang)],
        [(i + 1, f"{s} {stages[s - 1][0]}", t) for i, (s, t) in enumerate(_statements(lang))],
        caption=_("Company self-assessment: twelve statements, two per acatech stage", lang),
    )
    rule = _("<p>Score: no = 0, partly = 1, yes = 2. A stage is reached when its two statements average at "
             "least 1.5 points and every earlier stage is reached. Then follow the path for the next stage:</p>", lang)
    paths = _table(
        [_("reached stage", lang), _("work towards", lang), _("recommended path", lang)],
        [(f"{s} {stages[s - 1][0]}" if s else _("0 (none yet)", lang),
          f"{min(s + 1, 6)} {stages[min(s + 1, 6) - 1][0]}",
          ", ".join(page_link(d, titles.get(d)) for d in maturity_recommendation(s)))
         for s in range(0, len(stages) + 1)],
        caption=_("Recommended path by result", lang), raw_cols=(2,),
    )
    return questions + rule + paths


def maturity_assessment(titles: Mapping[str, str] | None = None, lang: str | None = None) -> Interactive:
    """The company self-assessment: a form in JupyterLab, the paper version in the HTML book."""
    lang = book_language(lang)
    titles = titles or page_titles(lang=lang)
    w = _widgets()
    widget = None
    if w is not None:
        labels = _sv("ANSWERS") if lang == "sv" else {a: a for a in ANSWERS}
        pickers = [w.ToggleButtons(options=[(labels[a], a) for a in ANSWERS], value="no", description=f"{i + 1}.",
                                   style={"button_width": "70px"}) for i in range(len(MATURITY_QUESTIONS))]
        rows = [w.VBox([w.HTML(f"<b>{_('Stage {stage}', lang).format(stage=s)}</b> — {_esc(t)}"), p])
                for (s, t), p in zip(_statements(lang), pickers, strict=True)]
        result = w.HTML()

        def update(_change=None):
            stage = maturity_stage([p.value for p in pickers])
            result.value = _maturity_result_html(stage, titles, lang)

        for p in pickers:
            p.observe(update, names="value")
        update()
        widget = w.VBox([*rows, result])
    return Interactive(widget, maturity_static_html(titles, lang), lang)


# ----------------------------------------------------------------------------- personal competence (DigComp 2.2)

#: DigComp 2.2's eight proficiency levels (Vuorikari et al. 2022), in short.
DIGCOMP_LEVELS = {
    1: ("Foundation", "simple tasks, with guidance"),
    2: ("Foundation", "simple tasks, on my own with guidance where needed"),
    3: ("Intermediate", "well-defined, routine tasks and straightforward problems, on my own"),
    4: ("Intermediate", "tasks and well-defined non-routine problems, independently"),
    5: ("Advanced", "different tasks and problems, guiding others"),
    6: ("Advanced", "choosing the most appropriate approach in complex contexts, adapting to others"),
    7: ("Highly specialised", "solving complex problems with limited solutions; contributing to professional practice"),
    8: ("Highly specialised", "solving complex problems with many interacting factors; proposing new ideas to the field"),
}

#: Competence areas of this course, each with the pages and labs that build it.
COMPETENCE_AREAS = {
    "data": ("Working with shop data (collect, clean, interpret)",
             ["book/digital/data_first", "book/data", SENSOR_LAB]),
    "sensors": ("Machine signals, sensors and IIoT",
                ["book/tech/sensors_iiot", SENSOR_LAB]),
    "vision": ("Machine vision and inspection",
               ["book/tech/machine_vision", VISION_LAB]),
    "am": ("Additive manufacturing with milling",
           ["book/tech/am_milling", AM_LAB]),
    "ai": ("What AI can and cannot do, its risks and rules",
           ["book/digital/ai_literacy", "book/digital/costs_risks"]),
    "projects": ("Running a digitalisation pilot",
                 ["book/digital/pilot", "book/digital/industry40", "book/find/tool_catalogue"]),
}

#: Short column labels for the areas (tables, sliders).
AREA_SHORT = {"data": "Shop data", "sensors": "Sensors & IIoT", "vision": "Vision", "am": "AM + milling",
              "ai": "AI literacy", "projects": "Pilots"}

#: INDI Lab's suggested target level per area for each role (a design choice of this course, not a norm).
ROLE_PROFILES = {
    "Operator": {"data": 3, "sensors": 2, "vision": 2, "am": 2, "ai": 3, "projects": 2},
    "CNC programmer": {"data": 4, "sensors": 3, "vision": 2, "am": 4, "ai": 3, "projects": 3},
    "Process technician": {"data": 4, "sensors": 4, "vision": 4, "am": 4, "ai": 4, "projects": 4},
    "Maintenance technician": {"data": 4, "sensors": 5, "vision": 3, "am": 2, "ai": 3, "projects": 3},
    "Automation engineer": {"data": 5, "sensors": 6, "vision": 5, "am": 3, "ai": 5, "projects": 5},
    "Quality engineer (data-literate)": {"data": 6, "sensors": 4, "vision": 5, "am": 4, "ai": 5, "projects": 5},
}


@dataclass
class Gap:
    area: str
    current: int
    target: int
    pages: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.target - self.current


def competence_gaps(role: str, levels: Mapping[str, int]) -> list[Gap]:
    """Areas where ``levels`` (DigComp level 1–8 per area) fall short of ``role``'s profile, biggest first."""
    if role not in ROLE_PROFILES:
        raise InputError(f"unknown role {role!r}: choose one of {', '.join(ROLE_PROFILES)}")
    gaps = []
    for area, target in ROLE_PROFILES[role].items():
        level = int(levels.get(area, 1))
        if not 1 <= level <= 8:
            raise InputError(f"level for {area!r} is {level}: DigComp levels run from 1 to 8")
        if level < target:
            gaps.append(Gap(area, level, target, COMPETENCE_AREAS[area][1]))
    return sorted(gaps, key=lambda g: (-g.size, list(COMPETENCE_AREAS).index(g.area)))


def learning_path(role: str, levels: Mapping[str, int]) -> list[str]:
    """Pages and labs to study, in order, without repeats: the biggest gap first."""
    path: list[str] = []
    for gap in competence_gaps(role, levels):
        for page in gap.pages:
            if page not in path:
                path.append(page)
    return path


def _area_name(area: str, lang: str) -> str:
    return _sv("COMPETENCE_AREAS")[area] if lang == "sv" else COMPETENCE_AREAS[area][0]


def _area_short(area: str, lang: str) -> str:
    return _sv("AREA_SHORT")[area] if lang == "sv" else AREA_SHORT[area]


def _role_name(role: str, lang: str) -> str:
    return _sv("ROLES")[role] if lang == "sv" else role


def _levels(lang: str) -> dict[int, tuple[str, str]]:
    return _sv("DIGCOMP_LEVELS") if lang == "sv" else DIGCOMP_LEVELS


def _competence_result_html(role: str, levels: Mapping[str, int], titles: Mapping[str, str], lang: str = "en") -> str:
    gaps = competence_gaps(role, levels)
    name = _role_name(role, lang)
    if not gaps:
        return (f"<p><strong>{_esc(_('You meet the suggested profile for {role}.', lang).format(role=name))}</strong> "
                f"{_esc(_('Try the next role' + chr(39) + 's profile, or help a colleague through a lab.', lang))}</p>")
    rows = [(_area_name(g.area, lang), g.current, g.target) for g in gaps]
    items = "".join(f"<li>{page_link(p, titles.get(p))}</li>" for p in learning_path(role, levels))
    return (_table([_("area", lang), _("your level", lang), _("profile: {role}", lang).format(role=name)], rows,
                   caption=_("Where to grow", lang))
            + f"<p>{_('Recommended path:', lang)}</p><ol>{items}</ol>")


def competence_static_html(titles: Mapping[str, str] | None = None, lang: str | None = None) -> str:
    """The personal self-assessment on paper: levels, profiles and where each area is taught."""
    titles = titles or {}
    lang = book_language(lang)
    levels = _table([_("level", lang), _("band", lang), _("I can do …", lang)],
                    [(k, b, d) for k, (b, d) in _levels(lang).items()],
                    caption=_("Proficiency levels (after DigComp 2.2)", lang))
    areas = list(COMPETENCE_AREAS)
    profiles = _table([_("role", lang), *[_area_short(a, lang) for a in areas]],
                      [(_role_name(r, lang), *[p[a] for a in areas]) for r, p in ROLE_PROFILES.items()],
                      caption=_("Suggested target level per role and area", lang))
    where = _table([_("area", lang), _("pages and labs that build it", lang)],
                   [(f"{_area_short(a, lang)}: {_area_name(a, lang)}",
                     ", ".join(page_link(p, titles.get(p)) for p in COMPETENCE_AREAS[a][1]))
                    for a in areas], caption=_("Where each area is taught", lang), raw_cols=(1,))
    rule = _("<p>Give yourself a level from 1 to 8 in each area, pick the role you have or aim for, and "
             "compare. Study the areas with the biggest gap first, using the pages in the last table.</p>", lang)
    return levels + profiles + rule + where


def competence_assessment(titles: Mapping[str, str] | None = None, lang: str | None = None) -> Interactive:
    """The personal self-assessment: sliders in JupyterLab, the paper version in the HTML book."""
    lang = book_language(lang)
    titles = titles or page_titles(lang=lang)
    w = _widgets()
    widget = None
    if w is not None:
        role = w.Dropdown(options=[(_role_name(r, lang), r) for r in ROLE_PROFILES], description=_("Role", lang),
                          style={"description_width": "initial"})
        sliders = {a: w.IntSlider(value=2, min=1, max=8, description=_area_name(a, lang),
                                  style={"description_width": "22em"}, layout={"width": "44em"})
                   for a in COMPETENCE_AREAS}
        hint = w.HTML()
        result = w.HTML()

        def update(_change=None):
            hint.value = "<br>".join(
                _esc(_("{area}: level {level} — {desc}", lang).format(
                    area=_area_name(a, lang), level=s.value, desc=_levels(lang)[s.value][1]))
                for a, s in sliders.items())
            result.value = _competence_result_html(role.value, {a: s.value for a, s in sliders.items()}, titles, lang)

        for control in [role, *sliders.values()]:
            control.observe(update, names="value")
        update()
        widget = w.VBox([role, *sliders.values(), hint, result])
    return Interactive(widget, competence_static_html(titles, lang), lang)


# ----------------------------------------------------------------------------- tool catalogue

PROBLEMS = {
    "inspection": "quality inspection and measurement",
    "predictive_maintenance": "machine monitoring and predictive maintenance",
    "scheduling": "production planning and scheduling",
    "quoting": "quoting and cost estimation",
    "cam": "CAM and NC programming",
    "am_build_prep": "AM build preparation",
    "documentation": "documentation and work instructions",
    "data_infrastructure": "connecting machines and storing data",
}
COSTS = {"free": "no licence fee (you still pay for time and hardware)",
         "subscription": "recurring fee per user, machine or month",
         "licence": "purchased licence or price on request"}
SKILLS = {"foundation": "point and click; a few hours to get going (DigComp levels 1–2)",
          "intermediate": "configuration and some scripting (levels 3–4)",
          "advanced": "programming, integration or a specialist (levels 5–8)"}
LICENCES = {"open-source", "commercial", "freemium"}
REQUIRED = ("name", "category", "problems", "licence", "cost", "skill", "description", "url", "source")
# `checked` (optional): the date someone verified the entry against its source; absent = not yet checked.
OPTIONAL = ("checked", "notes")
_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$")


def validate_catalogue(data: object, today: dt.date | None = None) -> list[str]:
    """Every problem with the catalogue's content, as messages (an empty list means valid)."""
    today = today or dt.date.today()
    errors: list[str] = []
    if not isinstance(data, Mapping) or not isinstance(data.get("tools"), list):
        return ["the catalogue must be a mapping with a 'tools:' list"]
    if not data["tools"]:
        return ["the catalogue's 'tools:' list is empty"]
    seen: set[str] = set()
    for i, entry in enumerate(data["tools"]):
        where = f"entry {i + 1}"
        if not isinstance(entry, Mapping):
            errors.append(f"{where}: not a mapping")
            continue
        where = f"entry {i + 1} ({entry.get('name', '?')})"
        for key in REQUIRED:
            if entry.get(key) in (None, "", []):
                errors.append(f"{where}: missing '{key}'")
        unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
        if unknown:
            errors.append(f"{where}: unknown field(s) {sorted(unknown)}")
        name = str(entry.get("name", "")).strip().lower()
        if name in seen:
            errors.append(f"{where}: duplicate name")
        seen.add(name)
        problems = entry.get("problems") or []
        if not isinstance(problems, list):
            errors.append(f"{where}: 'problems' must be a list")
        else:
            for p in problems:
                if p not in PROBLEMS:
                    errors.append(f"{where}: problem {p!r} is not one of {sorted(PROBLEMS)}")
        for key, allowed in (("cost", COSTS), ("skill", SKILLS), ("licence", LICENCES)):
            if entry.get(key) is not None and entry.get(key) not in allowed:
                errors.append(f"{where}: {key} {entry.get(key)!r} is not one of {sorted(allowed)}")
        if entry.get("licence") == "open-source" and entry.get("cost") not in (None, "free"):
            errors.append(f"{where}: open-source tools have cost 'free' (put paid support in notes)")
        for key in ("url", "source"):
            if entry.get(key) and not _URL.match(str(entry[key])):
                errors.append(f"{where}: {key} {entry[key]!r} is not an https:// address")
        checked = entry.get("checked")
        if checked is not None:
            if isinstance(checked, str):
                try:
                    checked = dt.date.fromisoformat(checked)
                except ValueError:
                    errors.append(f"{where}: checked {entry['checked']!r} is not a date (YYYY-MM-DD)")
                    continue
            if not isinstance(checked, dt.date):
                errors.append(f"{where}: checked must be a date (YYYY-MM-DD)")
            elif checked > today:
                errors.append(f"{where}: checked {checked} is in the future")
    return errors


def load_catalogue(path: Path = CATALOGUE_YML):
    """The catalogue as a pandas DataFrame, one row per tool; raises InputError naming every problem."""
    import pandas as pd

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise InputError(f"cannot read the tool catalogue {path}: {err}") from err
    errors = validate_catalogue(data)
    if errors:
        raise InputError(f"the tool catalogue {path} has {len(errors)} problem(s):\n- " + "\n- ".join(errors))
    frame = pd.DataFrame(data["tools"])
    if "checked" not in frame:
        frame["checked"] = None
    frame["checked"] = [None if pd.isna(d) else (d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)))
                        for d in frame["checked"]]
    if "notes" not in frame:
        frame["notes"] = ""
    frame["notes"] = frame["notes"].fillna("")
    sv_path = Path(path).with_name(CATALOGUE_SV_YML.name)
    if sv_path.exists():
        sv = yaml.safe_load(sv_path.read_text(encoding="utf-8")) or {}
        unknown = set(sv) - set(frame["name"])
        if unknown:
            raise InputError(f"{sv_path.name} has descriptions for tools not in {Path(path).name}: "
                             f"{sorted(unknown)} — rename or remove them")
        frame["description_sv"] = [sv.get(n) for n in frame["name"]]
    return frame


def due_for_check(frame, max_age_days: int = 365, today: dt.date | None = None):
    """Entries never verified, or last verified more than max_age_days ago: the teacher's re-check list."""
    today = today or dt.date.today()
    return frame[[d is None or (today - d).days > max_age_days for d in frame["checked"]]]


def filter_catalogue(frame, problem: str | None = None, costs: Iterable[str] | None = None,
                     max_skill: str | None = None):
    """Tools for one shop-floor problem, within the given cost types and up to a skill level."""
    mask = [True] * len(frame)
    if problem:
        if problem not in PROBLEMS:
            raise InputError(f"unknown problem {problem!r}: choose one of {', '.join(PROBLEMS)}")
        mask = [m and problem in ps for m, ps in zip(mask, frame["problems"], strict=True)]
    if costs is not None:
        costs = set(costs)
        mask = [m and c in costs for m, c in zip(mask, frame["cost"], strict=True)]
    if max_skill:
        order = list(SKILLS)
        limit = order.index(max_skill)
        mask = [m and order.index(s) <= limit for m, s in zip(mask, frame["skill"], strict=True)]
    return frame[mask]


def _value(value: str, lang: str) -> str:
    return _sv("VALUES").get(value, value) if lang == "sv" else value


def _problems(lang: str) -> dict[str, str]:
    return _sv("PROBLEMS") if lang == "sv" else PROBLEMS


def _catalogue_table(frame, caption: str, lang: str = "en") -> str:
    rows = []
    sv = lang == "sv" and "description_sv" in frame
    for _i, t in frame.sort_values(["category", "name"]).iterrows():
        link = f'<a href="{_esc(t["url"])}">{_esc(t["name"])}</a>'
        description = t["description_sv"] if sv and isinstance(t["description_sv"], str) else t["description"]
        category = _sv("CATEGORIES").get(t["category"], t["category"]) if lang == "sv" else t["category"]
        rows.append((link, category, description, _value(t["licence"], lang), _value(t["cost"], lang),
                     _value(t["skill"], lang),
                     t["checked"].isoformat() if t["checked"] else _("not yet checked", lang)))
    header = [_(h, lang) for h in ("tool", "category", "what it does", "licence", "cost", "skill", "checked")]
    return _table(header, rows, caption=caption, raw_cols=(0,), cls="indi-catalogue")


def catalogue_static_html(frame, lang: str | None = None) -> str:
    """The whole catalogue, one table per shop-floor problem (the HTML book's version of the filter)."""
    lang = book_language(lang)
    problems = _problems(lang)
    jump = " · ".join(f'<a href="#tools-{k.replace("_", "-")}">{_esc(v)} ({len(filter_catalogue(frame, problem=k))})</a>'
                      for k, v in problems.items())
    parts = [f'<nav aria-label="{_esc(_("Problems in the tool catalogue", lang))}"><p>{_("Jump to: ", lang)}{jump}</p></nav>']
    for key, label in problems.items():
        sub = filter_catalogue(frame, problem=key)
        parts.append(f'<h3 id="tools-{key.replace("_", "-")}">{_esc(label[:1].upper() + label[1:])}</h3>')
        parts.append(_catalogue_table(sub, _("Tools for {label} ({n})", lang).format(label=label, n=len(sub)), lang))
    return "\n".join(parts)


def catalogue_explorer(frame=None, lang: str | None = None) -> Interactive:
    """Filter the catalogue by problem, cost and skill (widget); every problem's table in the HTML book."""
    frame = load_catalogue() if frame is None else frame
    lang = book_language(lang)
    w = _widgets()
    widget = None
    if w is not None:
        problem = w.Dropdown(options=[(v, k) for k, v in _problems(lang).items()], description=_("Problem", lang))
        costs = w.SelectMultiple(options=[(_value(c, lang), c) for c in COSTS], value=list(COSTS),
                                 description=_("Cost", lang), rows=3)
        skill = w.Dropdown(options=[(_value(k, lang), k) for k in SKILLS], value="advanced",
                           description=_("Skill up to", lang))
        out = w.HTML()

        def update(_change=None):
            sub = filter_catalogue(frame, problem.value, costs.value, skill.value)
            out.value = (_catalogue_table(sub, _("{n} tool(s)", lang).format(n=len(sub)), lang) if len(sub)
                         else f"<p>{_('No tool matches: allow more cost types or a higher skill level.', lang)}</p>")

        for control in (problem, costs, skill):
            control.observe(update, names="value")
        update()
        widget = w.VBox([w.HBox([problem, skill]), costs, out])
    return Interactive(widget, catalogue_static_html(frame, lang), lang)


# ----------------------------------------------------------------------------- outcome alignment


@dataclass
class Alignment:
    outcome: str
    text: str
    pages: list[str]
    assessments: list[tuple[str, str, str]]  # (lab id, grade_id, kind: "autograded" / "manual")
    problems: list[str]
    text_sv: str = ""


def graded_cells(notebook: Path) -> dict[str, str]:
    """grade_id → "autograded" (locked test cell) or "manual" (written answer) for an nbgrader source notebook."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id"):
            if cell.get("cell_type") == "code" and not meta.get("solution"):
                cells[meta["grade_id"]] = "autograded"
            else:
                cells[meta["grade_id"]] = "manual"
    return cells


def outcome_alignment(outcomes_path: Path = OUTCOMES_YML, repo: Path = REPO_ROOT,
                      toc_path: Path | None = None) -> list[Alignment]:
    """Each learning outcome with its pages and graded lab cells, checked against the sources.

    Problems (an outcome without a page in _toc.yml, without any graded cell, a page or a lab cell
    that does not exist) are listed per outcome: ``alignment_problems`` collects them for the test.
    """
    data = yaml.safe_load(Path(outcomes_path).read_text(encoding="utf-8"))
    toc = set(toc_docnames(toc_path or repo / "_toc.yml"))
    result = []
    for entry in data.get("outcomes", []):
        problems = []
        pages = [str(p) for p in entry.get("pages") or []]
        for p in pages:
            if p not in toc:
                problems.append(f"page {p} is not in _toc.yml")
        if not [p for p in pages if p in toc]:
            problems.append("no page teaches it")
        assessments = []
        for lab_id, grade_ids in (entry.get("assessed_by") or {}).items():
            nb = repo / "labs" / lab_id / f"{lab_id}.ipynb"
            if not nb.exists():
                problems.append(f"lab {lab_id} does not exist ({nb.relative_to(repo)})")
                continue
            cells = graded_cells(nb)
            for gid in grade_ids or []:
                if gid in cells:
                    assessments.append((lab_id, gid, cells[gid]))
                else:
                    problems.append(f"{lab_id} has no graded cell {gid!r}")
        if not assessments:
            problems.append("no graded lab cell assesses it")
        result.append(Alignment(entry["id"], entry["text"], pages, assessments, problems, entry.get("text_sv", "")))
    return result


def alignment_problems(alignments: list[Alignment]) -> list[str]:
    return [f"{a.outcome}: {p}" for a in alignments for p in a.problems]


def alignment_markdown(alignments: list[Alignment], titles: Mapping[str, str] | None = None,
                       lang: str | None = None) -> str:
    """The alignment as a Markdown table with {doc} links (rendered by the book with myst-nb's glue-free Markdown)."""
    titles = titles or {}
    lang = book_language(lang)
    head = [_(h, lang) for h in ("outcome", "taught on", "lab tasks", "graded cells")]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|"]
    for a in alignments:
        pages = "<br>".join(f"{{doc}}`{titles.get(p, p)} </{p}>`" for p in a.pages)
        labs = sorted({lab for lab, _g, _k in a.assessments})
        lab_cells = "<br>".join(f"{{doc}}`{lab} </labs/{lab}/README>`" if (REPO_ROOT / "labs" / lab / "README.md").exists()
                                else f"`{lab}`" for lab in labs)
        graded = "<br>".join(f"`{lab}:{g}` ({_(k, lang)})" for lab, g, k in a.assessments)
        status = "" if not a.problems else " **(" + _("gap: ", lang) + "; ".join(a.problems) + ")**"
        text = (a.text_sv or a.text) if lang == "sv" else a.text
        lines.append(f"| **{a.outcome}** {text}{status} | {pages} | {lab_cells or '—'} | {graded or '—'} |")
    return "\n".join(lines)


def page_titles(repo: Path = REPO_ROOT, lang: str | None = None) -> dict[str, str]:
    """docname → first heading of each page in _toc.yml (for link texts), in Swedish from locales/sv."""
    titles = _page_titles_en(repo)
    if book_language(lang) == "sv":
        titles = {doc: _translated_title(repo, doc, title) for doc, title in titles.items()}
    return titles


def _translated_title(repo: Path, doc: str, title: str) -> str:
    po = repo / "locales" / "sv" / "LC_MESSAGES" / f"{doc}.po"
    if not po.exists():
        return title
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        message = read_po(f).get(title)
    return message.string if message is not None and message.string and not message.fuzzy else title


def _page_titles_en(repo: Path) -> dict[str, str]:
    titles = {}
    for doc in toc_docnames(repo / "_toc.yml"):
        for ext in (".md", ".ipynb"):
            path = repo / f"{doc}{ext}"
            if path.exists() and ext == ".md":
                text = path.read_text(encoding="utf-8")
                if text.startswith("---\n"):
                    text = text.split("\n---\n", 1)[-1]  # skip the front matter (its comments start with '#')
                for line in text.splitlines():
                    if line.startswith("# "):
                        titles[doc] = line[2:].strip()
                        break
    return titles


# ----------------------------------------------------------------------------- study times

# The rule (written for learners in book/start/outcomes.md, "How the study times are worked out"):
#   reading   = words read / READING_WPM + FIGURE_MIN per figure, diagram or code block
#   exercises = the minutes stated in each exercise's title "(N min)" + SELFCHECK_MIN per self-check question
# each rounded to the nearest 5 minutes (at least 5 when there is anything). Not read: front matter, the
# time line, code, solutions, exercise statements (they belong to the exercise), self-check blocks, the
# Swedish summary, and the Swedish half of bilingual text (you read one language).
READING_WPM = 120        # about half of 238 wpm, adults' silent reading of English non-fiction (Brysbaert 2019)
FIGURE_MIN = 1
SELFCHECK_MIN = 1
HOURS_PER_HP = 40 * 40 / 60   # 40 weeks × 40 h of full-time study = 60 hp  →  26.7 h per hp
# Parts of the book whose pages count towards the course's study time, in _toc.yml's order.
STUDY_PARTS = ("Start here", "Find your way", "Digitalisation and AI in a small firm", "Technologies", "Labs",
               "Careers and competence", "Equality and careers")
# Pages that keep a stated time instead of the rule: the labs (their own estimate of the notebook work)
# and the workshop session (a 3-hour meeting for a team, an alternative to reading the module alone).
STATED_TIME = ("labs/vision_inspection/README", "labs/sensor_analytics/README", "labs/am_parameters/README")
NOT_STUDY = ("equality_module/workshop/facilitator_guide", "equality_module/workshop/evaluation_form")
# Pages outside STUDY_PARTS that carry a time line worked out by the same rule.
ALSO_TIMED = ("book/start/launch",)

_SV_MARKERS = frozenset("och är för på att av inte med som ett en till vid eller ska från du vi har kan det de "
                        "den om när hur var vad där också men så sin sina finns blir får".split())
_EN_MARKERS = frozenset("the and is are of to in for on with that a an you it be as by from or not this "
                        "what how where when which can has have we they their there your".split())
_FENCE = re.compile(r"^(```+|:::+)\s*(\{([\w-]+)\})?\s*(.*)$")
_ROLE = re.compile(r"\{(\w+)\}`([^`]*)`")
_EXERCISE_MIN = re.compile(r"\((\d+) min\)\s*$")
_PROJECT_H = re.compile(r"\(project: (\d+(?:\.\d+)?) h\)\s*$")


@dataclass
class StudyTime:
    doc: str
    words: int
    figures: int
    exercise_minutes: list[int]
    selfcheck_questions: int
    project_minutes: int = 0   # an own project stated as "(project: N h)": counted on its own, not in the page

    @property
    def reading(self) -> int:
        return _round5(self.words / READING_WPM + FIGURE_MIN * self.figures)

    @property
    def exercises(self) -> int:
        return _round5(sum(self.exercise_minutes) + SELFCHECK_MIN * self.selfcheck_questions)

    @property
    def total(self) -> int:
        return self.reading + self.exercises


def _round5(minutes: float) -> int:
    if minutes <= 0:
        return 0
    return max(5, 5 * int(minutes / 5 + 0.5))


def _is_swedish(segment: str) -> bool:
    words = re.findall(r"[^\W\d_]+", segment.lower())
    sv = sum(w in _SV_MARKERS for w in words)
    en = sum(w in _EN_MARKERS for w in words)
    return sv >= 2 and sv > en


def _role_text(match: re.Match) -> str:
    role, body = match.group(1), match.group(2)
    if role == "cite":
        return " ".join(["Author year"] * len([k for k in body.split(",") if k.strip()]))
    shown = re.match(r"^(.*?)\s*<[^>]+>$", body, re.S)
    if shown:
        return shown.group(1)
    return "the linked page" if role in ("doc", "ref") else body


def _count_words(block: str) -> int:
    """Words in one paragraph, list item or table, leaving out Swedish segments of "svenska / English" text."""
    block = re.sub(r"<!--.*?-->", "", _ROLE.sub(_role_text, block), flags=re.S)
    block = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", block)          # links and images keep their text
    rows = block.splitlines() if block.lstrip().startswith("|") else [" ".join(block.split())]
    n = 0
    for row in rows:
        cells = [c for c in row.strip().strip("|").split("|")] if row.lstrip().startswith("|") else [row]
        for cell in cells:
            if re.fullmatch(r"\s*:?-+:?\s*", cell):
                continue
            for seg in cell.split(" / "):
                if not _is_swedish(seg):
                    n += sum(bool(re.search(r"\w", tok)) for tok in seg.split())
    return n


def study_time(path: Path, doc: str | None = None) -> StudyTime:
    """Words, figures, stated exercise minutes and self-check questions of one MyST page (see the rule above)."""
    return study_time_of(Path(path).read_text(encoding="utf-8"), doc or str(path))


def study_time_of(text: str, doc: str) -> StudyTime:
    """``study_time`` for a page's text."""
    path = doc
    if text.startswith("---\n"):
        text = text.split("---\n", 2)[2]
    text = text.split("\n## Sammanfattning", 1)[0]
    words = figures = questions = project = 0
    exercise_minutes: list[int] = []
    paragraph: list[str] = []

    def flush():
        nonlocal words
        if paragraph:
            words += _count_words("\n".join(paragraph))
            paragraph.clear()

    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if m:
            flush()
            fence, name, title = m.group(1), m.group(3) or "", m.group(4)
            j = i + 1
            while j < len(lines) and not re.match(rf"^{re.escape(fence)}\s*$", lines[j]):
                j += 1
            body = lines[i + 1:j]
            options = {o.group(1): o.group(2) for o in (re.match(r"^:(\w+):\s*(.*)$", b) for b in body) if o}
            if name == "selfcheck":
                questions += sum(1 for b in body if b.startswith("- q:"))
            elif name == "admonition" and title.startswith(("Exercise", "Activity")):
                found, project_h = _EXERCISE_MIN.search(title), _PROJECT_H.search(title)
                if project_h:
                    project += round(float(project_h.group(1)) * 60)
                elif found:
                    exercise_minutes.append(int(found.group(1)))
                else:
                    raise InputError(f"{doc or path}: exercise {title!r} states no time; end its title with "
                                     "'(N min)', or '(project: N h)' for an own project")
            elif name == "admonition" and title.startswith("Solution"):
                pass
            elif name in ("code-cell", "figure", "image", "mermaid", "graphviz") or fence.startswith("`"):
                if "remove-cell" not in options.get("tags", ""):
                    figures += 1
            else:  # notes, boxes, other admonitions: read like the text around them
                words += _count_words(title) if title else 0
                for b in body:
                    if re.match(r"^:\w+:", b) or not b.strip():
                        flush()
                    else:
                        paragraph.append(b)
                flush()
            i = j + 1
            continue
        stripped = line.strip()
        if (not stripped or stripped.startswith(("%", "<!--")) or re.match(r"^\(.+\)=$", stripped)
                or re.match(r"^\*(Time|Tid):", stripped)):
            flush()
            if re.match(r"^\*(Time|Tid):", stripped):  # a time line may run over two lines
                while not lines[i].rstrip().endswith("*") and i + 1 < len(lines):
                    i += 1
        else:
            if stripped.startswith(("#", "- ", "* ", "1. ")) or re.match(r"^\d+\. ", stripped):
                flush()
            figures += len(re.findall(r"!\[[^\]]*\]\(|<img\b", line))
            paragraph.append(line)
        i += 1
    flush()
    return StudyTime(doc or str(path), words, figures, exercise_minutes, questions, project)


def timed_pages(toc_path: Path = TOC_YML) -> dict[str, list[str]]:
    """part caption → the pages whose time comes from the rule (stated-time pages are in STATED_TIME)."""
    toc = yaml.safe_load(Path(toc_path).read_text())
    parts: dict[str, list[str]] = {"Start here": [toc["root"]]}
    for part in toc["parts"]:
        if part["caption"] in STUDY_PARTS:
            docs = [str(c["file"]).removesuffix(".md") for c in part["chapters"]]
            parts.setdefault(part["caption"], []).extend(d for d in docs if d not in NOT_STUDY)
    return parts


def page_front_times(path: Path) -> tuple[int, int, int]:
    """(teaching, exercises, project) minutes from a page's front matter."""
    text = Path(path).read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return (0, 0, 0)
    front = yaml.safe_load(text.split("---\n", 2)[1]) or {}
    return (int(front.get("teaching", 0) or 0), int(front.get("exercises", 0) or 0), int(front.get("project", 0) or 0))


def time_line(t: StudyTime, bilingual: bool = False) -> str:
    """The visible line under a page's title, e.g. '*Time: 10 min reading, 15 min exercises and self-check.*'"""
    en, sv = [], []
    if t.reading:
        en.append(f"{t.reading} min reading")
        sv.append(f"{t.reading} min läsning")
    if t.exercises:
        kind_en = ("exercises and self-check" if t.exercise_minutes and t.selfcheck_questions
                   else "self-check" if t.selfcheck_questions else "exercises")
        kind_sv = ("övningar och självtest" if t.exercise_minutes and t.selfcheck_questions
                   else "självtest" if t.selfcheck_questions else "övningar")
        en.append(f"{t.exercises} min {kind_en}")
        sv.append(f"{t.exercises} min {kind_sv}")
    line = f"*Time: {', '.join(en) or 'a few minutes'}."
    if bilingual:
        line += f" / Tid: {', '.join(sv) or 'några minuter'}."
    return line + "*"


_TIME_LINE = re.compile(r"^\*(?:Time|Tid):[^*]*\*[ \t]*$", re.M)


def apply_study_time(text: str, t: StudyTime) -> str:
    """The page text with its front matter minutes and its visible time line set from the rule."""
    if text.startswith("---\n"):
        _, fm, body = text.split("---\n", 2)
    else:
        fm, body = "", text
    for key, value in (("teaching", t.reading), ("exercises", t.exercises), ("project", t.project_minutes)):
        if not value and key == "project":
            fm = re.sub(r"^project:.*\n", "", fm, flags=re.M)
            continue
        if re.search(rf"^{key}:.*$", fm, re.M):
            fm = re.sub(rf"^{key}:.*$", f"{key}: {value}", fm, count=1, flags=re.M)
        else:
            fm += f"{key}: {value}\n"
    old = _TIME_LINE.search(body)
    bilingual = bool(old and "/ Tid:" in old.group(0))
    line = time_line(t, bilingual)
    if old:
        body = body[:old.start()] + line + body[old.end():]
    else:
        title = re.search(r"^# .+$", body, re.M)
        if not title:
            raise InputError(f"{t.doc}: no '# title' line to put the time line under")
        body = body[:title.end()] + "\n\n" + line + body[title.end():]
    return f"---\n{fm}---\n{body}"


@dataclass
class PartTime:
    part: str
    pages: int
    reading: int
    exercises: int
    labs: int

    @property
    def total(self) -> int:
        return self.reading + self.exercises + self.labs


def study_totals(repo: Path = REPO_ROOT) -> tuple[list[PartTime], int]:
    """Minutes per part of the book (from the pages' front matter), and the own project's minutes."""
    rows, project = [], 0
    for part, docs in timed_pages(repo / "_toc.yml").items():
        reading = exercises = labs = 0
        for doc in docs:
            teaching, ex, proj = page_front_times(repo / f"{doc}.md")
            project += proj
            if doc in STATED_TIME:
                labs += teaching + ex
            else:
                reading += teaching
                exercises += ex
        rows.append(PartTime(part, len(docs), reading, exercises, labs))
    return rows, project


def _h(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


def _hp(minutes: int) -> str:
    return f"{minutes / 60 / HOURS_PER_HP:.1f} hp"


def study_table_markdown(rows: list[PartTime], project: int) -> str:
    lines = ["| part of the book | pages | reading | exercises and self-checks | labs | total |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.part} | {r.pages} | {_h(r.reading)} | {_h(r.exercises)} | "
                     f"{_h(r.labs) if r.labs else '—'} | {_h(r.total)} |")
    core = sum(r.total for r in rows)
    lines.append(f"| **the course** | {sum(r.pages for r in rows)} | {_h(sum(r.reading for r in rows))} | "
                 f"{_h(sum(r.exercises for r in rows))} | {_h(sum(r.labs for r in rows))} | "
                 f"**{_h(core)} ≈ {_hp(core)}** |")
    lines.append(f"| your own pilot-project plan (written, reviewed by the teacher) | | | | | {_h(project)} |")
    lines.append(f"| **with the pilot plan** | | | | | **{_h(core + project)} ≈ {_hp(core + project)}** |")
    return "\n".join(lines)


def study_summary(repo: Path = REPO_ROOT) -> dict[str, str]:
    """Figures pages may quote in their text, written as ``<value><!-- {{key}} -->`` (kept current by
    ``write_study_times``): course and pilot totals in hours and hp (also with a Swedish decimal comma),
    weeks at two hours a week, and the total of each part (``<first word of its caption>_h``)."""
    rows, project = study_totals(repo)
    core = sum(r.total for r in rows)
    figures = {"core_h": _h(core), "core_hp": _hp(core), "all_h": _h(core + project), "all_hp": _hp(core + project),
               "project_h": _h(project), "weeks_at_2h": f"{round((core + project) / 60 / 2)} weeks"}
    figures |= {f"{k}_sv": figures[k].replace(".", ",") for k in ("core_h", "core_hp", "all_h", "all_hp")}
    figures |= {f"{r.part.split()[0].lower()}_h": _h(r.total) for r in rows}
    return figures


_TABLE_START = "% study-time table: written by `python -m indi.book times --write` from the pages; do not edit by hand\n"
_TABLE_END = "% end of study-time table\n"
_FIGURE = re.compile(r"([^\s<>(]+(?: h| hp| weeks)?)<!-- \{\{(\w+)\}\} -->")
_TIME_ROW = re.compile(r"^(\| \{doc\}`([^`<>]+)` \|.*\| )(\d+ min|\d+(?:\.\d)? h)( \|)$", re.M)


def _fmt_minutes(minutes: int) -> str:
    return f"{minutes} min" if minutes < 120 else f"{minutes / 60:.1f} h".replace(".0 h", " h")


def render_page_times(text: str, doc: str, repo: Path = REPO_ROOT) -> str:
    """One page's text with everything the rule decides set: front matter minutes and time line, the
    outcomes page's table, the time column of tables that list pages, and the tagged figures."""
    text = apply_study_time(text, study_time_of(text, doc))
    if _TABLE_START in text:
        if _TABLE_END not in text:
            raise InputError(f"{doc}: the study-time table has no end marker {_TABLE_END.strip()!r}")
        rows, project = study_totals(repo)
        head, rest = text.split(_TABLE_START, 1)
        _, tail = rest.split(_TABLE_END, 1)
        text = f"{head}{_TABLE_START}\n{study_table_markdown(rows, project)}\n\n{_TABLE_END}{tail}"
    folder = doc.rsplit("/", 1)[0]

    def row(m: re.Match) -> str:
        target = m.group(2).strip()
        target = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
        path = repo / f"{target}.md"
        if not path.exists() or target in NOT_STUDY:
            return m.group(0)
        teaching, exercises, _project = page_front_times(path)
        return f"{m.group(1)}{_fmt_minutes(teaching + exercises)}{m.group(4)}"

    text = _TIME_ROW.sub(row, text)
    figures = study_summary(repo)
    unknown = set(re.findall(r"<!-- \{\{(\w+)\}\} -->", text)) - set(figures)
    if unknown:
        raise InputError(f"{doc}: unknown study-time figure(s) {sorted(unknown)}; use one of {sorted(figures)}")
    return _FIGURE.sub(lambda m: f"{figures[m.group(2)]}<!-- {{{{{m.group(2)}}}}} -->", text)


def write_study_times(repo: Path = REPO_ROOT, write: bool = True) -> list[str]:
    """Set every timed page from the rule (see ``render_page_times``); the totals depend on the pages and
    some pages quote the totals, so it repeats until nothing changes. Returns the pages that changed
    (with write=False: the pages that are out of date, nothing written)."""
    docs = [d for docs in timed_pages(repo / "_toc.yml").values() for d in docs if d not in STATED_TIME]
    changed: list[str] = []
    for _round in range(5):
        changed_now = []
        for doc in [*docs, *ALSO_TIMED]:
            path = repo / f"{doc}.md"
            text = path.read_text(encoding="utf-8")
            new = render_page_times(text, doc, repo)
            if new != text:
                changed_now.append(doc)
                if write:
                    path.write_text(new, encoding="utf-8")
        changed += [d for d in changed_now if d not in changed]
        if not changed_now or not write:
            return changed
    raise InputError("study times did not settle after 5 rounds: " + ", ".join(changed_now))


# ----------------------------------------------------------------------------- launch links

CONFIG_YML = REPO_ROOT / "_config.yml"
_HUB_LINE = re.compile(r'^(\s*jupyterhub_url:\s*).*$', re.MULTILINE)


def set_hub_url(url: str, config_path: Path = CONFIG_YML) -> None:
    """Rewrite launch_buttons.jupyterhub_url in _config.yml (keeps every comment and other line)."""
    url = url.strip().rstrip("/")
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise InputError(f"{url!r} is not a hub address: give it as https://hub.example.se (or '' to hide the button)")
    text = Path(config_path).read_text(encoding="utf-8")
    if not _HUB_LINE.search(text):
        raise InputError(f"{config_path} has no 'jupyterhub_url:' line under launch_buttons")
    Path(config_path).write_text(_HUB_LINE.sub(lambda m: f'{m.group(1)}"{url}"', text, count=1), encoding="utf-8")


def launch_links(path_in_repo: str, config_path: Path = CONFIG_YML) -> dict[str, str]:
    """The hub (nbgitpuller) and Binder links for one file of the repository, from _config.yml."""
    from urllib.parse import quote, urlencode

    cfg = yaml.safe_load(Path(config_path).read_text(encoding="utf-8"))
    repo = cfg["repository"]["url"].rstrip("/")
    branch = cfg["repository"].get("branch", "main")
    buttons = cfg.get("launch_buttons", {})
    links = {}
    hub = (buttons.get("jupyterhub_url") or "").rstrip("/")
    if hub:
        query = urlencode({"repo": repo, "urlpath": f"lab/tree/{repo.rsplit('/', 1)[-1]}/{path_in_repo}",
                           "branch": branch})
        links["JupyterHub"] = f"{hub}/hub/user-redirect/git-pull?{query}"
    binder = (buttons.get("binderhub_url") or "").rstrip("/")
    if binder:
        org_repo = repo.split("github.com/", 1)[-1]
        links["Binder"] = f"{binder}/v2/gh/{org_repo}/{branch}?urlpath={quote('lab/tree/' + path_in_repo, safe='')}"
    return links


# ----------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    what = argv[0] if argv else "help"
    if what == "catalogue":
        try:
            frame = load_catalogue()
        except InputError as err:
            print(err)
            return 1
        due = due_for_check(frame)
        print(f"{CATALOGUE_YML.relative_to(REPO_ROOT)}: {len(frame)} tools, valid.")
        for _, t in due.iterrows():
            when = f"last checked {t['checked']}" if t["checked"] else "never verified"
            print(f"  re-check: {t['name']} ({when}) at {t['source']}")
        return 0
    if what == "outcomes":
        alignments = outcome_alignment()
        print(alignment_markdown(alignments))
        problems = alignment_problems(alignments)
        for p in problems:
            print("GAP:", p)
        return 1 if problems else 0
    if what == "times":
        try:
            changed = write_study_times(write="--write" in argv[1:])
        except InputError as err:
            print(err)
            return 1
        rows, project = study_totals()
        print(study_table_markdown(rows, project))
        if changed:
            verb = "updated" if "--write" in argv[1:] else "out of date (run with --write)"
            print(f"\n{len(changed)} page(s) {verb}: " + ", ".join(changed))
        return 1 if changed and "--write" not in argv[1:] else 0
    if what == "hub-url" and len(argv) == 2:
        try:
            set_hub_url(argv[1])
        except InputError as err:
            print(err)
            return 1
        print(f"launch_buttons.jupyterhub_url = {argv[1]!r} in {CONFIG_YML.name}; rebuild with `make book`.")
        return 0
    print(__doc__)
    return 0 if what == "help" else 2


if __name__ == "__main__":
    sys.exit(main())
