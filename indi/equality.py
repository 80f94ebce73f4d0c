"""Job-ad wording analyser (Swedish and English) and the equality module's small helpers.

The analyser finds masculine- and feminine-coded words in a job ad, using the word lists of
Gaucher, Friesen & Kay (2011) and gender-decoder (English) and gender-decoder's Swedish list, as
curated in ``datasets/cards/equality.md``. It is **a prompt to reflect, not a verdict**: a large
field study (Castilla & Rho 2023) found negligible effects of such wording on who applies.

    >>> from indi.equality import analyse
    >>> result = analyse("Vi söker en driven och självständig teamledare.")
    >>> result.language, result.masculine_count, result.verdict
    ('sv', 3, 'masculine-coded')

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
  "kundansvar", "resultatdriven").
* Words that merely begin with a stem but are unrelated (committee, kindergarten, ledamot, litauisk,
  ömsesidig …) are never hits. Known technical or set-phrase senses (lead time, yield strength,
  varmvalsad, tystgående, drivaxel, "beroende på" …) are reported as *other sense* and not counted.
* Each word counts once: the longest matching stem wins (so "dominant" is not counted twice).
"""

from __future__ import annotations

import html
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from indi.errors import InputError

__all__ = [
    "Hit",
    "Analysis",
    "analyse",
    "detect_language",
    "word_lists",
    "analyser_widget",
    "read_ad",
    "EXAMPLE_ADS",
    "Measure",
    "ActiveMeasuresPlan",
    "markdown_to_html",
    "QUIZ",
    "check_quiz",
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
                      "hungrig": "hungrig"}
_SV_MIN_LEFT = 3  # letters before a compound head: "teamledare", but not "reglad" (bolted) or "eldriven"

# Words that begin with a stem but have nothing to do with it: never hits.
_UNRELATED = {
    "en": ("committee", "kindergarten", "kindle", "kindling", "connecticut"),
    "sv": ("ledamot", "ledamöt", "litau", "litani", "gladiator", "ömse", "ömsom", "drivhus", "drivved",
           "drivor", "mildr", "överdriv", "bedriv", "dominikan", "domino", "socialdemokrat"),
}

