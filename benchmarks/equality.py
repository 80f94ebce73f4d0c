"""Job-ad analyser: speed, wrong counts avoided on typical sentences, and agreement with a careful reader on
real ads.

1. The labelled sentences below are typical of metalworking ads. Each has the number of words a careful
   reader would count as gender-coded *about people*. "Plain prefix" is gender-decoder's rule (every stem
   is a prefix of a whole word, no senses, no compounds), applied to the same word lists.
2. The corpus ``tests/fixtures/equality/ads/corpus.yaml`` holds real ads (source URL and licence per ad),
   labelled by a careful reading *before* the analyser ran on them: the words read as masculine- or
   feminine-coded in their coded sense, and how the whole ad reads. A word counts as found when the
   analyser counts the same word (as written) in the same class; precision and recall are per language and
   class; ``precision_min`` / ``recall_min`` are the lowest of them (classes without any labelled word
   have no recall, classes the analyser never predicted have no precision: those are left out).
   ``split`` marks "dev" ads (known while the context rules were written) and "held_out" ads (not):
   the ``held_out.*`` keys are the figures on the held-out ads alone.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import yaml

from indi.jobad import EXAMPLE_ADS, analyse, word_lists

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "equality" / "ads" / "corpus.yaml"
CLASSES = ("masculine", "feminine")

LABELLED = [  # (language, sentence, coded words about people)
    ("sv", "Vi bearbetar varmvalsad och varmförzinkad plåt.", 0),
    ("sv", "Tystgående maskiner och nya drivaxlar.", 0),
    ("sv", "Byt stödben och stödrullar vid behov.", 0),
    ("sv", "Vassa verktyg och skär hanteras varsamt.", 0),
    ("sv", "Kopparskenan är en elektrisk ledare.", 0),
    ("sv", "Lön beroende på erfarenhet, tjänsten inkluderar resor.", 0),
    ("sv", "Vi bygger på ömsesidig respekt.", 0),
    ("sv", "Du har god ledarskapsförmåga och blir teamledare med kundansvar.", 2),
    ("sv", "Du är självständig, driven och resultatdriven.", 3),
    ("sv", "Vi söker dig som är ärlig och engagerad.", 2),
    ("en", "Short lead times and leaded brass parts.", 0),
    ("en", "Know yield strength and clamping force.", 0),
    ("en", "Replace connectors and support brackets.", 0),
    ("en", "We bid on public tenders; confidential drawings.", 0),
    ("en", "A competitive salary and a collective agreement.", 0),
    ("en", "You are a confident, self-reliant leader.", 3),
    ("en", "A supportive, co-operative and honest team.", 3),
]


def load_corpus(path: Path = CORPUS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["ads"]


def reading(verdict: str) -> str:
    """The analyser's verdict in the reader's three classes: masculine, feminine or neither."""
    return next((c for c in CLASSES if verdict.endswith(f"{c}-coded")), "neither")


def corpus_counts(ads: list[dict]) -> dict[tuple[str, str], Counter]:
    """Per (language, class): labelled words (gold), words the analyser counted (predicted), words both
    found (tp), ads, and ads whose reading matched the reader's (agree; class "all")."""
    counts: dict[tuple[str, str], Counter] = {}
    for ad in ads:
        result = analyse(ad["text"], ad["language"])
        for c in CLASSES:
            found = Counter(h.word.lower() for h in result.counted if h.coding == c)
            labels = Counter(w.lower() for w in ad["labels"][c])
            n = counts.setdefault((ad["language"], c), Counter())
            n["tp"] += sum((found & labels).values())
            n["predicted"] += sum(found.values())
            n["gold"] += sum(labels.values())
        n = counts.setdefault((ad["language"], "all"), Counter())
        n["ads"] += 1
        n["agree"] += reading(result.verdict) == ad["labels"]["verdict"]
    return counts


def corpus_scores(ads: list[dict], prefix: str = "equality.") -> dict[str, float]:
    """Per-language and per-class precision and recall, their minimum, and verdict agreement."""
    counts = corpus_counts(ads)
    out: dict[str, float] = {f"{prefix}corpus_ads": len(ads)}
    precisions, recalls = [], []
    for lang in sorted({ad["language"] for ad in ads}):
        out[f"{prefix}corpus_ads_{lang}"] = counts[(lang, "all")]["ads"]
        for c in CLASSES:
            n = counts[(lang, c)]
            if n["predicted"]:
                precisions.append(round(n["tp"] / n["predicted"], 3))
                out[f"{prefix}precision_{lang}_{c}"] = precisions[-1]
            if n["gold"]:
                recalls.append(round(n["tp"] / n["gold"], 3))
                out[f"{prefix}recall_{lang}_{c}"] = recalls[-1]
            out[f"{prefix}labelled_words_{lang}_{c}"] = n["gold"]
    if precisions:
        out[f"{prefix}precision_min"] = min(precisions)
    if recalls:
        out[f"{prefix}recall_min"] = min(recalls)
    if ads:
        out[f"{prefix}verdict_agreement"] = round(sum(n["agree"] for n in counts.values()) / len(ads), 3)
    return out


def _plain_prefix_count(text: str, language: str) -> int:
    stems = [s.stem for s in word_lists(language)]
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sum(any(w.startswith(s) for s in stems) for w in words)


def run() -> dict[str, float]:
    ads = list(EXAMPLE_ADS.values())
    analyse(ads[0])  # load the word lists and rules once
    reps = 50
    t0 = time.perf_counter()
    for _ in range(reps):
        for ad in ads:
            analyse(ad)
    per_ad_ms = (time.perf_counter() - t0) / (reps * len(ads)) * 1000
    ours = sum(len(analyse(t, lang).counted) == n for lang, t, n in LABELLED)
    plain = sum(_plain_prefix_count(t, lang) == n for lang, t, n in LABELLED)
    corpus = load_corpus()
    return {
        "equality.analyse_ms_per_ad": round(per_ad_ms, 2),
        "equality.labelled_sentences": len(LABELLED),
        "equality.correct_count_share": round(ours / len(LABELLED), 3),
        "equality.plain_prefix_correct_share": round(plain / len(LABELLED), 3),
        "equality.stems_sv": len(word_lists("sv")),
        "equality.stems_en": len(word_lists("en")),
        **corpus_scores(corpus),
        **corpus_scores([ad for ad in corpus if ad["split"] == "held_out"], prefix="equality.held_out."),
    }


if __name__ == "__main__":
    print(run())
