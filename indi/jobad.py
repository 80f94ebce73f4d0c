"""Job-ad wording analyser (Swedish and English): coded words, their sense in context, and a calibrated reading.

The analyser finds masculine- and feminine-coded words in a job ad, using the word lists of
Gaucher, Friesen & Kay (2011) and gender-decoder (English), gender-decoder's Swedish list, and the
course's additions (``equality_module/data/jobad_added_words.tsv``), as curated in
``datasets/cards/equality.md``. It is **a prompt to reflect, not a verdict**: a large field study
(Castilla & Rho 2023) found negligible effects of such wording on who applies.

    >>> from indi.jobad import analyse
    >>> result = analyse("Vi söker en driven, självständig och analytisk teamledare.")
    >>> result.language, result.masculine_count, result.verdict
    ('sv', 4, 'masculine-coded')

How words are matched (the rules are stated here because they decide what is counted):

* Text is NFC-normalised and lower-cased; å, ä and ö are letters like any other (never folded to
  a/o, so *årlig* is not *ärlig* and *om* is not *öm*).
* A word is a run of letters, possibly joined by hyphens ("self-confident", "data-driven"). The whole
  word is tried first with hyphens removed, then each hyphen-separated part.
* English entries the paper lists as exact words (no asterisk) match the word and its regular endings
  (-s, -ed, -ing, -ly, -ness, -al …): *confident* matches "confidently" but not "confidential".
  All other entries match as prefixes (*analy* → analytical).
* Swedish entries match as prefixes (Swedish inflects by endings), with the compound forms a stem takes
  as a first part (*ledare* → *ledar-* in "ledarskapsförmåga", *driva* → *driv-*). A few stems that keep
  their person meaning as the *last* part of a compound are also found there ("teamledare",
  "resultatdriven").
* Words that merely begin with a stem but are unrelated (committee, kindergarten, ledamot, litauisk,
  ömsesidig …) are never hits.
* **Context rules** (data, ``equality_module/data/jobad_context_rules.tsv``) decide the sense of a
  hit from the words around it. *Other sense* (technical, a name, a set phrase, politeness: lead time,
  yield strength, varmvalsad, "join metals together", "understanding of electricity", "Armed Forces",
  "driva en flygplats", "vänligen") and *duty wording* (a responsibility or task: "responsible for",
  "ansvarar för", "fordonsansvarig", "analysera resultat") are shown but **not counted**.
* Each word counts once: the longest matching stem wins (so "dominant" is not counted twice).

The reading (:attr:`Analysis.verdict`) is calibrated on the number n of counted coded words: with fewer
than ``MIN_CODED`` it is "too few coded words to tell"; otherwise an ad leans masculine or feminine only
when the difference between the two counts is at least ``MARGIN_Z`` × √n (what a one-sided sign test
needs at the 5 % level in the direction the ad leans), and "strongly" from 1.5 × that margin. ``MARGIN_Z``
was 2 (a two-sided test) until it was compared with a careful reader on the 30 real ads of
``tests/fixtures/equality/ads/corpus.yaml``: 2 was more cautious than the reader on 5 of them, 1.645 on 2.
"""

from __future__ import annotations

import html
import json
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from indi.errors import InputError

if TYPE_CHECKING:  # pandas is imported by the one method that returns a table: the analyser starts fast
    import pandas as pd

__all__ = [
    "Hit",
    "Analysis",
    "analyse",
    "detect_language",
    "word_lists",
    "context_rules",
    "analyser_widget",
    "read_ad",
    "EXAMPLE_ADS",
    "MIN_CODED",
    "MARGIN_Z",
    "main",
]

LANGUAGES = ("sv", "en")
MASCULINE, FEMININE = "masculine", "feminine"

# --------------------------------------------------------------------------- language detection

# Short, frequent function words: enough to tell a Swedish ad from an English one.
_FUNCTION_WORDS = {
    "sv": {"och", "att", "det", "är", "som", "för", "med", "på", "av", "till", "vi", "du", "har", "inte",
           "om", "en", "ett", "dig", "oss", "hos", "söker", "våra", "vår", "kommer", "eller", "ska", "där"},
    "en": {"the", "and", "to", "of", "a", "in", "is", "you", "we", "for", "with", "will", "our", "are", "be",
           "your", "as", "on", "an", "this", "who", "have", "or", "at", "us", "looking"},
}


def detect_language(text: str) -> str:
    """``"sv"`` or ``"en"``: the language of ``text``, from function words and the letters å/ä/ö.

    Raises InputError for text without any letters (nothing to analyse).
    """
    words = _WORD_RE.findall(_normalise(text))
    if not words:
        raise InputError("The job ad is empty (no words found). Paste the ad's text, or give a file that contains it.")
    sv = sum(w in _FUNCTION_WORDS["sv"] for w in words)
    en = sum(w in _FUNCTION_WORDS["en"] for w in words)
    # å, ä, ö are strong evidence of Swedish even in a short fragment ("självständig ledare").
    sv += 0.5 * sum(any(c in w for c in "åäö") for w in words)
    return "sv" if sv > en else "en"