# Technical senses and set phrases: reported as "other sense", not counted.
_OTHER_SENSE = {
    "en": [
        (r"\blead(?:-| )?(?:times?|free|acid|content|screws?|ingots?|frames?)\b|\bleaded\b", "lead (time/the metal)"),
        (r"\blead-(?:in|out)s?\b|\bleading edges?\b", "lead (tool path/cutting edge)"),
        (r"\b(?:plc|ladder|control|relay|programmable) logic\b|\blogic (?:controllers?|circuits?|gates?)\b",
         "logic (control systems)"),
        (r"\b(?:heat|pressure|temperature|moisture|time)(?:-| )sensitive\b"
         r"|\bsensitive (?:equipment|instruments?|parts|surfaces|components|data|information)\b",
         "sensitive (things, not people)"),
        (r"\byield (?:strength|stress|point|limit)s?\b|\b(?:material|process|first(?:-| )pass|production) yields?\b",
         "yield (material property / output)"),
        (r"\b(?:public |open )?tenders?\b(?= (?:documents?|process(?:es)?|procedures?|offers?|for)\b)"
         r"|\b(?:calls? for|submit(?:ting)?|public) tenders?\b|\btendering\b", "tender (a bid)"),
        (r"\b(?:clamping|cutting|press(?:ing)?|spindle|contact|holding|bending|axial|radial|feed|tensile|shear)"
         r" forces?\b|\bforce (?:sensors?|gauges?|measurements?|transducers?)\b", "force (physics)"),
        (r"\bconnectors?\b|\b(?:electrical|cable|pipe|hose|threaded|bolted) connections?\b", "connection (parts)"),
        (r"\bsupport (?:brackets?|arms?|legs?|rollers?|structures?|frames?|beams?)\b"
         r"|\b(?:technical|it|tool|customer|product) support\b", "support (parts or a service)"),
        (r"\bwarm(?:-| )(?:form(?:ing|ed)?|roll(?:ed|ing)|work(?:ing|ed)?|up)\b", "warm (process temperature)"),
        (r"\b(?:collective|framework|service|supply|purchase|purchasing|non-disclosure|confidentiality)"
         r" agreements?\b", "agreement (a contract)"),
        (r"\bobjectives\b|\b(?:the|our|main|key|primary) objective\b", "objective (a goal)"),
        (r"\bmarket shares?\b", "market share"),
        (r"\bfeel free\b", "set phrase"),
        (r"\b(?:all|any|some|this|that|what|every|these|those|other|different|various|same) kinds?\b"
         r"|\bkinds? of\b", "kind (a type)"),
        (r"\bdepend(?:s|ing)? (?:up)?on\b", "depending on"),
        (r"\bcompetitive (?:salary|salaries|pay|wages?|compensation|benefits|terms|prices?|pricing)\b",
         "competitive (about pay or prices)"),
        (r"\b(?:electrically|hydraulically|motor|belt|gear|chain|servo|battery|air)(?:-| )driven\b", "driven (machines)"),
    ],
    "sv": [
        (r"\bvarm(?:valsa|förzink|arbet|form|galvanis|hårdhet|press|smid|band|vals|hållfast)\w*", "varm (process)"),
        (r"\btystgående\w*|\btyst(?:are)? (?:drift|gång)\b", "tyst (maskiner)"),
        (r"\bstöd(?:ben|rull|list|bock|hjul|lager|plåt|konstruktion|bal|ytor|yta)\w*|\bmed stöd av\b"
         r"|\b(?:ekonomiskt|statligt|finansiellt) stöd\b", "stöd (teknik eller bidrag)"),
        (r"\bdriv(?:axl|axel|aggregat|lin|rem|system|enhet|motor|teknik|hjul|steg|ning|kedj|don|öl)\w*"
         r"|\b(?:el|batteri|hydraulik|hydrauliskt|motor|luft|tryckluft|diesel|servo|rem|kedje)-?driv\w*"
         r"|\b(?:hydrauliskt|elektriskt|mekaniskt|pneumatiskt) driv\w*", "driv (maskiner)"),
        (r"\belektrisk[at]? ledare\w*|\b(?:värme|ström|el|koppar|aluminium|alu)ledare\w*"
         r"|\b(?:elektriskt|termiskt|värme)ledande\b|\bledande (?:material|ytor?)\b|\b\w*avledare\w*",
         "ledare (elektrisk)"),
        (r"\bled(?:a|er|de) till\b", "leda till (orsaka)"),
        (r"\bplc-logik\w*", "logik (styrsystem)"),
        (r"\bkänslig\w* (?:utrustning|instrument|mätutrustning|material|detaljer|ytor|komponenter|uppgifter)\b",
         "känslig (om saker)"),
        (r"\bkraftig\w* (?:detaljer|maskiner|konstruktioner|gods|plåt|verktyg|stål|balkar)\b", "kraftig (om saker)"),
        (r"\bkraft(?:aggregat|verk|elektronik|överföring|försörjning|ledning|matning|kabel|givare|mätning)\w*",
         "kraft (el/mekanik)"),
        (r"\bvass(?:a|t|are)? (?:verktyg|skär|kant(?:er)?|hörn|borr|kniv(?:ar)?|eggar?)\b", "vass (verktyg)"),
        (r"\bsociala (?:avgifter|medier)\b|\bsocial(?:försäkring|tjänst|avgift)\w*", "social (avgifter, medier)"),
        (r"\bberoende på\b", "beroende på"),
        (r"\binklusive\b|\binkluder(?:ar|as|at|ade|ades)\b", "inklusive (omfattar)"),
        (r"\bförsvars(?:makt|industri|materiel|sektor|kund)\w*", "försvar (bransch)"),
        (r"\bbestämmelse\w*", "bestämmelser (regler)"),
        (r"\b(?:användar|miljö|underhålls|service|operatörs)vänlig\w*", "vänlig (om en produkt)"),
    ],
}

