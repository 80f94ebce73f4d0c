"""The job-ad wording analyser (indi.equality): realistic ads in Swedish and English, and the edge cases
that decide what is counted (å/ä/ö, inflection, hyphens, compounds, unrelated words, technical senses)."""

from __future__ import annotations

import datetime
import unicodedata
from pathlib import Path

import pytest

from indi.data import load_gendered_wording
from indi.equality import (
    _ALTERNATIVES,
    EXAMPLE_ADS,
    InputError,
    analyse,
    analyser_widget,
    detect_language,
    read_ad,
    word_lists,
)

FIXTURES = Path(__file__).parent / "fixtures" / "equality"


def counted(text: str, language: str = "auto") -> dict[str, str]:
    """{word as written (lower case): coding} for the counted hits."""
    return {h.word.lower(): h.coding for h in analyse(text, language).counted}


def stems(text: str, language: str = "auto") -> list[str]:
    return [h.stem for h in analyse(text, language).counted]


# ------------------------------------------------------------------ realistic ads


def test_swedish_example_ad_is_strongly_masculine_and_lists_every_coded_word():
    r = analyse(EXAMPLE_ADS["sv"])
    assert r.language == "sv"
    words = {h.word.lower() for h in r.counted if h.coding == "masculine"}
    assert words == {"ledande", "driven", "självständig", "självgående", "drivkraft", "analytiskt",
                     "självförtroende", "beslut", "utmanas", "kämpar"}, words
    assert [h.word for h in r.counted if h.coding == "feminine"] == ["tillsammans"]
    # technical sense and a set phrase are shown but not counted
    assert {h.word for h in r.other_sense} == {"varmvalsat", "beroende"}
    assert (r.masculine_count, r.feminine_count, r.score) == (10, 1, 9)
    assert r.verdict == "strongly masculine-coded"
    assert r.verdict_text() == "starkt maskulint kodad"


def test_rewritten_swedish_ad_has_no_coded_words_left():
    r = analyse(EXAMPLE_ADS["sv_rewritten"])
    assert r.counted == [], [h.word for h in r.counted]
    assert r.verdict == "empty"
    assert r.n_words > 80, "the rewrite keeps the ad's content (about as many words)"


def test_english_example_ad():
    r = analyse(EXAMPLE_ADS["en"])
    assert r.language == "en"
    masc = [h.word for h in r.counted if h.coding == "masculine"]
    assert masc == ["dominant", "aggressive", "competitive", "confident", "self-reliant", "individual",
                    "leadership", "decide"], masc
    assert sorted(h.word for h in r.counted if h.coding == "feminine") == ["supportive", "understanding"]
    assert {h.other_sense for h in r.other_sense} >= {"yield (material property / output)", "lead (time/the metal)",
                                                      "competitive (about pay or prices)", "agreement (a contract)"}
    assert r.verdict == "strongly masculine-coded"


def test_technical_phrases_are_recognised_across_a_line_break():
    r = analyse("You know the yield\nstrength of S355 and keep lead\n  times short.", "en")
    assert r.counted == [] and [h.word for h in r.other_sense] == ["yield", "lead"]


def test_swedish_production_lead_ad_compounds_and_technical_words():
    r = analyse((FIXTURES / "ad_sv_produktionsledare.txt").read_text(encoding="utf-8"))
    assert r.language == "sv"
    c = counted(r.text)
    assert c["produktionsledare"] == "masculine" and c["arbetsledarna"] == "masculine"
    assert c["personalansvar"] == c["miljöansvar"] == c["samarbetsförmåga"] == "feminine"
    assert {h.word: h.other_sense for h in r.other_sense} == {"tystgående": "tyst (maskiner)",
                                                              "inkluderar": "inklusive (omfattar)"}
    assert (r.masculine_count, r.feminine_count) == (3, 6)
    assert r.verdict == "feminine-coded"


def test_english_maintenance_ad_machines_are_not_people():
    r = analyse((FIXTURES / "ad_en_maintenance.txt").read_text(encoding="utf-8"))
    assert r.language == "en"
    assert r.masculine_count == 0, [h.word for h in r.counted if h.coding == "masculine"]
    not_counted = {h.word.lower() for h in r.other_sense}
    assert {"driven", "connectors", "support", "forces", "agreement", "feel"} <= not_counted
    # "a kind and inclusive team" is about people; "any kind of question" is not
    kinds = [h for h in r.hits if h.stem == "kind"]
    assert [h.counted for h in kinds] == [True, False]
    assert {"committed", "honest", "together", "share", "responsible", "inclusive", "kind"} == set(counted(r.text))