# --------------------------------------------------------------------------- matching rules

_HYPHENS = "\u2010\u2011\u2012\u00ad"  # hyphen, non-breaking hyphen, figure dash, soft hyphen
_HYPHEN_TABLE = str.maketrans(dict.fromkeys(_HYPHENS, "-"))
# a word: letters, possibly joined by hyphens, also across a line break ("själv-\nständig")
_WORD_RE = re.compile(r"[^\W\d_]+(?:-(?:[ \t]*\n[ \t]*)?[^\W\d_]+)*")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
# web addresses and e-mail addresses are not prose: "www.driven-ab.se" says nothing about the job
_ADDRESS_RE = re.compile(r"\bhttps?://\S+|\bwww\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# English endings accepted after an entry the paper lists as an exact word.
_EN_EXACT_ENDINGS = ("", "s", "es", "d", "ed", "ing", "ly", "ness", "er", "ers", "est", "al", "ally")

# Extra prefixes a Swedish stem takes in inflection or as the first part of a compound.
_SV_VARIANTS = {
    "ledare": ("ledar",),        # ledarskap, ledarroll, ledaregenskaper
    "förkämpe": ("förkämp",),    # förkämpar
    "driva": ("driv",),          # driven, drivande, drivkraft, "har driv"
    "leda": ("leder", "ledde", "ledd"),
}
# Short Swedish stems matched only as these exact forms (a prefix would hit unrelated words).
_SV_EXACT = {
    "öm": ("öm", "ömt", "ömma", "ömhet", "ömheten", "ömsint", "ömsinta", "ömsinthet"),
}
# Forms that keep their person meaning as the last part of a Swedish compound -> the stem they count for.
_SV_COMPOUND_HEADS = {"ledare": "ledare", "ledar": "ledare", "ansvar": "ansvar", "samarbet": "samarbet",
                      "engage": "engage", "driven": "drive", "vänlig": "vänlig", "glad": "glad",
                      "hungrig": "hungrig", "gemenskap": "gemenskap", "relation": "relation",
                      "förtroend": "förtroend"}
_SV_MIN_LEFT = 3  # letters before a compound head: "teamledare", but not "reglad" (bolted) or "eldriven"

# Words that begin with a stem but have nothing to do with it: never hits.
_UNRELATED = {
    "en": ("committee", "kindergarten", "kindle", "kindling", "connecticut"),
    "sv": ("ledamot", "ledamöt", "litau", "litani", "gladiator", "ömse", "ömsom", "drivhus", "drivved",
           "drivor", "mildr", "överdriv", "bedriv", "dominikan", "domino", "socialdemokrat"),
}

# Neutral alternatives: describe the task or the behaviour, not a trait. Keys are stems. No alternative may be
# a word the analyser itself codes (a test checks every one against the word lists and the context rules).
_ALTERNATIVES = {
    "en": {
        "active": ["involved", "takes part in"], "aggress": ["goal-oriented", "clear about goals"],
        "ambitio": ["motivated", "keen to develop"], "analy": ["good at solving problems", "curious about the data"],
        "assert": ["clear", "speaks up when something is wrong"], "challeng": ["varied", "new tasks"],
        "compet": ["skilled", "keen to improve"], "confident": ["secure in the role", "clear"],
        "decisive": ["makes well-founded choices"], "decid": ["choose", "settle"], "decide": ["choose"],
        "determin": ["persevering", "sees things through"], "domina": ["well established", "strong in its niche"],
        "driven": ["motivated", "keen to get results"], "force": ["energy"], "independen": ["can plan your own work"],
        "individual": ["person", "each of you"], "lead": ["coordinate", "guide", "plan the team's work", "well established (about the firm)"],
        "logic": ["structured", "methodical"], "objective": ["fair", "fact-based"], "outspoken": ["clear", "open"],
        "persist": ["patient", "sees things through"], "selfconfiden": ["secure in the role"],
        "selfrelian": ["can work on your own"], "selfsufficien": ["can work on your own"],
        "superior": ["excellent", "high-quality"], "fearless": ["willing to try new ways"],
        "battle": ["work on", "tackle"], "fight": ["work against", "reduce"], "champion": ["promote", "speak up for"],
        "headstrong": ["sees things through"],
    },
    "sv": {
        "aggress": ["tydlig", "vet vad du vill uppnå"], "aktiv": ["delaktig", "tar initiativ"],
        "ambiti": ["motiverad", "vill utvecklas"], "analy": ["gillar att lösa problem", "strukturerad"],
        "autonom": ["kan planera ditt eget arbete"], "beslut": ["gör genomtänkta val"], "bestäm": ["tydlig"],
        "domin": ["väletablerad", "välkänd i branschen"], "driva": ["motiverad", "tar initiativ"],
        "drive": ["motiverad", "tar initiativ"], "envis": ["uthållig", "ger inte upp i första taget"],
        "hungrig": ["nyfiken", "vill lära dig mer"], "individ": ["person", "medarbetare"],
        "intellekt": ["kunnig"], "intelligen": ["kunnig", "lär dig snabbt"], "kompetent": ["kunnig", "erfaren"],
        "kraft": ["energi"], "kämp": ["arbetar för", "bidrar till"], "leda": ["samordna", "planera teamets arbete", "väletablerad (om företaget)"],
        "ledare": ["samordnare", "den som planerar teamets arbete"], "logik": ["struktur"], "logisk": ["strukturerad", "metodisk"],
        "modig": ["vågar pröva nya sätt"], "objektiv": ["saklig", "rättvis"],
        "självförtroende": ["trygghet i rollen"], "självgå": ["kan arbeta på egen hand"],
        "självständig": ["kan planera ditt eget arbete"], "självsäker": ["trygg"],
        "utman": ["varierande", "utvecklande"], "vass": ["skicklig", "kunnig"], "äventyr": ["nya uppgifter"],
        "förkämpe": ["verkar för"], "försvar": ["står för"], "tjurig": ["uthållig"], "tjurskall": ["uthållig"],
        "stark": ["uthållig", "klarar fysiskt arbete (beskriv lyften)"], "tävlingsinrikt": ["vill bli bättre"],
        "vinnar": ["vill bli bättre"], "principfast": ["tydlig", "står för det du säger"],
        "oberoende": ["kan planera ditt eget arbete"], "arbetsledning": ["samordning av arbetet", "planering av arbetet"],
    },
}
_GENERIC_ADVICE = {
    "en": "Ask: is this a real requirement of the job? Describe the task or the behaviour instead of a trait.",
    "sv": "Fråga: är detta ett verkligt krav i jobbet? Beskriv uppgiften eller beteendet i stället för en egenskap.",
}


# --------------------------------------------------------------------------- word lists


def _normalise(text: str) -> str:
    """NFC, unified hyphens, lower case — with the same length as the NFC text (offsets stay valid)."""
    text = unicodedata.normalize("NFC", text).translate(_HYPHEN_TABLE)
    lowered = text.lower()
    if len(lowered) == len(text):  # the usual case; "İ" and a few others grow when lower-cased
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@dataclass(frozen=True)
class _Stem:
    stem: str  # without hyphens
    coding: str
    rule: str  # "prefix" or "exact"
    forms: tuple[str, ...]  # prefixes (rule prefix) or exact words (rule exact)
    note: str


@cache
def word_lists(language: str) -> tuple[_Stem, ...]:
    """The stems of one language (upstream lists and the course's additions), hyphens removed and
    duplicates merged, longest first."""
    if language not in LANGUAGES:
        raise InputError(f"language must be 'sv' or 'en' (or 'auto'), not {language!r}.")
    from indi.data import load_gendered_wording

    table = load_gendered_wording(language)
    stems: dict[str, _Stem] = {}
    for row in table.itertuples(index=False):
        key = row.stem.replace("-", "")
        if key in stems:
            continue
        if language == "en" and not row.added:
            exact = getattr(row, "paper_wildcard", "") == "no"
            rule = "exact" if exact else "prefix"
            forms = tuple(key + e for e in _EN_EXACT_ENDINGS) if exact else (key,)
        elif key in _SV_EXACT and language == "sv":
            rule, forms = "exact", _SV_EXACT[key]
        else:
            rule, forms = "prefix", (key, *(_SV_VARIANTS.get(key, ()) if language == "sv" else ()))
        stems[key] = _Stem(key, row.coding, rule, forms, row.note)
    return tuple(sorted(stems.values(), key=lambda s: -len(s.stem)))


@dataclass(frozen=True)
class _Rule:
    kind: str  # "other" (another sense) or "duty" (a duty or task)
    pattern: re.Pattern
    case_sensitive: bool
    label: str


@cache
def context_rules(language: str) -> tuple[_Rule, ...]:
    """The context rules of one language, compiled (``equality_module/data/jobad_context_rules.tsv``).

    A space in a pattern stands for any run of white space (ads wrap lines anywhere). A rule that does
    not compile is an error naming the rule, so a typo in the data cannot silently switch a rule off.
    """
    if language not in LANGUAGES:
        raise InputError(f"language must be 'sv' or 'en' (or 'auto'), not {language!r}.")
    from indi.data import load_jobad_rules

    rules = []
    for row in load_jobad_rules(language).itertuples(index=False):
        if row.kind not in ("other", "duty") or row.case not in ("i", "s"):
            raise InputError(f"Context rule {row.label!r} ({language}) has kind {row.kind!r} and case {row.case!r}; "
                             "use kind 'other' or 'duty' and case 'i' or 's'.")
        try:
            pattern = re.compile(row.pattern.replace(" ", r"\s+"))
        except re.error as err:
            raise InputError(f"Context rule {row.label!r} ({language}) is not a valid pattern: {err}.") from None
        rules.append(_Rule(row.kind, pattern, row.case == "s", row.label))
    return tuple(rules)


# --------------------------------------------------------------------------- analysis

MIN_CODED = 4  # fewer counted coded words than this: too few to tell
MARGIN_Z = 1.645  # a lean needs |masculine − feminine| ≥ MARGIN_Z · √n (one-sided 5 %); "strongly" from 1.5 × that


@dataclass(frozen=True)
class Hit:
    """One coded word in the ad: ``text[start:end]`` matched ``stem``."""

    start: int  # the highlighted part: the whole word, or the last part of a compound ("team|ledare")
    end: int
    word: str  # the whole word as written
    stem: str
    coding: str  # "masculine" or "feminine"
    counted: bool = True  # False: another sense, or duty wording
    other_sense: str = ""  # why it was not counted (the context rule's label)
    duty: bool = False  # True: duty or task wording ("responsible for", "ansvarar för"), not a trait

    @property
    def kind(self) -> str:
        """``coded`` (counted), ``other`` (another sense) or ``duty`` (duty wording)."""
        return "coded" if self.counted else ("duty" if self.duty else "other")


_LABELS = {
    "en": {"masculine": "masculine-coded", "feminine": "feminine-coded", "title": "Job-ad wording",
           "words": "words", "counted": "counted", "other": "other sense, not counted", "score": "difference",
           "duty": "duty wording, not counted",
           "verdict": "reading", "suggest": "Suggested neutral alternatives", "none": "no coded words found",
           "rule": "Rule: at least {min} coded words, and a difference of at least {z:g}×√n "
                   "(here n = {n}, so {margin:.1f}) before an ad leans one way.",
           "rule_few": "Rule: an ad needs at least {min} coded words before it can lean one way (here {n}).",
           "caveat": "A prompt to reflect, not a verdict: field evidence on wording effects is mixed "
                     "(Gaucher et al. 2011; Castilla & Rho 2023).",
           "strongly masculine-coded": "strongly masculine-coded", "masculine-coded": "masculine-coded",
           "neutral": "neutral (balanced)", "strongly feminine-coded": "strongly feminine-coded",
           "feminine-coded": "feminine-coded", "too few": "too few coded words to tell", "lang": "language"},
    "sv": {"masculine": "maskulint kodade", "feminine": "feminint kodade", "title": "Annonsens ordval",
           "words": "ord", "counted": "räknade", "other": "annan betydelse, räknas inte", "score": "skillnad",
           "duty": "uppgift eller ansvar, räknas inte",
           "verdict": "läsning", "suggest": "Förslag på neutrala alternativ", "none": "inga kodade ord hittades",
           "rule": "Regel: minst {min} kodade ord, och en skillnad på minst {z:g}×√n "
                   "(här n = {n}, alltså {margin:.1f}) innan annonsen lutar åt något håll.",
           "rule_few": "Regel: en annons behöver minst {min} kodade ord innan den kan luta åt något håll (här {n}).",
           "caveat": "En uppmaning att reflektera, inte ett facit: forskningen om ordvalets effekt är "
                     "oenig (Gaucher m.fl. 2011; Castilla & Rho 2023).",
           "strongly masculine-coded": "starkt maskulint kodad", "masculine-coded": "maskulint kodad",
           "neutral": "neutral (balanserad)", "strongly feminine-coded": "starkt feminint kodad",
           "feminine-coded": "feminint kodad", "too few": "för få kodade ord för att säga något",
           "lang": "språk"},
}
_STYLE = {  # colour plus a border style and a letter, so the coding is not told by colour alone
    MASCULINE: "background:#ffe3a8;color:#000;border-bottom:3px solid #8a5a00",
    FEMININE: "background:#cfe6ff;color:#000;border-bottom:3px double #0b4f8a",
    "other": "background:#ececec;color:#000;border-bottom:2px dashed #555",
    "duty": "background:#f4f4f4;color:#000;border-bottom:2px dotted #555",
}


@dataclass
class Analysis:
    """The result of :func:`analyse`: hits with positions, counts, difference, reading and output helpers."""

    text: str  # the NFC-normalised ad (hit offsets refer to it)
    language: str
    n_words: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def counted(self) -> list[Hit]:
        return [h for h in self.hits if h.counted]

    @property
    def other_sense(self) -> list[Hit]:
        """Hits in another sense (technical, a name, a set phrase): shown, not counted."""
        return [h for h in self.hits if h.kind == "other"]

    @property
    def duties(self) -> list[Hit]:
        """Duty or task wording ("responsible for", "ansvarar för", "analysera resultat"): shown, not counted."""
        return [h for h in self.hits if h.kind == "duty"]

    @property
    def masculine_count(self) -> int:
        return sum(h.coding == MASCULINE for h in self.counted)

    @property
    def feminine_count(self) -> int:
        return sum(h.coding == FEMININE for h in self.counted)

    @property
    def score(self) -> int:
        """Masculine minus feminine coded words: > 0 leans masculine, < 0 feminine."""
        return self.masculine_count - self.feminine_count

    @property
    def balance(self) -> float:
        """Score scaled to −1 … +1 (0 when nothing was found): (m − f) / (m + f)."""
        total = self.masculine_count + self.feminine_count
        return self.score / total if total else 0.0

    @property
    def margin(self) -> float:
        """The difference a lean needs: ``MARGIN_Z`` × √n, n = counted coded words."""
        return MARGIN_Z * math.sqrt(self.masculine_count + self.feminine_count)

    @property
    def verdict(self) -> str:
        """too few, neutral, masculine-coded, strongly masculine-coded, feminine-coded or strongly feminine-coded.

        Fewer than ``MIN_CODED`` counted words: "too few". Otherwise the ad leans one way only when
        |m − f| ≥ ``MARGIN_Z``·√n (≈ a one-sided sign test at 5 %), "strongly" from 1.5 × that margin.
        """
        n = self.masculine_count + self.feminine_count
        if n < MIN_CODED:
            return "too few"
        s = self.score
        if abs(s) < self.margin:
            return "neutral"
        strength = "strongly " if abs(s) >= 1.5 * self.margin else ""
        return f"{strength}{MASCULINE if s > 0 else FEMININE}-coded"

    def verdict_text(self, ui: str | None = None) -> str:
        return _LABELS[ui or self.language][self.verdict]

    def rule_text(self, ui: str | None = None) -> str:
        """The reading's rule with this ad's numbers, in Swedish or English."""
        n = self.masculine_count + self.feminine_count
        ui = ui or self.language
        key = "rule" if n >= MIN_CODED else "rule_few"
        text = _LABELS[ui][key].format(min=MIN_CODED, z=MARGIN_Z, n=n, margin=self.margin)
        return text.replace(f"{self.margin:.1f})", f"{self.margin:.1f})".replace(".", ",")) if ui == "sv" else text

    def counts(self) -> pd.DataFrame:
        """One row per (coding, stem) with the words as written and how often they occur."""
        import pandas as pd

        rows: dict[tuple, dict] = {}
        for h in self.counted:
            r = rows.setdefault((h.coding, h.stem), {"coding": h.coding, "stem": h.stem, "count": 0, "words": []})
            r["count"] += 1
            if h.word not in r["words"]:
                r["words"].append(h.word)
        table = pd.DataFrame(rows.values(), columns=["coding", "stem", "count", "words"])
        table["words"] = table["words"].map(", ".join)
        return table.sort_values(["coding", "count", "stem"], ascending=[False, False, True], ignore_index=True)

    def suggestions(self) -> list[dict]:
        """For each stem counted in its coded sense: the words as written and neutral alternatives.

        Words in another sense or duty wording get no suggestion (there is nothing to replace), and no
        alternative is itself a word the analyser codes (tested against the word lists).
        """
        out, seen = [], set()
        alts = _ALTERNATIVES[self.language]
        for h in self.counted:
            if h.stem in seen:
                continue
            seen.add(h.stem)
            words = sorted({x.word for x in self.counted if x.stem == h.stem})
            out.append({"stem": h.stem, "coding": h.coding, "words": words,
                        "alternatives": alts.get(h.stem, []), "advice": _GENERIC_ADVICE[self.language]})
        return out

    def summary(self, ui: str | None = None) -> dict:
        """Plain numbers and labels (what the command line prints as JSON)."""
        ui = ui or self.language
        return {"language": self.language, "words": self.n_words, "masculine": self.masculine_count,
                "feminine": self.feminine_count, "other_sense": len(self.other_sense), "duty": len(self.duties),
                "score": self.score, "margin": round(self.margin, 2), "balance": round(self.balance, 3),
                "verdict": self.verdict, "verdict_text": self.verdict_text(ui)}

    def report(self, ui: str | None = None) -> str:
        """A short plain-text report in Swedish or English (default: the ad's language)."""
        ui = ui or self.language
        L = _LABELS[ui]
        lines = [f"{L['title']} ({L['lang']}: {self.language}, {self.n_words} {L['words']})",
                 f"  {L['masculine']}: {self.masculine_count}   {L['feminine']}: {self.feminine_count}   "
                 f"{L['score']}: {self.score:+d}   {L['verdict']}: {self.verdict_text(ui)}",
                 f"  {self.rule_text(ui)}"]
        for coding in (MASCULINE, FEMININE):
            words = [h.word for h in self.counted if h.coding == coding]
            if words:
                lines.append(f"  {L[coding]}: " + ", ".join(words))
        if self.duties:
            lines.append(f"  {L['duty']}: " + ", ".join(h.word for h in self.duties))
        if self.other_sense:
            lines.append(f"  {L['other']}: " + ", ".join(f"{h.word} ({h.other_sense})" for h in self.other_sense))
        if not self.hits:
            lines.append(f"  {L['none']}")
        sugg = [s for s in self.suggestions() if s["coding"] == MASCULINE and s["alternatives"]]
        if sugg:
            lines.append(f"  {L['suggest']}:")
            lines += [f"    {'/'.join(s['words'])} → {', '.join(s['alternatives'])}" for s in sugg]
        lines.append(f"  {L['caveat']}")
        return "\n".join(lines)

    def to_html(self, ui: str | None = None) -> str:
        """The ad with coded words highlighted (colour, border style and a letter), then the counts."""
        ui = ui or self.language
        L = _LABELS[ui]
        letter = {MASCULINE: "M", FEMININE: "F"}
        parts, pos = [], 0
        for h in sorted(self.hits, key=lambda h: h.start):
            if h.start < pos:
                continue
            parts.append(html.escape(self.text[pos:h.start]))
            kind = h.coding if h.counted else h.kind
            if h.counted:
                label, tag = L[h.coding], letter[h.coding]
            elif h.duty:
                label, tag = f"{L[h.coding]}; {L['duty']}: {h.other_sense}", "–"
            else:
                label, tag = f"{L[h.coding]}; {L['other']}: {h.other_sense}", "–"
            parts.append(f'<mark style="{_STYLE[kind]}" title="{html.escape(label)}">'
                         f"{html.escape(self.text[h.start:h.end])}<sup aria-hidden=\"true\">{tag}</sup>"
                         f'<span style="position:absolute;left:-9999px"> ({html.escape(label)})</span></mark>')
            pos = h.end
        parts.append(html.escape(self.text[pos:]))
        body = "".join(parts).replace("\n", "<br>\n")
        legend = (f'<mark style="{_STYLE[MASCULINE]}">M</mark> {L["masculine"]} ({self.masculine_count}) · '
                  f'<mark style="{_STYLE[FEMININE]}">F</mark> {L["feminine"]} ({self.feminine_count}) · '
                  f'<mark style="{_STYLE["duty"]}">–</mark> {L["duty"]} ({len(self.duties)}) · '
                  f'<mark style="{_STYLE["other"]}">–</mark> {L["other"]} ({len(self.other_sense)})')
        sugg = "".join(f"<li><strong>{html.escape(', '.join(s['words']))}</strong> → "
                       f"{html.escape(', '.join(s['alternatives']) or s['advice'])}</li>"
                       for s in self.suggestions() if s["coding"] == MASCULINE)
        return (f'<div class="indi-jobad" lang="{self.language}">'
                f'<p style="line-height:1.9">{body}</p>'
                f"<p>{legend}</p>"
                f"<p><strong>{L['verdict']}: {html.escape(self.verdict_text(ui))}</strong> "
                f"({L['score']} {self.score:+d}; {self.n_words} {L['words']})<br>"
                f"<small>{html.escape(self.rule_text(ui))}</small></p>"
                + (f"<p>{L['suggest']}:</p><ul>{sugg}</ul>" if sugg else "")
                + f"<p><em>{html.escape(L['caveat'])}</em></p></div>")

    def _repr_html_(self) -> str:
        return self.to_html()


def _stem_matches_word(stem: _Stem, seg: str) -> bool:
    if stem.rule == "exact":
        return seg in stem.forms
    return any(seg.startswith(f) for f in stem.forms)


def _unrelated(seg: str, language: str, forms: tuple[str, ...] = ()) -> bool:
    """True if seg is (or begins with) an unrelated word that the stem's forms would otherwise hit."""
    return any(seg.startswith(u) and (not forms or any(u.startswith(f) for f in forms)) for u in _UNRELATED[language])


@cache
def _heads(language: str) -> tuple[tuple[str, _Stem], ...]:
    by_key = {s.stem: s for s in word_lists(language)}
    pairs = [(form, by_key[key]) for form, key in _SV_COMPOUND_HEADS.items() if key in by_key] if language == "sv" else []
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@cache
def _by_initials(language: str) -> dict[str, tuple[_Stem, ...]]:
    """The stems whose forms begin with each two-letter start, longest stem first (a word is only compared
    with the few stems that can match it)."""
    index: dict[str, list[_Stem]] = {}
    for s in word_lists(language):
        for start in {f[:2] for f in s.forms}:
            index.setdefault(start, []).append(s)
    return {k: tuple(v) for k, v in index.items()}


@cache
def _heads_by_initial(language: str) -> dict[str, tuple[tuple[str, _Stem], ...]]:
    index: dict[str, list[tuple[str, _Stem]]] = {}
    for pair in _heads(language):
        index.setdefault(pair[0][0], []).append(pair)
    return {k: tuple(v) for k, v in index.items()}


def _match_segment(seg: str, stems: tuple[_Stem, ...], language: str) -> list[tuple[int, _Stem]]:
    """Matches in one word or word part: (offset in seg, stem). At most one prefix match, then compound heads."""
    found: list[tuple[int, _Stem]] = []
    candidates = _by_initials(language).get(seg[:2], ()) if stems is word_lists(language) else stems
    for s in candidates:  # longest first: the longest matching stem wins
        if _stem_matches_word(s, seg):
            if not _unrelated(seg, language, s.forms):
                found.append((0, s))
            break
    heads = _heads_by_initial(language)
    if heads and not _unrelated(seg, language):
        i = max(len(found[0][1].stem) if found else 0, _SV_MIN_LEFT)
        while i < len(seg) - 2:
            head = next((p for p in heads.get(seg[i], ()) if seg.startswith(p[0], i)), None)
            if head is None:
                i += 1
                continue
            found.append((i, head[1]))
            i += len(head[0])
    return found


def analyse(text: str, language: str = "auto") -> Analysis:
    """Find masculine- and feminine-coded words in a job ad.

    ``language``: ``"auto"`` (detected), ``"sv"`` or ``"en"``. Returns an :class:`Analysis` with the hits
    (positions in the NFC-normalised text; each counted, in another sense, or duty wording), counts,
    ``score`` (masculine − feminine), the calibrated ``verdict``,
    ``suggestions()``, ``report()`` and ``to_html()``. Raises InputError for empty text or an unknown language.
    """
    if not isinstance(text, str):
        raise InputError(f"The job ad must be text (a str), not {type(text).__name__}.")
    if language not in ("auto", *LANGUAGES):
        raise InputError(f"language must be 'auto', 'sv' or 'en', not {language!r}.")
    norm = _normalise(text)
    lang = detect_language(norm) if language == "auto" else language
    if not _WORD_RE.search(norm):
        raise InputError("The job ad is empty (no words found). Paste the ad's text, or give a file that contains it.")
    stems = word_lists(lang)
    nfc = unicodedata.normalize("NFC", text)
    # sense from context: every rule's matches, "other sense" first (a name or a technical sense wins over
    # a duty reading); case-sensitive rules (capitalised names) look at the ad as written
    ruled = sorted(((m.start(), m.end(), r.kind, r.label) for r in context_rules(lang)
                    for m in r.pattern.finditer(nfc if r.case_sensitive else norm)),
                   key=lambda x: x[2] != "other")
    hits, n_words = [], 0
    addresses = [(a.start(), a.end()) for a in _ADDRESS_RE.finditer(norm)]
    for m in _WORD_RE.finditer(norm):
        if any(a <= m.start() < b for a, b in addresses):
            continue
        n_words += 1
        token = m.group()
        parts = list(_LETTERS_RE.finditer(token))
        found = _match_segment("".join(p.group() for p in parts), stems, lang) if len(parts) > 1 else []
        # the joined word counts only if a match reaches past the first part ("self-confident",
        # "co-operative", "team-ledare"); "leaders-united" (a dash typed as a hyphen) is two words
        first = len(parts[0].group())
        found = found if any(off + len(s.stem) > first or off >= first for off, s in found) else []
        if found:  # the whole hyphenated word matched
            letters = [i for p in parts for i in range(p.start(), p.end())]  # joined position -> token position
            spans = [(m.start() + letters[off], m.end(), m.start(), s) for off, s in found]
        else:
            spans = []
            for p in parts:
                pos = m.start() + p.start()
                for off, s in _match_segment(p.group(), stems, lang):
                    spans.append((pos + off, pos + len(p.group()), pos, s))
        for start, end, word_start, s in spans:
            rule = next(((kind, why) for a, b, kind, why in ruled if a < end and start < b), None)
            hits.append(Hit(start, end, nfc[word_start:end], s.stem, s.coding, counted=rule is None,
                            other_sense=rule[1] if rule else "", duty=bool(rule) and rule[0] == "duty"))
    return Analysis(text=nfc, language=lang, n_words=n_words, hits=hits)


# --------------------------------------------------------------------------- example ads (fictional firms)

_WRAPPED_ADS = {
    "sv": """CNC-operatör till Norrmek AB i Skellefteå (fiktivt exempel)

Vi är en ledande underleverantör av bearbetade detaljer till gruv- och fordonsindustrin. Nu söker vi en driven
och självständig CNC-operatör som vill ta nästa steg.

Om dig: Du är en självgående person med stark drivkraft och ett analytiskt sinne. Du har ett gott
självförtroende, fattar snabba beslut och trivs i ett högt tempo där du ständigt utmanas. Meriterande är
erfarenhet av fleroperationsmaskiner, svarvning i varmvalsat stål och programmering i Mazatrol.

Vi erbjuder: Kollektivavtal, friskvårdsbidrag och ett gäng som kämpar tillsammans. Lön enligt
överenskommelse, beroende på erfarenhet. Ansök senast 31 januari.""",
    "sv_rewritten": """CNC-operatör till Norrmek AB i Skellefteå (fiktivt exempel)

Vi tillverkar bearbetade detaljer till gruv- och fordonsindustrin. Nu söker vi en CNC-operatör som vill lära
sig mer och utvecklas hos oss.

Om dig: Du kan planera ditt eget arbete, är noggrann och gillar att lösa problem. Erfarenhet av
fleroperationsmaskiner och svarvning i varmvalsat stål är meriterande, liksom programmering i Mazatrol.
Det du inte redan kan lär vi dig.

Vi erbjuder: Kollektivavtal, dagtid eller skift efter önskemål, friskvårdsbidrag och en introduktion med en
fadder. Vi välkomnar sökande oavsett kön, bakgrund och ålder. Ansök senast 31 januari.""",
    "en": """Welder / Fabricator – Nordic Steelworks Ltd (fictional example)

We are a dominant player in heavy steel fabrication and we're looking for an aggressive, competitive welder
who thrives under pressure. You are a confident, self-reliant individual with strong leadership potential who
can decide fast and take charge on the shop floor.

Requirements: MIG/MAG and TIG welding of carbon steel and stainless; reading drawings; understanding of yield
strength and weld preparation. Short lead times are part of daily life.

We offer a competitive salary, a collective agreement and a supportive team. Apply by 31 January.""",
}
# One line per paragraph, as an ad pasted from a web page would be (the source above is wrapped for reading).
EXAMPLE_ADS = {key: re.sub(r"(?<!\n)\n(?!\n)", " ", ad) for key, ad in _WRAPPED_ADS.items()}


def read_ad(source: str | Path | bytes) -> str:
    """The text of a job ad from a file path or raw bytes: UTF-8 (with or without BOM), else Windows-1252.

    Swedish ads saved on Windows are often Windows-1252; reading them as UTF-8 would fail or garble å/ä/ö.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise InputError(f"No such file: {path}. Give the path of a text file with the ad, or paste the text.")
        source = path.read_bytes()
    try:
        return bytes(source).decode("utf-8-sig")
    except UnicodeDecodeError:
        return bytes(source).decode("cp1252", errors="replace")


# --------------------------------------------------------------------------- widget


def analyser_widget(text: str = "", language: str = "auto"):
    """An ipywidgets tool: paste an ad, pick the language (or auto), see highlights, counts and suggestions."""
    import ipywidgets as w

    area = w.Textarea(value=text, placeholder="Klistra in annonsen här / paste the job ad here",
                      layout=w.Layout(width="100%", height="180px"), description="Annons / ad")
    lang = w.Dropdown(options=[("auto", "auto"), ("svenska", "sv"), ("English", "en")], value=language,
                      description="Språk / language")
    ui = w.ToggleButtons(options=[("svenska", "sv"), ("English", "en")], value="sv" if language != "en" else "en",
                         description="Rapport / report")
    upload = w.FileUpload(accept=".txt", multiple=False, description="Fil / file (.txt)")
    out = w.HTML()

    def load(change):
        files = change["new"]
        if files:
            area.value = read_ad(files[0]["content"].tobytes() if hasattr(files[0]["content"], "tobytes")
                                 else files[0]["content"])

    def update(_=None):
        if not area.value.strip():
            out.value = "<p><em>Klistra in en annons / paste a job ad.</em></p>"
            return
        try:
            out.value = analyse(area.value, lang.value).to_html(ui.value)
        except InputError as err:
            out.value = f"<p role='alert'><strong>{html.escape(str(err))}</strong></p>"

    for control in (area, lang, ui):
        control.observe(update, names="value")
    upload.observe(load, names="value")
    area.continuous_update = False
    update()
    return w.VBox([area, w.HBox([lang, ui, upload]), out])



# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """``indi-jobad [FILE|-] [--lang auto|sv|en] [--ui sv|en] [--html OUT] [--json]``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="indi-jobad",
        description="Highlight masculine- and feminine-coded words in a job ad (Swedish or English). "
                    "A prompt to reflect, not a verdict.")
    parser.add_argument("file", nargs="?", default="-", help="text file with the ad ('-' or nothing: read stdin)")
    parser.add_argument("--text", help="the ad as a string instead of a file")
    parser.add_argument("--lang", default="auto", choices=["auto", *LANGUAGES], help="language of the ad")
    parser.add_argument("--ui", choices=LANGUAGES, help="language of the report (default: the ad's)")
    parser.add_argument("--html", metavar="OUT", help="also write the highlighted ad as an HTML file")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON instead of a report")
    args = parser.parse_args(argv)
    try:
        if args.text is not None:
            text = args.text
        elif args.file == "-":
            text = sys.stdin.read()
        else:
            text = read_ad(args.file)
        result = analyse(text, args.lang)
    except InputError as err:
        print(f"indi-jobad: {err}", file=sys.stderr)
        return 2
    if args.json:
        data = result.summary(args.ui)
        data["hits"] = [{"word": h.word, "stem": h.stem, "coding": h.coding, "counted": h.counted,
                         "kind": h.kind, "other_sense": h.other_sense, "start": h.start, "end": h.end}
                        for h in result.hits]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(result.report(args.ui))
    if args.html:
        page = (f'<!DOCTYPE html>\n<html lang="{result.language}"><head><meta charset="utf-8">'
                "<title>indi-jobad</title></head><body>\n" + result.to_html(args.ui) + "\n</body></html>\n")
        Path(args.html).write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