# Neutral alternatives: describe the task or the behaviour, not a trait. Keys are stems.
_ALTERNATIVES = {
    "en": {
        "active": ["involved", "takes part in"], "aggress": ["goal-oriented", "clear about goals"],
        "ambitio": ["motivated", "keen to develop"], "analy": ["good at solving problems", "curious about the data"],
        "assert": ["clear", "speaks up when something is wrong"], "challeng": ["varied", "new tasks"],
        "compet": ["skilled", "keen to improve"], "confident": ["secure in the role", "clear"],
        "decisive": ["makes well-founded choices"], "decid": ["choose", "settle"], "decide": ["choose"],
        "determin": ["committed to the result", "persevering"], "domina": ["well established", "strong in its niche"],
        "driven": ["motivated", "committed"], "force": ["energy"], "independen": ["can plan your own work"],
        "individual": ["person", "each of you"], "lead": ["coordinate", "guide", "be responsible for", "well established (about the firm)"],
        "logic": ["structured", "methodical"], "objective": ["fair", "fact-based"], "outspoken": ["clear", "open"],
        "persist": ["patient", "sees things through"], "selfconfiden": ["secure in the role"],
        "selfrelian": ["can work on your own"], "selfsufficien": ["can work on your own"],
        "superior": ["excellent", "high-quality"], "fearless": ["willing to try new ways"],
        "battle": ["work on", "tackle"], "fight": ["work against", "reduce"], "champion": ["promote", "support"],
        "headstrong": ["persistent"],
    },
    "sv": {
        "aggress": ["målmedveten", "tydlig"], "aktiv": ["delaktig", "tar initiativ"],
        "ambiti": ["motiverad", "vill utvecklas"], "analy": ["gillar att lösa problem", "strukturerad"],
        "autonom": ["kan planera ditt eget arbete"], "beslut": ["gör genomtänkta val"], "bestäm": ["tydlig"],
        "domin": ["väletablerad", "har en stark position"], "driva": ["motiverad", "tar initiativ"],
        "drive": ["motiverad", "tar initiativ"], "envis": ["uthållig", "ger inte upp i första taget"],
        "hungrig": ["nyfiken", "vill lära dig mer"], "individ": ["person", "medarbetare"],
        "intellekt": ["kunnig"], "intelligen": ["kunnig", "lär dig snabbt"], "kompetent": ["kunnig", "erfaren"],
        "kraft": ["energi"], "kämp": ["arbetar för", "bidrar till"], "leda": ["samordna", "planera teamets arbete", "väletablerad (om företaget)"],
        "ledare": ["samordnare", "teamansvarig"], "logik": ["struktur"], "logisk": ["strukturerad", "metodisk"],
        "modig": ["vågar pröva nya sätt"], "objektiv": ["saklig", "rättvis"],
        "självförtroende": ["trygghet i rollen"], "självgå": ["kan arbeta på egen hand"],
        "självständig": ["kan planera ditt eget arbete"], "självsäker": ["trygg"],
        "utman": ["varierande", "utvecklande"], "vass": ["skicklig", "kunnig"], "äventyr": ["nya uppgifter"],
        "förkämpe": ["verkar för"], "försvar": ["står för"], "tjurig": ["uthållig"], "tjurskall": ["uthållig"],
    },
}
_GENERIC_ADVICE = {
    "en": "Ask: is this a real requirement of the job? Describe the task or the behaviour instead of a trait.",
    "sv": "Fråga: är detta ett verkligt krav i jobbet? Beskriv uppgiften eller beteendet i stället för en egenskap.",
}


# --------------------------------------------------------------------------- word lists


