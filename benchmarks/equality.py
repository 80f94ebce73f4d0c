"""Job-ad analyser: speed, and how many wrong counts it avoids compared with plain prefix matching.

The labelled sentences below are typical of metalworking ads. Each has the number of words a careful
reader would count as gender-coded *about people*. "Plain prefix" is gender-decoder's rule (every stem
is a prefix of a whole word, no technical senses, no compounds), applied to the same word lists.
"""

from __future__ import annotations

import re
import time

from indi.equality import EXAMPLE_ADS, analyse, word_lists

LABELLED = [  # (language, sentence, coded words about people)
    ("sv", "Vi bearbetar varmvalsad och varmförzinkad plåt.", 0),
    ("sv", "Tystgående maskiner och nya drivaxlar.", 0),
    ("sv", "Byt stödben och stödrullar vid behov.", 0),
    ("sv", "Vassa verktyg och skär hanteras varsamt.", 0),
    ("sv", "Kopparskenan är en elektrisk ledare.", 0),
    ("sv", "Lön beroende på erfarenhet, tjänsten inkluderar resor.", 0),
    ("sv", "Vi bygger på ömsesidig respekt.", 0),
    ("sv", "Du har god ledarskapsförmåga och blir teamledare med kundansvar.", 3),
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


def _plain_prefix_count(text: str, language: str) -> int:
    stems = [s.stem for s in word_lists(language)]
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sum(any(w.startswith(s) for s in stems) for w in words)


def run() -> dict[str, float]:
    ads = list(EXAMPLE_ADS.values())
    analyse(ads[0])  # load the word lists once
    reps = 50
    t0 = time.perf_counter()
    for _ in range(reps):
        for ad in ads:
            analyse(ad)
    per_ad_ms = (time.perf_counter() - t0) / (reps * len(ads)) * 1000
    ours = sum(analyse(t, lang).masculine_count + analyse(t, lang).feminine_count == n for lang, t, n in LABELLED)
    plain = sum(_plain_prefix_count(t, lang) == n for lang, t, n in LABELLED)
    return {
        "equality.analyse_ms_per_ad": round(per_ad_ms, 2),
        "equality.labelled_sentences": len(LABELLED),
        "equality.correct_count_share": round(ours / len(LABELLED), 3),
        "equality.plain_prefix_correct_share": round(plain / len(LABELLED), 3),
        "equality.stems_sv": len(word_lists("sv")),
        "equality.stems_en": len(word_lists("en")),
    }


if __name__ == "__main__":
    print(run())
