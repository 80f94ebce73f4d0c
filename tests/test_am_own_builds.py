"""Lab 3: the 'your own builds' CSV loader accepts the documented schema and explains every mistake."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from indi import am
from indi.errors import InputError

FIX = Path(__file__).parent / "fixtures" / "am"


def test_documented_example_loads_with_units_and_energy_density():
    df = am.load_own_builds(FIX / "own_builds_ok.csv")
    assert len(df) == 3
    assert df["power_w"].dtype == float and df["density_pct"].dtype == float
    assert df.loc[0, "ved_j_mm3"] == pytest.approx(200 / (800 * 0.10 * 0.03))
    assert set(df["paper"]) == {"own"}
    assert df.loc[2, "notes"] == "lack of fusion seen"


def test_template_written_by_the_lab_round_trips(tmp_path):
    path = am.write_own_builds_template(tmp_path / "my_builds.csv")
    df = am.load_own_builds(path)
    assert list(df.columns[:6]) == am.OWN_BUILDS_REQUIRED
    assert len(df) == 4


def test_semicolon_and_decimal_comma_are_accepted():
    df = am.load_own_builds(FIX / "own_builds_semicolon_comma.csv")
    assert df["hatch_mm"].tolist() == [0.10, 0.12]
    assert df["density_pct"].tolist() == [99.62, 99.70]


def test_dataframe_and_text_buffer_inputs():
    df = pd.read_csv(FIX / "own_builds_ok.csv")
    assert len(am.load_own_builds(df)) == 3
    buffer = io.StringIO((FIX / "own_builds_ok.csv").read_text())
    assert len(am.load_own_builds(buffer)) == 3


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("own_builds_hatch_um.csv", "hatch_mm looks like µm"),
        ("own_builds_missing_column.csv", "speed_mm_s"),
        ("own_builds_text_value.csv", "line(s) [3]"),
        ("own_builds_fraction.csv", "looks like a fraction"),
    ],
)
def test_bad_files_give_a_message_that_names_the_fix(fixture, expected):
    with pytest.raises(InputError) as err:
        am.load_own_builds(FIX / fixture)
    assert expected in str(err.value)


def test_missing_column_message_suggests_the_unit_conversion():
    with pytest.raises(InputError, match="multiply m/s by 1000"):
        am.load_own_builds(FIX / "own_builds_missing_column.csv")


def test_out_of_range_value_names_the_line():
    df = pd.read_csv(FIX / "own_builds_ok.csv")
    df.loc[1, "power_w"] = 5000.0
    with pytest.raises(InputError, match=r"power_w .* line\(s\) \[3\]"):
        am.load_own_builds(df)


def test_empty_table_and_missing_file():
    header_only = io.StringIO(",".join(am.OWN_BUILDS_REQUIRED) + "\n")
    with pytest.raises(InputError, match="no rows"):
        am.load_own_builds(header_only)
    with pytest.raises(InputError, match="No file"):
        am.load_own_builds(FIX / "does_not_exist.csv")


def test_empty_material_is_refused():
    df = pd.read_csv(FIX / "own_builds_ok.csv")
    df["material"] = df["material"].astype(object)
    df.loc[0, "material"] = " "
    with pytest.raises(InputError, match="material"):
        am.load_own_builds(df)