def test_swedish_welder_ad_with_addresses_and_technical_words():
    r = analyse(read_ad(FIXTURES / "ad_sv_svetsare.txt"))
    assert r.language == "sv"
    assert [(h.word, h.coding) for h in r.counted] == [("ärlig", "feminine"), ("samarbeta", "feminine")]
    assert [h.word for h in r.other_sense] == ["varmförzinkade", "tystgående"]
    assert r.verdict == "feminine-coded"
    assert not any("lundqvists-exempel" in h.word for h in r.hits), "addresses are skipped"


def test_english_quality_engineer_ad():
    r = analyse(read_ad(FIXTURES / "ad_en_quality.txt"))
    assert r.language == "en"
    assert [h.word for h in r.counted if h.coding == "masculine"] == ["analyse", "lead", "analytical",
                                                                      "independent", "confident"]
    assert [h.word for h in r.counted if h.coding == "feminine"] == ["sharing", "warm"]
    assert {h.word for h in r.other_sense} == {"yield", "sensitive", "lead-free", "agreement"}
    assert (r.score, r.verdict) == (3, "masculine-coded")


# ------------------------------------------------------------------ language


@pytest.mark.parametrize("text, lang", [
    ("Vi söker en svetsare till vår verkstad.", "sv"),
    ("självständig ledare", "sv"),  # no function words: å/ä/ö decide
    ("We are looking for a welder to join our workshop.", "en"),
    ("Leader", "en"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_chosen_language_overrides_detection():
    assert analyse("driven", "sv").language == "sv" and stems("driven", "sv") == ["driva"]
    assert stems("driven", "en") == ["driven"]


@pytest.mark.parametrize("bad", ["", "   ", "1234 – 5678"])
def test_empty_ad_is_a_clear_input_error(bad):
    with pytest.raises(InputError, match="empty"):
        analyse(bad)


def test_unknown_language_is_a_clear_input_error():
    with pytest.raises(InputError, match="'sv' or 'en'"):
        analyse("Vi söker", "de")


# ------------------------------------------------------------------ Swedish letters, inflection, compounds


def test_a_ring_a_umlaut_o_umlaut_are_letters_not_folded():
    assert stems("Du är ärlig.") == ["ärlig"]
    assert stems("Årlig lönerevision.", "sv") == [], "årlig (yearly) is not ärlig (honest)"
    assert stems("Om du vill veta mer, ring oss.", "sv") == [], "om is not öm"
    assert stems("Du är öm och ömsint.", "sv") == ["öm", "öm"]


def test_decomposed_unicode_input_is_normalised_and_offsets_still_point_at_the_word():
    nfd = unicodedata.normalize("NFD", "Vi söker en självständig och ärlig svetsare.")
    r = analyse(nfd)
    assert [h.word for h in r.counted] == ["självständig", "ärlig"]
    assert all(r.text[h.start:h.end] == h.word for h in r.counted)


@pytest.mark.parametrize("word, stem", [
    ("självständigt", "självständig"), ("självständiga", "självständig"), ("analytiska", "analy"),
    ("utmanande", "utman"), ("beslutsam", "beslut"), ("ledde", "leda"), ("leder", "leda"),
    ("engagerade", "engage"), ("samarbetar", "samarbet"), ("ansvarsfull", "ansvar"), ("förkämpar", "förkämpe"),
])
def test_swedish_inflection(word, stem):
    assert stems(word, "sv") == [stem]


@pytest.mark.parametrize("word, stem", [
    ("ledarskapsförmåga", "ledare"), ("ledarroll", "ledare"), ("teamledare", "ledare"),
    ("arbetsledarutbildning", "ledare"), ("kundansvar", "ansvar"), ("resultatdriven", "drive"),
    ("kunskapshungrig", "hungrig"), ("familjevänlig", "vänlig"), ("drivkraft", "driva"),
])
def test_swedish_compounds(word, stem):
    assert stems(word, "sv") == [stem]


def test_a_compound_head_highlights_only_its_part_but_reports_the_whole_word():
    (hit,) = analyse("Vi söker en teamledare.").counted
    assert hit.word == "teamledare"
    assert analyse("Vi söker en teamledare.").text[hit.start:hit.end] == "ledare"


# ------------------------------------------------------------------ hyphens


@pytest.mark.parametrize("text", ["self-confident", "selfconfident", "self\u2011confident", "self\u00adconfident"])
def test_english_hyphen_variants_match_once(text):
    assert stems(f"You are {text}.", "en") == ["selfconfiden"]


def test_hyphenated_parts_are_tried_when_the_whole_word_does_not_match():
    assert stems("A data-driven team.", "en") == ["driven"]
    assert stems("co-operative and cooperative", "en") == ["cooperat", "cooperat"]
    assert stems("Du blir team-ledare.", "sv") == ["ledare"]
    # a Swedish suspended compound: "ledar- och samarbetsförmåga"
    assert stems("God ledar- och samarbetsförmåga.", "sv") == ["ledare", "samarbet"]


def test_a_word_hyphenated_across_a_line_break_is_one_word():
    assert stems("Du är själv-\nständig och ärlig.", "sv") == ["självständig", "ärlig"]
    assert stems("You are self-\n  confident.", "en") == ["selfconfiden"]


# ------------------------------------------------------------------ no false hits


def test_web_and_mail_addresses_are_not_read_as_words():
    r = analyse("Ansök på www.driven-verkstad.se eller mejla ledare@norrmek.se. Vi söker en ledare.", "sv")
    assert [h.word for h in r.hits] == ["ledare"] and r.hits[0].start > 60


@pytest.mark.parametrize("text, lang", [
    ("The committee meets monthly.", "en"),
    ("Kindergarten nearby.", "en"),
    ("You handle confidential drawings.", "en"),  # 'confident' is an exact word in the paper
    ("Vi bygger på ömsesidigt förtroende.", "sv"),
    ("Ömtåligt gods hanteras varsamt.", "sv"),
    ("Vi har litauiska kunder.", "sv"),
    ("Hon är styrelseledamot.", "sv"),
    ("En attraktiv arbetsplats.", "sv"),
    ("Vi bedriver verksamhet i Luleå.", "sv"),
    ("Kraven är inte överdrivna.", "sv"),
    ("Vi exporterar till Dominikanska republiken.", "sv"),
    ("Luckan är reglad under drift.", "sv"),
])
def test_no_false_hits_inside_unrelated_words(text, lang):
    r = analyse(text, lang)
    assert r.hits == [], [(h.word, h.stem) for h in r.hits]


@pytest.mark.parametrize("text, word", [
    ("Korta ledtider och varmförzinkade detaljer.", "varmförzinkade"),
    ("Vassa verktyg kräver försiktighet.", "Vassa"),
    ("Byt stödben och drivaxel.", "stödben"),
    ("En elektrisk ledare av koppar.", "ledare"),
    ("Montera överspänningsavledare i skåpet.", "överspänningsavledare"),
    ("Detta kan leda till stopp.", "leda"),
    ("Lead times are short.", "Lead"),
    ("We quote on public tenders for rail parts.", "tenders"),
    ("Measure the clamping force.", "force"),
    ("Program the lead-in move and check the leading edge.", "leading"),
    ("Experience of PLC logic and programmable logic controllers.", "logic"),
    ("Handle heat-sensitive parts and sensitive equipment.", "sensitive"),
    ("Du felsöker PLC-logik.", "logik"),
    ("Vi hanterar känslig mätutrustning och kraftiga balkar.", "känslig"),
])
def test_technical_senses_are_shown_but_not_counted(text, word):
    r = analyse(text)
    assert r.counted == [], [h.word for h in r.counted]
    assert word in [h.word for h in r.other_sense]


def test_each_word_counts_once_even_if_two_stems_match():
    # 'dominant' matches the stems 'domina' and 'dominant'; 'interpersonal' matches two as well
    assert stems("A dominant, interpersonal leader.", "en") == ["dominant", "interpersonal", "lead"]


# ------------------------------------------------------------------ word lists, score, output


def test_every_stem_in_the_data_is_used_once_without_hyphens():
    for lang in ("sv", "en"):
        data = {s.replace("-", "") for s in load_gendered_wording(lang)["stem"]}
        used = {s.stem for s in word_lists(lang)}
        assert used == data, data ^ used


@pytest.mark.parametrize("m, f, verdict", [
    (0, 0, "empty"), (1, 1, "neutral"), (2, 0, "masculine-coded"), (5, 0, "strongly masculine-coded"),
    (0, 2, "feminine-coded"), (1, 6, "strongly feminine-coded"),
])
def test_verdict_follows_the_score(m, f, verdict):
    text = " ".join(["ambitious"] * m + ["loyal"] * f) or "welder"
    r = analyse(text, "en")
    assert (r.masculine_count, r.feminine_count, r.verdict) == (m, f, verdict)
    assert -1 <= r.balance <= 1


def test_counts_table_groups_words_by_stem():
    table = analyse("Analytisk och analyserande, självständig.", "sv").counts()
    row = table[table.stem == "analy"].iloc[0]
    assert (row["count"], row["words"], row["coding"]) == (2, "Analytisk, analyserande", "masculine")


def test_alternatives_are_keyed_by_real_stems():
    for lang, table in _ALTERNATIVES.items():
        known = {s.stem for s in word_lists(lang)}
        assert set(table) <= known, f"{lang}: alternatives for unknown stems {sorted(set(table) - known)}"


def test_suggested_alternatives_are_not_masculine_coded_themselves():
    for lang, table in _ALTERNATIVES.items():
        for stem, alternatives in table.items():
            for alt in alternatives:
                r = analyse(alt, lang)
                assert r.masculine_count == 0, f"alternative {alt!r} for {stem!r} ({lang}) is itself masculine-coded"


def test_suggestions_for_the_example_ads():
    sugg = {s["stem"]: s for s in analyse(EXAMPLE_ADS["sv"]).suggestions()}
    assert "motiverad" in sugg["driva"]["alternatives"]
    assert sugg["självständig"]["words"] == ["självständig"]
    en = {s["stem"]: s for s in analyse(EXAMPLE_ADS["en"]).suggestions()}
    assert "secure in the role" in en["confident"]["alternatives"]
    assert all(s["advice"] for s in en.values())


def test_html_highlights_each_hit_and_escapes_the_ad():
    r = analyse("<b>Driven</b> & självständig & ärlig <script>", "sv")
    page = r.to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<mark") == len(r.hits) + 3  # plus the three legend marks
    assert 'title="maskulint kodade"' in page and 'title="feminint kodade"' in page
    assert "border-bottom:3px double" in page, "feminine hits differ by border style, not only colour"
    assert "masculine-coded" in r.to_html("en")


def test_report_in_both_languages():
    r = analyse(EXAMPLE_ADS["en"])
    assert "reading: strongly masculine-coded" in r.report()
    assert "läsning: starkt maskulint kodad" in r.report("sv")
    assert "Castilla & Rho 2023" in r.report()


def test_widget_updates_when_the_text_changes():
    box = analyser_widget()
    area, out = box.children[0], box.children[2]
    assert "mark" not in out.value
    area.value = "Vi söker en driven svetsare."
    assert "<mark" in out.value and "maskulint" in out.value
    box.children[1].children[1].value = "en"  # report language
    assert "masculine-coded" in out.value


def test_widget_loads_an_uploaded_windows_1252_file():
    box = analyser_widget()
    upload, out = box.children[1].children[2], box.children[2]
    upload.value = ({"name": "annons.txt", "type": "text/plain", "size": 40,
                     "last_modified": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                     "content": memoryview("Vi söker en självständig svetsare.".encode("cp1252"))},)
    assert box.children[0].value == "Vi söker en självständig svetsare."
    assert "självständig" in out.value and "<mark" in out.value


def test_read_ad_decodes_utf8_bom_and_windows_1252(tmp_path):
    text = "Självständig och ärlig svetsare sökes."
    for raw in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("cp1252")):
        f = tmp_path / "ad.txt"
        f.write_bytes(raw)
        assert read_ad(f) == text and read_ad(raw) == text
    with pytest.raises(InputError, match="No such file"):
        read_ad(tmp_path / "missing.txt")
