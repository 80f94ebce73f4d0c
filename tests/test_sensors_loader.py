"""The "your own machine" CSV loader of Lab 2 (indi.sensors.load_machine_csv): the documented schema is
accepted, and every expected mistake raises an InputError that names the column (and the fix)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indi import sensors
from indi.errors import InputError

FIX = Path(__file__).parent / "fixtures" / "sensors"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "machine.csv"
    path.write_text(text)
    return path


def test_good_file_loads_with_units_cutting_time_and_filled_gap():
    df = sensors.load_machine_csv(FIX / "machine_good.csv")
    assert len(df) == 8
    assert df.attrs["signals"] == ["spindle_power_kW", "x_current_A", "vibration_g"]
    assert df.attrs["units"]["spindle_power_kW"] == "kW" and df.attrs["units"]["wear_um"] == "µm"
    t1 = df[df["tool_id"] == "T1"]
    # ISO timestamps become seconds; cutting time restarts at 0 for each tool
    assert list(t1["cut_time_s"]) == [0, 10, 20, 30, 40]
    assert list(df.loc[df["tool_id"] == "T2", "cut_time_s"]) == [0, 10, 20]
    # the single empty power cell is interpolated between its neighbours (5.2, 5.6)
    assert t1["spindle_power_kW"].iloc[2] == pytest.approx(5.4)
    # wear stays sparse: not measured is not zero
    assert t1["wear_um"].notna().sum() == 2


def test_schema_text_names_every_required_column_and_unit():
    for word in ("timestamp", "tool_id", "wear_um", "kW", "mm_s", "µm"):
        assert word in sensors.MACHINE_CSV_SCHEMA


def test_misnamed_tool_column_is_named_with_a_suggestion():
    with pytest.raises(InputError, match=r"'tool_id' is missing.*Did you mean 'tool'"):
        sensors.load_machine_csv(FIX / "machine_misnamed_tool.csv")


def test_wear_in_millimetres_is_caught():
    with pytest.raises(InputError, match=r"'wear_um'.*millimetres.*1000"):
        sensors.load_machine_csv(FIX / "machine_wear_in_mm.csv")


def test_wear_column_with_mm_unit_is_named():
    text = (FIX / "machine_good.csv").read_text().replace("wear_um", "wear_mm")
    with pytest.raises(InputError, match=r"column 'wear_mm'.*micrometres.*multiply by 1000"):
        sensors.load_machine_csv(pd.io.common.StringIO(text))


def test_long_run_of_empty_cells_names_column_tool_and_lines():
    with pytest.raises(InputError, match=r"column 'x_current_A': 7 empty cells in a row for tool 'T1' "
                                         r"\(file lines 3–9\)"):
        sensors.load_machine_csv(FIX / "machine_nan_run.csv")
    # allowed when the limit is raised: the run is interpolated
    df = sensors.load_machine_csv(FIX / "machine_nan_run.csv", max_gap=7)
    assert np.allclose(df["x_current_A"], np.linspace(12.0, 12.8, 9))


def test_signal_without_unit_is_named(tmp_path):
    path = _write(tmp_path, "timestamp,tool_id,spindle_power\n0,A,1\n1,A,2\n")
    with pytest.raises(InputError, match=r"column 'spindle_power' has no unit"):
        sensors.load_machine_csv(path)


def test_non_number_names_column_and_line(tmp_path):
    path = _write(tmp_path, "timestamp,tool_id,spindle_load_pct\n0,A,41\n1,A,\"42,5\"\n")
    with pytest.raises(InputError, match=r"column 'spindle_load_pct': '42,5' on file line 3 is not a number"):
        sensors.load_machine_csv(path)


def test_bad_timestamp_and_repeated_time(tmp_path):
    with pytest.raises(InputError, match=r"column 'timestamp': 'yesterday' on file line 3"):
        sensors.load_machine_csv(_write(tmp_path, "timestamp,tool_id,a_kW\n2026-01-01T00:00:00,A,1\nyesterday,A,2\n"))
    with pytest.raises(InputError, match=r"tool 'A' has the same time twice \(file line 3\)"):
        sensors.load_machine_csv(_write(tmp_path, "timestamp,tool_id,a_kW\n5,A,1\n5,A,2\n"))


def test_missing_tool_id_cells_and_no_signals(tmp_path):
    with pytest.raises(InputError, match=r"'tool_id' is empty in file line\(s\) \[3\]"):
        sensors.load_machine_csv(_write(tmp_path, "timestamp,tool_id,a_kW\n0,A,1\n1,,2\n"))
    with pytest.raises(InputError, match="no signal columns"):
        sensors.load_machine_csv(_write(tmp_path, "timestamp,tool_id,wear_um\n0,A,1\n"))


def test_missing_file_and_empty_signal(tmp_path):
    with pytest.raises(InputError, match="no file at"):
        sensors.load_machine_csv(tmp_path / "nope.csv")
    with pytest.raises(InputError, match=r"column 'b_A' is empty for tool 'A'"):
        sensors.load_machine_csv(_write(tmp_path, "timestamp,tool_id,a_kW,b_A\n0,A,1,\n1,A,2,\n"))


def test_rows_are_sorted_by_tool_and_time(tmp_path):
    path = _write(tmp_path, "timestamp,tool_id,a_kW\n20,B,3\n10,A,2\n0,A,1\n10,B,4\n")
    df = sensors.load_machine_csv(path)
    assert list(df["tool_id"]) == ["A", "A", "B", "B"]
    assert list(df["a_kW"]) == [1, 2, 4, 3]
    assert list(df["cut_time_s"]) == [0, 10, 0, 10]