def _normalise(text: str) -> str:
    """NFC, unified hyphens, lower case — with the same length as the NFC text (offsets stay valid)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join("-" if c in _HYPHENS else c for c in text)
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
    """The stems of one language, hyphens removed and duplicates merged, longest first."""
    if language not in LANGUAGES:
        raise InputError(f"language must be 'sv' or 'en' (or 'auto'), not {language!r}.")
    from indi.data import load_gendered_wording

    table = load_gendered_wording(language)
    stems: dict[str, _Stem] = {}
    for row in table.itertuples(index=False):
        key = row.stem.replace("-", "")
        if key in stems:
            continue
        if language == "en":
            exact = getattr(row, "paper_wildcard", "") == "no"
            rule = "exact" if exact else "prefix"
            forms = tuple(key + e for e in _EN_EXACT_ENDINGS) if exact else (key,)
        elif key in _SV_EXACT:
            rule, forms = "exact", _SV_EXACT[key]
        else:
            rule, forms = "prefix", (key, *_SV_VARIANTS.get(key, ()))
        stems[key] = _Stem(key, row.coding, rule, forms, row.note)
    return tuple(sorted(stems.values(), key=lambda s: -len(s.stem)))


# --------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class Hit:
    """One coded word in the ad: ``text[start:end]`` matched ``stem``."""

    start: int  # the highlighted part: the whole word, or the last part of a compound ("team|ledare")
    end: int
    word: str  # the whole word as written
    stem: str
    coding: str  # "masculine" or "feminine"
    counted: bool = True  # False: a technical sense or set phrase ("other sense")
    other_sense: str = ""  # why it was not counted


_LABELS = {
    "en": {"masculine": "masculine-coded", "feminine": "feminine-coded", "title": "Job-ad wording",
           "words": "words", "counted": "counted", "other": "other sense, not counted", "score": "score",
           "verdict": "reading", "suggest": "Suggested neutral alternatives", "none": "no coded words found",
           "caveat": "A prompt to reflect, not a verdict: field evidence on wording effects is mixed "
                     "(Gaucher et al. 2011; Castilla & Rho 2023).",
           "strongly masculine-coded": "strongly masculine-coded", "masculine-coded": "masculine-coded",
           "neutral": "neutral (balanced)", "strongly feminine-coded": "strongly feminine-coded",
           "feminine-coded": "feminine-coded", "empty": "neutral (no coded words)", "lang": "language"},
    "sv": {"masculine": "maskulint kodade", "feminine": "feminint kodade", "title": "Annonsens ordval",
           "words": "ord", "counted": "räknade", "other": "annan betydelse, räknas inte", "score": "poäng",
           "verdict": "läsning", "suggest": "Förslag på neutrala alternativ", "none": "inga kodade ord hittades",
           "caveat": "En uppmaning att reflektera, inte ett facit: forskningen om ordvalets effekt är "
                     "oenig (Gaucher m.fl. 2011; Castilla & Rho 2023).",
           "strongly masculine-coded": "starkt maskulint kodad", "masculine-coded": "maskulint kodad",
           "neutral": "neutral (balanserad)", "strongly feminine-coded": "starkt feminint kodad",
           "feminine-coded": "feminint kodad", "empty": "neutral (inga kodade ord)", "lang": "språk"},
}
_STYLE = {  # colour plus a border style and a letter, so the coding is not told by colour alone
    MASCULINE: "background:#ffe3a8;color:#000;border-bottom:3px solid #8a5a00",
    FEMININE: "background:#cfe6ff;color:#000;border-bottom:3px double #0b4f8a",
    "other": "background:#ececec;color:#000;border-bottom:2px dashed #555",
}


@dataclass
class Analysis:
    """The result of :func:`analyse`: hits with positions, counts, score, verdict and output helpers."""

    text: str  # the NFC-normalised ad (hit offsets refer to it)
    language: str
    n_words: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def counted(self) -> list[Hit]:
        return [h for h in self.hits if h.counted]

    @property
    def other_sense(self) -> list[Hit]:
        return [h for h in self.hits if not h.counted]

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
    def verdict(self) -> str:
        """One of: strongly masculine-coded, masculine-coded, neutral, feminine-coded, strongly feminine-coded, empty."""
        if not self.counted:
            return "empty"
        s = self.score
        if s == 0:
            return "neutral"
        strength = "strongly " if abs(s) > 3 else ""
        return f"{strength}{MASCULINE if s > 0 else FEMININE}-coded"

    def verdict_text(self, ui: str | None = None) -> str:
        return _LABELS[ui or self.language][self.verdict]

    def counts(self) -> pd.DataFrame:
        """One row per (coding, stem) with the words as written and how often they occur."""
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
        """For each coded stem found: the words as written and neutral alternatives (or general advice)."""
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
                "feminine": self.feminine_count, "other_sense": len(self.other_sense), "score": self.score,
                "balance": round(self.balance, 3), "verdict": self.verdict, "verdict_text": self.verdict_text(ui)}

    def report(self, ui: str | None = None) -> str:
        """A short plain-text report in Swedish or English (default: the ad's language)."""
        ui = ui or self.language
        L = _LABELS[ui]
        lines = [f"{L['title']} ({L['lang']}: {self.language}, {self.n_words} {L['words']})",
                 f"  {L['masculine']}: {self.masculine_count}   {L['feminine']}: {self.feminine_count}   "
                 f"{L['score']}: {self.score:+d}   {L['verdict']}: {self.verdict_text(ui)}"]
        for coding in (MASCULINE, FEMININE):
            words = [h.word for h in self.counted if h.coding == coding]
            if words:
                lines.append(f"  {L[coding]}: " + ", ".join(words))
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
            kind = h.coding if h.counted else "other"
            label = L[h.coding] + ("" if h.counted else f"; {L['other']}: {h.other_sense}")
            tag = letter[h.coding] if h.counted else "–"
            parts.append(f'<mark style="{_STYLE[kind]}" title="{html.escape(label)}">'
                         f"{html.escape(self.text[h.start:h.end])}<sup aria-hidden=\"true\">{tag}</sup>"
                         f'<span style="position:absolute;left:-9999px"> ({html.escape(label)})</span></mark>')
            pos = h.end
        parts.append(html.escape(self.text[pos:]))
        body = "".join(parts).replace("\n", "<br>\n")
        legend = (f'<mark style="{_STYLE[MASCULINE]}">M</mark> {L["masculine"]} ({self.masculine_count}) · '
                  f'<mark style="{_STYLE[FEMININE]}">F</mark> {L["feminine"]} ({self.feminine_count}) · '
                  f'<mark style="{_STYLE["other"]}">–</mark> {L["other"]} ({len(self.other_sense)})')
        sugg = "".join(f"<li><strong>{html.escape(', '.join(s['words']))}</strong> → "
                       f"{html.escape(', '.join(s['alternatives']) or s['advice'])}</li>"
                       for s in self.suggestions() if s["coding"] == MASCULINE)
        return (f'<div class="indi-jobad" lang="{self.language}">'
                f'<p style="line-height:1.9">{body}</p>'
                f"<p>{legend}</p>"
                f"<p><strong>{L['score']}: {self.score:+d} — {L['verdict']}: {html.escape(self.verdict_text(ui))}"
                f"</strong> ({self.n_words} {L['words']})</p>"
                + (f"<p>{L['suggest']}:</p><ul>{sugg}</ul>" if sugg else "")
                + f"<p><em>{html.escape(L['caveat'])}</em></p></div>")

    def _repr_html_(self) -> str:
        return self.to_html()


@cache
def _other_sense(language: str) -> tuple[tuple[re.Pattern, str], ...]:
    # a space in a pattern stands for any run of white space (ads wrap lines anywhere)
    return tuple((re.compile(p.replace(" ", r"\s+")), why) for p, why in _OTHER_SENSE[language])


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


def _match_segment(seg: str, stems: tuple[_Stem, ...], language: str) -> list[tuple[int, _Stem]]:
    """Matches in one word or word part: (offset in seg, stem). At most one prefix match, then compound heads."""
    found: list[tuple[int, _Stem]] = []
    for s in stems:  # longest first: the longest matching stem wins
        if _stem_matches_word(s, seg):
            if not _unrelated(seg, language, s.forms):
                found.append((0, s))
            break
    heads = _heads(language)
    if heads and not _unrelated(seg, language):
        i = max(len(found[0][1].stem) if found else 0, _SV_MIN_LEFT)
        while i < len(seg) - 2:
            head = next((p for p in heads if seg.startswith(p[0], i)), None)
            if head is None:
                i += 1
                continue
            found.append((i, head[1]))
            i += len(head[0])
    return found


def analyse(text: str, language: str = "auto") -> Analysis:
    """Find masculine- and feminine-coded words in a job ad.

    ``language``: ``"auto"`` (detected), ``"sv"`` or ``"en"``. Returns an :class:`Analysis` with the hits
    (positions in the NFC-normalised text), counts, ``score`` (masculine − feminine), ``verdict``,
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
    other = [(m.start(), m.end(), why) for pat, why in _other_sense(lang) for m in pat.finditer(norm)]
    nfc = unicodedata.normalize("NFC", text)
    hits, n_words = [], 0
    addresses = [(a.start(), a.end()) for a in _ADDRESS_RE.finditer(norm)]
    for m in _WORD_RE.finditer(norm):
        if any(a <= m.start() < b for a, b in addresses):
            continue
        n_words += 1
        token = m.group()
        parts = list(_LETTERS_RE.finditer(token))
        found = _match_segment("".join(p.group() for p in parts), stems, lang) if len(parts) > 1 else []
        if found:  # the whole hyphenated word matched ("self-confident", "co-operative")
            letters = [i for p in parts for i in range(p.start(), p.end())]  # joined position -> token position
            spans = [(m.start() + letters[off], m.end(), m.start(), s) for off, s in found]
        else:
            spans = []
            for p in parts:
                pos = m.start() + p.start()
                for off, s in _match_segment(p.group(), stems, lang):
                    spans.append((pos + off, pos + len(p.group()), pos, s))
        for start, end, word_start, s in spans:
            why = next((w for a, b, w in other if a < end and start < b), "")
            hits.append(Hit(start, end, nfc[word_start:end], s.stem, s.coding, counted=not why, other_sense=why))
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
        """What the law asks of a firm this size (3 kap. 2, 8, 12, 13 §§): (requirement, applies)."""
        sv = self.language == "sv"
        n = self.employees
        return [
            ("Arbeta med aktiva åtgärder i fyra steg, fortlöpande" if sv else
             "Work with active measures in four steps, continuously", True),
            ("Kartlägga och analysera lönerna varje år" if sv else "Survey and analyse pay every year", True),
            ("Dokumentera lönekartläggningen skriftligt (10 eller fler anställda)" if sv else
             "Document the pay survey in writing (10 or more employees)", n >= 10),
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
     "Försumbara effekter: ordval är en liten spak bland många.", "Negligible effects: wording is one small lever among many."),
    ("q3", "Vilka fyra steg har arbetet med aktiva åtgärder (3 kap. 2 §)?",
     "What are the four steps of active measures (ch. 3, § 2)?",
     {"a": "Undersöka, analysera, åtgärda, följa upp / Investigate, analyse, act, follow up",
      "b": "Rekrytera, utbilda, befordra, avveckla / Recruit, train, promote, dismiss",
      "c": "Planera, budgetera, rapportera, revidera / Plan, budget, report, audit"}, "a",
     "Undersöka risker, analysera orsaker, vidta åtgärder, följa upp och utvärdera.",
     "Investigate risks, analyse causes, take measures, follow up and evaluate."),
    ("q4", "Från hur många anställda måste lönekartläggningen dokumenteras skriftligt?",
     "From how many employees must the pay survey be documented in writing?",
     {"a": "5", "b": "10", "c": "25"}, "b",
     "10 eller fler anställda (räknat 1 januari). Alla arbetsgivare ska kartlägga lönerna varje år.",
     "10 or more employees (counted on 1 January). Every employer must survey pay every year."),
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
                         "other_sense": h.other_sense, "start": h.start, "end": h.end} for h in result.hits]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(result.report(args.ui))
    if args.html:
        page = markdown_to_html("", title="indi-jobad", lang=result.language).replace(
            "<body>\n", "<body>\n" + result.to_html(args.ui))
        Path(args.html).write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
