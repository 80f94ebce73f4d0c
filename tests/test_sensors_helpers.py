"""Lab 2 helpers in indi.sensors on small inputs: features, leave-one-tool-out evaluation, the time-only
baseline, policies, health states and the detector, the widget, and the lab notebook's structure."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression

from indi import sensors
from indi.errors import InputError

REPO = Path(__file__).resolve().parents[1]
LAB = REPO / "labs" / "sensor_analytics" / "sensor_analytics.ipynb"


def test_signal_families_of_turning_columns():
    assert sensors.signal_family("TV50.S_RMS") == "controller"
    assert sensors.signal_family("CON.G.FREAL") == "controller"
    assert sensors.signal_family("CV3.Z_MAX") == "controller"
    assert sensors.signal_family("F_c_RMS") == "sensor"
    assert sensors.signal_family("Iu_s_RMS") == "sensor"  # measured with added probes, not the controller
    assert sensors.signal_family("Vb") == "other"
    df = pd.DataFrame({"tool": [1], "Vb": [0.0], "TV2.S_MEAN": [1.0], "AE_RMS": [2.0], "CV3.X_SK": [np.nan]})
    assert sensors.feature_columns(df) == ["TV2.S_MEAN", "AE_RMS"]
    assert sensors.feature_columns(df, "controller") == ["TV2.S_MEAN"]
    with pytest.raises(InputError):
        sensors.feature_columns(df, "vibration")


def test_rolling_features_of_a_sine_and_a_square_wave():
    t = np.arange(4000) / 1000
    f = sensors.rolling_features(pd.Series(2 * np.sin(2 * np.pi * 50 * t)), window=1000)
    last = f.iloc[-1]
    assert last["rms"] == pytest.approx(np.sqrt(2), rel=1e-3)
    assert last["peak"] == pytest.approx(2, rel=1e-3)
    assert last["crest_factor"] == pytest.approx(np.sqrt(2), rel=1e-3)
    assert last["kurtosis"] == pytest.approx(-1.5, abs=0.01)
    sq = sensors.rolling_features(pd.Series(np.tile([1.0, -1.0], 50)), window=10).iloc[-1]
    assert sq["crest_factor"] == pytest.approx(1.0)
    assert not f.isna().any().any(), "the first rows are filled"


def test_cutting_time_counts_within_each_tool():
    df = pd.DataFrame({"tool": [7, 7, 8, 7, 8]})
    assert list(sensors.cutting_time_s(df)) == [0, 1, 0, 2, 1]
    assert list(sensors.cutting_time_s(df, step_s=0.5)) == [0, 0.5, 0, 1, 0.5]


def _toy_tools():
    # three tools, wear = 2 µm/s of cutting; a feature proportional to wear plus a tool-specific offset
    rows = []
    for tool, offset in [(1, 0.0), (2, 5.0), (3, -5.0)]:
        for s in range(20):
            rows.append({"tool": tool, "cut_time_s": float(s), "Vb": 2.0 * s, "feat": 2.0 * s + offset})
    return pd.DataFrame(rows)


def test_loto_predict_holds_each_tool_out():
    df = _toy_tools()
    pred = sensors.loto_predict(DummyRegressor(), df[["feat"]], df["Vb"], df["tool"], progress=False)
    # every tool has the same wear curve, so the held-out mean is the overall mean 19 µm
    assert np.allclose(pred, 19.0)
    lin = sensors.loto_predict(LinearRegression(), df[["feat"]], df["Vb"], df["tool"], progress=False)
    for tool in (1, 2, 3):
        held = (df["tool"] == tool).to_numpy()
        alone = LinearRegression().fit(df.loc[~held, ["feat"]], df.loc[~held, "Vb"]).predict(df.loc[held, ["feat"]])
        assert np.allclose(lin[held], alone), f"tool {tool} must be predicted by a model fitted without it"


def test_random_split_is_more_optimistic_than_leaving_tools_out():
    rng = np.random.default_rng(0)
    df = pd.concat([pd.DataFrame({"tool": k, "Vb": rng.normal(100 * k, 5, 40), "feat": k + rng.normal(0, 0.01, 40)})
                    for k in range(5)], ignore_index=True)
    from sklearn.neighbors import KNeighborsRegressor

    knn = KNeighborsRegressor(3)
    grouped = np.abs(sensors.loto_predict(knn, df[["feat"]], df["Vb"], df["tool"], progress=False) - df["Vb"]).mean()
    shuffled = np.abs(sensors.random_split_predict(knn, df[["feat"]], df["Vb"], progress=False) - df["Vb"]).mean()
    assert shuffled < grouped / 5


def test_time_baseline_is_isotonic_in_time():
    df = _toy_tools()
    pred = sensors.loto_time_baseline(df["cut_time_s"], df["Vb"], df["tool"])
    assert np.allclose(pred, df["Vb"])  # same curve for every tool: the clock is perfect here


def test_policy_accounting_waste_and_risk():
    df = _toy_tools()  # wear reaches 30 µm at 15 s on every tool
    res = sensors.evaluate_policy("p", df, {1: 10.0, 2: 18.0, 3: np.nan}, threshold=30.0)
    per = res.per_tool.set_index("tool")
    assert per.loc[1, "life_s"] == 15 and per.loc[1, "wasted_s"] == 5 and per.loc[1, "at_risk_s"] == 0
    assert per.loc[2, "at_risk_s"] == 3 and per.loc[2, "wasted_s"] == 0
    assert per.loc[3, "change_s"] == 19  # never changed: used to the end of the record
    assert res.late_tools == 2 and res.wasted_s == 5 and res.at_risk_s == 3 + 4
    # censored tools (never reach the limit) add no waste
    assert sensors.evaluate_policy("q", df, {1: 1.0, 2: 1.0, 3: 1.0}, threshold=1000).wasted_s == 0
    # a model predicting the truth, with a 10 µm margin, changes at 20 µm = 10 s
    times = sensors.model_change_times(df, df["Vb"], threshold=30, margin=10, smooth=1)
    assert times == {1: 10.0, 2: 10.0, 3: 10.0}
    table = sensors.policy_table([res])
    assert table.loc["p", "tools_changed_late"] == 2


def test_health_states_and_detector_flag_the_unusual():
    assert list(sensors.health_states([0, 149, 150, 300])) == ["healthy", "healthy", "degraded", "failed"]
    assert list(sensors.health_states([0.05, 0.1], limit=0.2)) == ["healthy", "degraded"]
    rng = np.random.default_rng(1)
    healthy = rng.normal(0, 1, (300, 4))
    det = sensors.fit_healthy_detector(healthy)
    inside = sensors.detector_scores(det, rng.normal(0, 1, (100, 4)))
    outside = sensors.detector_scores(det, rng.normal(0, 1, (100, 4)) + 6)
    assert np.median(outside) > 3 * np.median(inside)


def test_tool_relative_removes_each_tools_starting_level():
    df = pd.DataFrame({"tool": [1, 1, 1, 2, 2, 2], "a": [10.0, 10, 13, 50, 50, 51]})
    rel = sensors.tool_relative(df, ["a"], n_first=2)
    assert list(rel["a"]) == [0, 0, 3, 0, 0, 1]


def test_within_tool_correlation_ignores_between_tool_levels():
    df = _toy_tools()
    df["level"] = df["tool"] * 100.0  # tells tools apart, says nothing within a tool
    corr = sensors.within_tool_correlation(df, ["feat", "level"]).set_index("feature")
    assert corr.loc["feat", "rho"] == pytest.approx(1.0)
    assert np.isnan(corr.loc["level", "rho"])


def test_scrubber_widget_and_its_errors():
    import matplotlib

    matplotlib.use("Agg")
    df = _toy_tools()
    w = sensors.tool_life_scrubber(df, 2, ["feat"], pred=df["Vb"].to_numpy(), limit=30)
    slider = w.children[0]
    assert slider.min == 0 and slider.max == 19
    with pytest.raises(InputError, match="tool 9"):
        sensors.tool_life_scrubber(df, 9, ["feat"])
    with pytest.raises(InputError, match="nope"):
        sensors.tool_life_scrubber(df, 2, ["nope"])


def test_example_csv_round_trips_through_the_loader(tmp_path):
    path = sensors.example_machine_csv(tmp_path / "ex.csv")
    df = sensors.load_machine_csv(path)
    assert set(df["tool_id"]) == {"T3", "T10"}
    assert df.attrs["signals"] == ["spindle_power_kW", "spindle_current_A", "z_torque_Nm"]
    assert df["wear_um"].notna().sum() > 5


def test_lab_notebook_shape_points_and_hidden_tests():
    nb = nbformat.read(LAB, as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    auto = sum(m.get("points", 0) for m, c in zip(meta, nb.cells, strict=True) if m.get("grade") and c.cell_type == "code")
    manual = [m for m, c in zip(meta, nb.cells, strict=True) if m.get("grade") and c.cell_type == "markdown"]
    assert auto >= 10 and len(manual) >= 5
    test_cells = [c for m, c in zip(meta, nb.cells, strict=True) if m.get("grade") and c.cell_type == "code"]
    assert all("### BEGIN HIDDEN TESTS" in c.source for c in test_cells)
    # hidden tests use tools the visible tests do not (turning tools 3-7 are the visible ones)
    hidden = "".join(re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", "".join(c.source for c in test_cells), re.S))
    assert re.search(r"\b(9|1[0-6])\b", hidden)
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("What you will learn", "Time needed", "shop-floor story", "data in brief", "Key points",
                    "your own shop"):
        assert heading.lower() in text.lower(), heading
