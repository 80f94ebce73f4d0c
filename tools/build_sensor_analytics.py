"""Regenerate the nbgrader source of Lab 2, sensor analytics: labs/sensor_analytics/sensor_analytics.ipynb.

Run from the repository root:  .venv/bin/python tools/build_sensor_analytics.py
This script lives outside labs/ on purpose: nbgrader would otherwise release it (with the solutions).
Cells: md (text), code (given code), solution (student writes; ### BEGIN/END SOLUTION), tests (locked,
autograded; ### BEGIN/END HIDDEN TESTS for the grade), written (manually graded answers).
Visible tests use turning tools 3-7 (and milling W2/c1); hidden tests use other tools and toy data.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indi.authoring import code, md, save, solution, tests, written  # noqa: E402

OUT = ROOT / "labs" / "sensor_analytics" / "sensor_analytics.ipynb"

cells = []
add = cells.append

# ------------------------------------------------------------------------------------------ intro
add(md(r"""
# Lab 2 — Sensor analytics: when is the insert worn?

**What you will learn**
- read machining signals and wear measurements with their units, and find the data-quality traps;
- turn raw signals into features (RMS, peak, crest factor, kurtosis) and see which ones follow wear;
- test a wear model honestly, on **tools it has never seen**, and measure how much a random split flatters it;
- compare a wear model with a naive "cutting time only" rule, with the uncertainty of that comparison;
- turn predictions into a tool-change policy, and detect worn tools with a detector trained on healthy data only;
- load your own machine's data in a documented CSV format.

**Time needed:** about 4 hours (8 tasks of 20–40 minutes). The whole notebook runs in about a minute.

**How this lab is graded:** each task has a function or value to write. The visible tests under it tell you
whether you are on track; your teacher's grading adds hidden tests on other tools. Short written answers
(marked *YOUR ANSWER HERE*) are read and graded by your teacher. Write answers in English or Swedish.
"""))
add(md(r"""
## The shop-floor story

Karin runs the lathes and Ahmed the machining centres in a 30-person shop that turns and mills stainless
and titanium parts. Inserts are changed on a fixed schedule ("every 40 parts"), or when the operator hears
that the cut sounds wrong. Change too early and you throw away good carbide — and stop the machine more often.
Change too late and the surface finish and dimensions drift: parts are scrapped, or worse, shipped.

The machines already log spindle power, torque and motor currents in their CNC controllers. A vendor offers
add-on sensors (force plate, accelerometers, acoustic emission) for a five-figure sum per machine.
Two questions for this lab: **which signals tell wear**, and **does a shop that has only its controller's
data get most of the value?**
"""))
add(md(r"""
## The data in brief

**Turning** (Vicomtech 2024, raw data from Mondragon Unibertsitatea): 13 inserts (tool ids 3–16), each
followed from new until worn, recorded as 1-second segments: 2,054 rows × 154 columns.

| columns | what | units |
|---|---|---|
| `Vb` | flank wear of the insert, measured between passes and interpolated to every segment | µm |
| `tool` | insert id | – |
| `AE_*`, `Ax1_*` … `Az2_*`, `F_f/F_c/F_p_*`, `Micro_*` | **add-on sensors**: acoustic emission, two accelerometers, dynamometer forces (feed, cutting, radial), microphone | raw channel units (not stated upstream) |
| `Iu_s …`, `Vu_s …` | spindle / X-axis motor currents and voltages, measured with added probes | raw units |
| `TV50.S`, `TV51.S`, `TV2.*`, `CV3.*`, `CON.*` | **CNC controller signals**: spindle power, torques, motor currents, speeds, feed | controller units |

Each signal is summarised per segment by `_MEAN`, `_RMS`, `_MAX`, `_SK` (skewness) and `_KURT` (kurtosis).

**Milling** (Katulu "uniwear" 2022, merging the PHM 2010 data challenge and the NUAA Ideahouse set): 12 cutters,
about 2 samples per second: `force_z`, `vibration_x`, `vibration_y` (smoothed, units not stated; PHM 2010
originals are N and g) and `tool_wear` in **mm**. `c1`, `c4`, `c6`: stainless steel (PHM 2010);
`W1`–`W9`: titanium alloy TC4 (NUAA).

Licences: turning CC BY-SA 4.0 (Vicomtech), milling CC BY 4.0 (Katulu). Full data cards: `indi.data` and
the book's data page.
"""))
add(code(r"""
# One thread per numerical library: this machine has 2 cores and parallel tree fits fight over them.
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

threadpool_limits(1)

import indi  # noqa: F401  (short, clear error messages in this notebook)
from indi import sensors
from indi.data import load_milling_tool_wear, load_turning_tool_wear

turning_raw = load_turning_tool_wear()
milling = load_milling_tool_wear()
print(f"turning: {turning_raw.shape[0]:,} segments x {turning_raw.shape[1]} columns, "
      f"{turning_raw['tool'].nunique()} tools; milling: {len(milling):,} rows, "
      f"{milling['experiment_tag'].nunique()} cutters")
"""))

# ------------------------------------------------------------------------------------------ task 1
add(md(r"""
## Task 1 — Explore: signals, wear and data-quality traps (30 min)

Look before you model. The table below gives, per insert, the number of 1-s segments, the first and last
flank wear (µm) and how often wear goes *down* from one segment to the next (it should never: flank wear
does not heal).
"""))
add(code(r"""
summary = sensors.tool_summary(turning_raw)
summary
"""))
add(code(r"""
missing = turning_raw.isna().sum()
print("columns with missing values:\n", missing[missing > 0])
print("\nconstant columns:", [c for c in turning_raw.columns if turning_raw[c].nunique() <= 1])
"""))
add(md(r"""
### 1a. Prepare the turning data

Write `prepare_turning(df)`. It returns a **new** DataFrame (do not change `df`) that

1. drops every column that has any missing value (here the skewness and kurtosis of the X-axis current,
   undefined where that current is constant), and
2. adds a column `cut_time_s`: seconds of cutting since the insert's first segment. Segments are 1 s long,
   so it is 0, 1, 2, … counted **within each tool**, in the order of the rows.

Keep the rows in their order; keep `tool` and `Vb`.
*Hint:* `df.dropna(axis=1)`, `df.groupby("tool").cumcount()`.
"""))
add(solution(r'''
def prepare_turning(df):
    """Copy of the turning frame without columns holding NaN, plus cut_time_s (s since each tool's first row)."""
    ### BEGIN SOLUTION
    out = df.dropna(axis=1, how="any").copy()
    out["cut_time_s"] = out.groupby("tool").cumcount().astype(float)
    return out
    ### END SOLUTION
''', "prepare_turning"))
add(tests(r'''
prep = prepare_turning(turning_raw)
assert isinstance(prep, pd.DataFrame), "return a pandas DataFrame"
assert "CV3.X_SK" in turning_raw.columns, "do not change the input frame: work on a copy"
assert not prep.isna().any().any(), "there are still missing values: drop the columns that hold any"
assert "cut_time_s" in prep.columns, "add a column named cut_time_s"
assert prep.shape == (2054, 153), f"expected 2,054 rows and 154 - 2 + 1 = 153 columns, got {prep.shape}"
for tool in [3, 4, 5]:
    t = prep.loc[prep["tool"] == tool, "cut_time_s"].to_numpy()
    assert t[0] == 0, f"tool {tool}: cutting time starts at 0 s, got {t[0]}"
    assert np.all(np.diff(t) == 1), f"tool {tool}: cutting time grows by 1 s per segment"
print("prepare_turning looks right")
### BEGIN HIDDEN TESTS
for tool_h in [9, 12, 14, 16]:
    clock = prep["cut_time_s"][prep["tool"] == tool_h].to_numpy()
    assert clock[0] == 0 and clock[-1] == len(clock) - 1
assert list(prep["Vb"]) == list(turning_raw["Vb"])
toy = pd.DataFrame({"tool": [1, 2, 1, 2, 1], "a": [1.0, 2, 3, 4, 5], "b": [1.0, np.nan, 1, 1, 1],
                    "Vb": [0.0, 0, 5, 5, 9]})
got = prepare_turning(toy)
assert "b" not in got.columns and "a" in got.columns
assert list(got["cut_time_s"]) == [0, 0, 1, 1, 2]
### END HIDDEN TESTS
''', "test_prepare_turning", 2))
add(code(r"""
turning = prepare_turning(turning_raw)
VB_UNIT = "µm"
sensors.plot_wear_curves(turning, limit=300, unit=VB_UNIT)
plt.title("Turning: flank wear of each insert")
plt.show()
"""))
add(md(r"""
### 1b. Milling: wear that goes down

In the milling data, look at the column `decreasing_steps`: in most NUAA runs the wear *decreases* now and
then, by measurement scatter or the interpolation between measurements. Flank wear cannot decrease,
so a wear label that goes down teaches a model nonsense.

Write `monotone_wear(df, group_col, wear_col)`: a Series with the same index as `df` holding, for each row,
the **largest wear seen so far in its group** (running maximum within each cutter). Rows keep their order.
*Hint:* `groupby(...)[...].cummax()`.
"""))
add(code(r"""
sensors.tool_summary(milling, "experiment_tag", "tool_wear")
"""))
add(solution(r'''
def monotone_wear(df, group_col, wear_col):
    """Running maximum of wear_col within each group_col group (same index as df)."""
    ### BEGIN SOLUTION
    return df.groupby(group_col, sort=False)[wear_col].cummax()
    ### END SOLUTION
''', "monotone_wear"))
add(tests(r'''
fixed = monotone_wear(milling, "experiment_tag", "tool_wear")
assert isinstance(fixed, pd.Series), "return a pandas Series"
assert fixed.index.equals(milling.index), "keep the index (and order) of the input rows"
w2 = fixed[milling["experiment_tag"] == "W2"]
assert (w2.diff().dropna() >= 0).all(), "W2 still has decreasing wear: use a running maximum per cutter"
c1 = milling["experiment_tag"] == "c1"
assert np.allclose(fixed[c1], milling.loc[c1, "tool_wear"]), "c1 never decreases: it must stay unchanged"
assert (fixed >= milling["tool_wear"]).all(), "a running maximum is never below the measured value"
print("monotone_wear looks right")
### BEGIN HIDDEN TESTS
for tag in ["W4", "W8", "c6"]:
    run_h = milling.loc[milling["experiment_tag"] == tag, "tool_wear"]
    assert np.allclose(fixed[run_h.index], np.maximum.accumulate(run_h.to_numpy()))
toy = pd.DataFrame({"g": ["a", "b", "a", "b", "a"], "w": [1.0, 5, 0.5, 4, 2]})
assert list(monotone_wear(toy, "g", "w")) == [1.0, 5, 1.0, 5, 2]
### END HIDDEN TESTS
''', "test_monotone_wear", 2))
add(code(r"""
milling["wear_mm"] = monotone_wear(milling, "experiment_tag", "tool_wear")
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for ax, tags in zip(axes, [["c1", "c4", "c6"], ["W2", "W4", "W8"]]):
    for tag in tags:
        part = milling[milling["experiment_tag"] == tag]
        line, = ax.plot(part["timestamp"], part["tool_wear"], lw=0.6, alpha=0.5)
        ax.plot(part["timestamp"], part["wear_mm"], lw=1.5, color=line.get_color(), label=tag)
    ax.set(xlabel="cutting time (s)", ylabel="flank wear (mm)")
    ax.legend(frameon=False)
axes[0].set_title("PHM 2010, stainless steel")
axes[1].set_title("NUAA, titanium: thin = measured, thick = running max")
plt.show()
"""))
add(md(r"""
**Reflection 1 (data quality).** List the data-quality issues you found in the two data sets (at least
three: think of missing columns, inserts that are already worn in their first segment, wear that goes down,
units, the scales of the two milling sources). For each: what did you do (or would you do), and why?

Write your answer in the cell below (a few sentences).
"""))
add(written(r"""
*Model answer (teacher; the student release shows YOUR ANSWER HERE):* two turning columns (`CV3.X_SK/KURT`) are NaN in 571 rows — undefined statistics of a
constant current — dropped, since they carry no wear information there; tools 6, 9 and 14 start at
Vb = 39, 132 and 41 µm: they were used before, so "cutting time" underestimates their real time in cut —
keep them but expect the time-only baseline to be wrong for them (or shift their clock);
NUAA wear decreases — replaced by the running maximum because flank wear cannot heal (alternatively an
isotonic fit); units: Vb in µm, milling wear in mm, raw channels in unstated units, controller speeds in
internal units — never mix them without conversion; PHM 2010 and NUAA signals are ~20× apart in scale and
are different materials — model them separately or normalise per cutter.
""", "reflection_data_quality", 2))

# ------------------------------------------------------------------------------------------ task 2
add(md(r"""
## Task 2 — Features: which signals carry the wear? (40 min)

A raw signal sampled fast is summarised over a window (a second, a pass, a part) by a few numbers:

| feature | formula | what it tells |
|---|---|---|
| RMS | $\sqrt{\frac{1}{n}\sum x_i^2}$ | energy: force and power rise as the edge dulls |
| peak | $\max_i \lvert x_i \rvert$ | the largest excursion: chipping, impacts |
| crest factor | peak / RMS | spikiness: 1 for a square wave, √2 ≈ 1.41 for a sine |
| kurtosis (excess) | $\frac{\frac1n\sum (x_i-\bar x)^4}{\left(\frac1n\sum (x_i-\bar x)^2\right)^2} - 3$ | heavy tails: 0 for Gaussian noise, −1.5 for a sine, large for bursts |

The turning data already has these per 1-s segment. The milling data is a time series at about 2 Hz, so we
compute them over a sliding window.

Write `window_features(x)`: for one window of samples `x` (a 1-D array), return a dict with keys `"rms"`,
`"peak"`, `"crest_factor"` and `"kurtosis"` (excess kurtosis, population formula above).
"""))
add(solution(r'''
def window_features(x):
    """RMS, peak |x|, crest factor (peak/RMS) and excess kurtosis of one window of samples."""
    x = np.asarray(x, dtype=float)
    ### BEGIN SOLUTION
    rms = np.sqrt(np.mean(x ** 2))
    peak = np.max(np.abs(x))
    d = x - x.mean()
    kurt = np.mean(d ** 4) / np.mean(d ** 2) ** 2 - 3
    return {"rms": rms, "peak": peak, "crest_factor": peak / rms, "kurtosis": kurt}
    ### END SOLUTION
''', "window_features"))
add(tests(r'''
t = np.linspace(0, 1, 10_000, endpoint=False)
f = window_features(2.0 * np.sin(2 * np.pi * 50 * t))  # 50 Hz sine, amplitude 2
assert isinstance(f, dict), "return a dict"
assert set(f) >= {"rms", "peak", "crest_factor", "kurtosis"}, f"keys missing: {set(f)}"
assert abs(f["rms"] - 2 / np.sqrt(2)) < 1e-3, f"RMS of a sine of amplitude 2 is 2/√2 = 1.414, got {f['rms']:.3f}"
assert abs(f["peak"] - 2) < 1e-3, f"peak should be 2, got {f['peak']:.3f}"
assert abs(f["crest_factor"] - np.sqrt(2)) < 1e-3, f"crest factor of a sine is √2, got {f['crest_factor']:.3f}"
assert abs(f["kurtosis"] + 1.5) < 1e-2, f"excess kurtosis of a sine is -1.5, got {f['kurtosis']:.3f}"
print("window_features looks right")
### BEGIN HIDDEN TESTS
sq = window_features(np.tile([3.0, -3.0], 500))
assert abs(sq["rms"] - 3) < 1e-9 and abs(sq["crest_factor"] - 1) < 1e-9 and abs(sq["kurtosis"] + 2) < 1e-9
from scipy.stats import kurtosis as _kurt
rng = np.random.default_rng(4)
x = rng.standard_t(4, 500)
assert abs(window_features(x)["kurtosis"] - _kurt(x, fisher=True, bias=True)) < 1e-9
assert abs(window_features([0, 0, 0, 10, 0, 0, 0, 0])["peak"] - 10) < 1e-12
### END HIDDEN TESTS
''', "test_window_features", 2))
add(md(r"""
The course helper `sensors.rolling_features` computes the same four features over a sliding window with
pandas (fast). Below: the force and vibration features of the PHM 2010 cutter `c1` over a 30-s window
(60 samples) against its wear.
"""))
add(code(r"""
mill_feats = sensors.milling_features(milling, window=60)
c1 = milling["experiment_tag"] == "c1"
fig, axes = plt.subplots(2, 2, figsize=(11, 5), sharex=True)
for ax, col in zip(axes.flat, ["force_z_rms", "force_z_kurtosis", "vibration_x_rms", "vibration_y_crest_factor"]):
    ax.plot(mill_feats.loc[c1, "cut_time_s"], mill_feats.loc[c1, col], lw=0.8)
    ax.set_ylabel(col)
    ax2 = ax.twinx()
    ax2.plot(mill_feats.loc[c1, "cut_time_s"], milling.loc[c1, "wear_mm"], "k--", lw=1)
    ax2.set_ylabel("wear (mm)")
fig.supxlabel("cutting time (s)")
fig.suptitle("PHM 2010 cutter c1: features (blue) and flank wear (dashed)")
fig.tight_layout()
plt.show()
mill_corr = sensors.within_tool_correlation(pd.concat([mill_feats.drop(columns="cut_time_s"), milling], axis=1),
                                            [c for c in mill_feats.columns if c != "cut_time_s"],
                                            tool_col="experiment_tag", wear_col="wear_mm")
mill_corr.head(6)
"""))
add(md(r"""
Now the turning features. For each feature we compute the Spearman rank correlation with wear **within
each insert**, and take the median over the 13 inserts. Why within? The inserts were run at different
speeds and feeds: pooled over all inserts, a feature that only tells *which insert* it was would look related
to wear. Orange bars are CNC controller signals, blue bars add-on sensors.
"""))
add(code(r"""
corr = sensors.within_tool_correlation(turning, sensors.feature_columns(turning))
sensors.plot_feature_ranking(corr, top=20)
plt.show()
corr.groupby("family")["abs_rho"].describe()[["count", "mean", "max"]]
"""))
add(md(r"""
### 2b. The best controller signal

Set `best_controller_feature` to the **name** of the controller feature (family `"controller"`) with the
largest `abs_rho` in the table `corr` above — the single signal a shop without add-on sensors should look
at first. Compute it from `corr`, do not type it.
"""))
add(solution(r'''
### BEGIN SOLUTION
best_controller_feature = corr.loc[corr["family"] == "controller"].sort_values("abs_rho").iloc[-1]["feature"]
### END SOLUTION
print(best_controller_feature)
''', "best_controller"))
add(tests(r'''
assert isinstance(best_controller_feature, str), "give the column name as a string"
assert best_controller_feature in turning.columns, f"{best_controller_feature!r} is not a column of the data"
assert sensors.signal_family(best_controller_feature) == "controller", "that is not a controller signal"
### BEGIN HIDDEN TESTS
_c = sensors.within_tool_correlation(turning, sensors.feature_columns(turning, "controller"))
assert best_controller_feature == _c.iloc[0]["feature"]
### END HIDDEN TESTS
''', "test_best_controller", 1))
add(md(r"""
**Reflection 2 (signals).** Which kinds of signal follow wear most closely within an insert, and which hardly
at all? What does the ranking suggest about a shop that only has its controller's data? Why can a
high within-tool correlation still be a poor guide for predicting the wear of a *new* insert?

Write your answer in the cell below (a few sentences).
"""))
add(written(r"""
*Model answer (teacher; the student release shows YOUR ANSWER HERE):* the dynamometer forces follow wear almost perfectly within an insert (feed force
`F_f` ρ ≈ 1.0, radial and cutting force ≈ 0.9–0.99), then acoustic-emission counts (≈ 0.85); skewness and
kurtosis of the vibrations hardly move. The best controller signals — spindle electrical power `TV51.S`,
Z-axis torque and current — reach ρ ≈ 0.75: weaker than an added force plate, but there for free. But correlation within a tool says nothing about the
level: the same power reading means different wear at another speed/feed or material, so a model must
generalise across inserts — which Task 3 tests.
""", "reflection_signals", 2))

# ------------------------------------------------------------------------------------------ task 3
add(md(r"""
## Task 3 — Leakage: a random split flatters the model (30 min)

The 1-s segments of one insert are near-copies of their neighbours. If we shuffle rows into training and test
sets, the model is tested on segments whose neighbours it trained on: it "remembers" the insert instead of
learning wear. In the shop, the model will always meet a **new insert**. The honest test is
*leave-one-tool-out*: train on 12 inserts, predict the 13th, repeat for each insert.

Write `grouped_mae(model, X, y, groups)`: for each distinct value `g` of `groups`, fit a **fresh copy** of
`model` (`sklearn.base.clone(model)`) on the rows of the other groups and predict the rows of `g`. Return the
mean absolute error over **all rows** of these out-of-group predictions, as a float (in the units of `y`).
*Hint:* `sklearn.model_selection.LeaveOneGroupOut`, or a loop over `np.unique(groups)`.
"""))
add(solution(r'''
from sklearn.base import clone


def grouped_mae(model, X, y, groups):
    """Leave-one-group-out mean absolute error over all rows (units of y)."""
    X, y, groups = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(groups)
    ### BEGIN SOLUTION
    pred = np.empty(len(y))
    for g in np.unique(groups):
        test = groups == g
        pred[test] = clone(model).fit(X[~test], y[~test]).predict(X[test])
    return float(np.mean(np.abs(pred - y)))
    ### END SOLUTION
''', "grouped_mae"))
add(tests(r'''
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ridge = make_pipeline(StandardScaler(), Ridge(alpha=10.0))
ctrl_cols = sensors.feature_columns(turning, "controller")
few = turning[turning["tool"].isin([3, 4, 5, 6, 7])]
score = grouped_mae(ridge, few[ctrl_cols], few["Vb"], few["tool"])
assert isinstance(score, float), f"return a float, got {type(score).__name__}"
expected = np.mean(np.abs(sensors.loto_predict(ridge, few[ctrl_cols], few["Vb"], few["tool"], progress=False)
                          - few["Vb"]))
assert abs(score - expected) < 1e-6, f"expected {expected:.2f} µm on tools 3-7, got {score:.2f} µm"
print(f"leave-one-tool-out MAE on tools 3-7, controller signals, ridge: {score:.1f} µm")
### BEGIN HIDDEN TESTS
from sklearn.dummy import DummyRegressor
toy_y = np.array([0.0, 0, 10, 10, 20, 20])
toy_g = np.array([1, 1, 2, 2, 3, 3])
# hold out 1: mean of others 15 -> err 15; out 2: mean 10 -> 0; out 3: mean 5 -> 15; MAE = 10
assert abs(grouped_mae(DummyRegressor(), np.zeros((6, 1)), toy_y, toy_g) - 10.0) < 1e-12
other = turning[turning["tool"].isin([10, 11, 12, 13, 14, 15, 16])]
exp2 = np.mean(np.abs(sensors.loto_predict(ridge, other[ctrl_cols], other["Vb"], other["tool"], progress=False)
                      - other["Vb"]))
assert abs(grouped_mae(ridge, other[ctrl_cols], other["Vb"], other["tool"]) - exp2) < 1e-6
### END HIDDEN TESTS
''', "test_grouped_mae", 3))
add(md(r"""
Now the course's reference model — a random forest (60 trees) on **all** 150 features — tested both ways.
The helpers `sensors.loto_predict` and `sensors.random_split_predict` do what your `grouped_mae` does,
but return the predictions (we reuse them below). About 20 s.
"""))
add(code(r"""
ALL = sensors.feature_columns(turning)
CTRL = sensors.feature_columns(turning, "controller")
y, tools = turning["Vb"].to_numpy(), turning["tool"].to_numpy()
forest = sensors.reference_forest()
pred_all = sensors.loto_predict(forest, turning[ALL], y, tools, desc="forest, all features")
pred_random = sensors.random_split_predict(forest, turning[ALL], y)
mae_loto, mae_random = np.mean(np.abs(pred_all - y)), np.mean(np.abs(pred_random - y))
plt.figure(figsize=(5, 3))
plt.bar(["random row split\n(5-fold)", "leave one tool out"], [mae_random, mae_loto], color=["grey", "tab:blue"])
plt.ylabel(f"MAE of Vb ({VB_UNIT})")
plt.title(f"random split looks {mae_loto / mae_random:.1f}x better than it is")
plt.show()
"""))
add(md(r"""
**Reflection 3 (leakage).** In your own words: why is the random split so much more optimistic? A vendor
shows you "wear predicted within ±10 µm" on their demo data. What do you ask before you believe it?

Write your answer in the cell below (a few sentences).
"""))
add(written(r"""
*Model answer (teacher; the student release shows YOUR ANSWER HERE):* neighbouring 1-s segments of one insert are nearly identical, so with a random split
the model has seen the test insert at almost the same moment; it interpolates along that insert's own
curve instead of generalising. Ask: how were training and test data split — by tool / by job / by
machine or by row? Were the test tools, materials and cutting conditions unseen? What is the error of a
"cutting time only" baseline on the same split?
""", "reflection_leakage", 2))

# ------------------------------------------------------------------------------------------ task 4
add(md(r"""
## Task 4 — Model: better than the clock? (40 min)

A model must beat the rule the shop already has: **wear from cutting time alone**. Fit, on the training
inserts, wear as a *non-decreasing* function of cutting time (isotonic regression), and read the held-out
insert's wear off that curve.

Write `time_baseline(train_time, train_wear, test_time)`: fit
`sklearn.isotonic.IsotonicRegression(out_of_bounds="clip")` of `train_wear` on `train_time` and return its
predictions at `test_time` (a NumPy array).
"""))
add(solution(r'''
from sklearn.isotonic import IsotonicRegression


def time_baseline(train_time, train_wear, test_time):
    """Wear predicted from cutting time alone: isotonic (non-decreasing) fit on the training tools."""
    ### BEGIN SOLUTION
    iso = IsotonicRegression(out_of_bounds="clip").fit(np.asarray(train_time, float), np.asarray(train_wear, float))
    return iso.predict(np.asarray(test_time, float))
    ### END SOLUTION
''', "time_baseline"))
add(tests(r'''
test = turning["tool"] == 3
p3 = time_baseline(turning.loc[~test, "cut_time_s"], turning.loc[~test, "Vb"], turning.loc[test, "cut_time_s"])
p3 = np.asarray(p3)
assert p3.shape == (test.sum(),), f"one prediction per test row expected, got shape {p3.shape}"
assert np.all(np.diff(p3) >= 0), "the baseline must never predict less wear later in the insert's life"
assert p3.min() >= 0 and p3.max() <= turning["Vb"].max(), "predictions outside the range of the training wear"
mae3 = np.mean(np.abs(p3 - turning.loc[test, "Vb"]))
print(f"tool 3: baseline MAE {mae3:.1f} µm")
### BEGIN HIDDEN TESTS
ref = sensors.loto_time_baseline(turning["cut_time_s"], turning["Vb"], turning["tool"])
for tool in [9, 11, 14, 16]:
    held = turning["tool"].to_numpy() == tool
    got = time_baseline(turning["cut_time_s"][~held], turning["Vb"][~held], turning["cut_time_s"][held])
    assert np.allclose(got, ref[held])
assert np.allclose(time_baseline([0, 1, 2, 3], [0, 10, 20, 30], [1.5, 10, -1]), [15, 30, 0])
### END HIDDEN TESTS
''', "test_time_baseline", 2))
add(md(r"""
Now the comparison on all 13 inserts, left out one at a time: baseline, a linear model (ridge regression on
standardised features), the forest on all features, and the forest on the controller signals only (about 15 s). The ratio is model MAE / baseline MAE: below 1 the signals add value.
"""))
add(code(r"""
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

pred_base = sensors.loto_time_baseline(turning["cut_time_s"], y, tools)
linear = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-2, 4, 13)))
pred_linear = sensors.loto_predict(linear, turning[ALL], y, tools, desc="linear, all features")
pred_ctrl = sensors.loto_predict(forest, turning[CTRL], y, tools, desc="forest, controller only")
results = pd.DataFrame({
    "MAE (µm)": [np.mean(np.abs(p - y)) for p in (pred_base, pred_linear, pred_all, pred_ctrl)],
}, index=["cutting time only (isotonic)", "linear (ridge), all 150 features", "forest, all 150 features",
          f"forest, {len(CTRL)} controller signals"])
results["ratio to baseline"] = results["MAE (µm)"] / results["MAE (µm)"].iloc[0]
display(results.round(2))
sensors.plot_predictions(turning, {"time only": pred_base, "all features": pred_all, "controller": pred_ctrl},
                         tools=[4, 7, 10, 14])
plt.show()
"""))
add(md(r"""
### 4b. How sure are we?

13 inserts is a small sample: one odd insert moves the MAE a lot. Estimate the uncertainty with a
**bootstrap over tools**: draw 13 tool ids *with replacement*, take the mean absolute error over all rows of
the drawn tools (a tool drawn twice counts twice), repeat `n_boot` times, and report the 2.5th and 97.5th
percentiles of these MAEs.

Write `bootstrap_mae_interval(abs_err, groups, n_boot=2000, seed=0)` returning `(low, high)`. Use
`rng = np.random.default_rng(seed)` and `rng.choice(unique_groups, size=len(unique_groups), replace=True)`.
"""))
add(solution(r'''
def bootstrap_mae_interval(abs_err, groups, n_boot=2000, seed=0):
    """95 % interval of the MAE from resampling whole groups (tools) with replacement."""
    abs_err, groups = np.asarray(abs_err, dtype=float), np.asarray(groups)
    rng = np.random.default_rng(seed)
    ### BEGIN SOLUTION
    ids = np.unique(groups)
    sums = np.array([abs_err[groups == g].sum() for g in ids])
    counts = np.array([(groups == g).sum() for g in ids])
    maes = []
    for _ in range(n_boot):
        pick = rng.choice(len(ids), size=len(ids), replace=True)
        maes.append(sums[pick].sum() / counts[pick].sum())
    low, high = np.percentile(maes, [2.5, 97.5])
    return float(low), float(high)
    ### END SOLUTION
''', "bootstrap_mae"))
add(tests(r'''
err_all = np.abs(pred_all - y)
low, high = bootstrap_mae_interval(err_all, tools)
mae = err_all.mean()
assert low < mae < high, f"the MAE {mae:.1f} should lie inside the interval ({low:.1f}, {high:.1f})"
assert 0 < low and high < err_all.max(), "the interval is outside any plausible range"
assert high - low > 5, "with 13 tools the interval should be wide (> 5 µm): resample whole tools, not rows"
print(f"forest, all features: MAE {mae:.1f} µm, 95 % interval {low:.1f}-{high:.1f} µm")
### BEGIN HIDDEN TESTS
lo2, hi2 = bootstrap_mae_interval(np.r_[np.zeros(50), np.full(50, 10.0)], np.r_[np.zeros(50), np.ones(50)], 2000, 1)
assert lo2 == 0.0 and hi2 == 10.0
lo3, hi3 = bootstrap_mae_interval(np.full(30, 4.0), np.repeat([1, 2, 3], 10))
assert lo3 == hi3 == 4.0
assert bootstrap_mae_interval(err_all, tools) == (low, high), "same seed, same interval"
### END HIDDEN TESTS
''', "test_bootstrap_mae", 2))
add(code(r"""
for name, p in [("cutting time only", pred_base), ("forest, all", pred_all), ("forest, controller", pred_ctrl)]:
    e = np.abs(p - y)
    lo, hi = bootstrap_mae_interval(e, tools)
    print(f"{name:20s} MAE {e.mean():5.1f} µm   95 % interval {lo:5.1f}-{hi:5.1f} µm")
"""))
add(md(r"""
**Reflection 4 (value of the controller).** Using the table and the intervals: how much of the improvement
over the clock does a shop get from its controller signals alone? Would you buy the add-on sensors for one
lathe on this evidence? What else would you want to know (cost, materials, how the wear was measured)?

Write your answer in the cell below (a few sentences).
"""))
add(written(r"""
*Model answer (teacher; the student release shows YOUR ANSWER HERE):* all features ≈ 0.4 × the baseline MAE, controller only ≈ 0.75×: the controller
gives roughly 40 % of the possible gain, the sensors the rest — but the intervals are wide and overlap
partly (13 tools). Buying sensors could pay off if scrap is costly, but first test on the shop's own
material and jobs, log the controller data (free), and measure wear on a sample of inserts.
""", "reflection_value", 2))

# ------------------------------------------------------------------------------------------ task 5
add(md(r"""
## Task 5 — Decide: a tool-change policy (30 min)

A prediction is only worth something when it changes a decision. The tool-life criterion for carbide turning
inserts in ISO 3685:1993 is an average flank wear **VB = 0.3 mm**. Set `VB_LIMIT_UM` to that value in the
units of our `Vb` column.

For milling the course uses **0.2 mm** — an *assumption*, not a standard: ISO 8688-2:1989 (end milling) also uses
0.3 mm, but none of the PHM 2010 cutters reaches it, so we take a stricter finishing limit.
"""))
add(solution(r'''
MILLING_LIMIT_MM = 0.2  # course assumption (see above)
### BEGIN SOLUTION
VB_LIMIT_UM = 300
### END SOLUTION
''', "vb_limit"))
add(tests(r'''
assert 100 < VB_LIMIT_UM < 1000, "Vb is in micrometres: 0.3 mm = ? µm"
### BEGIN HIDDEN TESTS
assert VB_LIMIT_UM == 300
### END HIDDEN TESTS
''', "test_vb_limit", 1))
add(md(r"""
Write `first_crossing_time(time_s, wear, threshold)`: the first time (s) at which `wear` is **at or above**
`threshold`, or `np.nan` if it never gets there. Use it on measured wear (the true tool life) and on
predicted wear (when the model would call for a change).
"""))
add(solution(r'''
def first_crossing_time(time_s, wear, threshold):
    """First time (s) where wear >= threshold; np.nan if never."""
    time_s, wear = np.asarray(time_s, dtype=float), np.asarray(wear, dtype=float)
    ### BEGIN SOLUTION
    hit = np.flatnonzero(wear >= threshold)
    return float(time_s[hit[0]]) if hit.size else np.nan
    ### END SOLUTION
''', "first_crossing"))
add(tests(r'''
part = turning[turning["tool"] == 4]
life4 = first_crossing_time(part["cut_time_s"], part["Vb"], VB_LIMIT_UM)
assert np.isfinite(life4), "tool 4 reaches the limit: expected a time, got NaN"
i = int(np.flatnonzero(part["cut_time_s"].to_numpy() == life4)[0])
assert part["Vb"].iloc[i] >= VB_LIMIT_UM > part["Vb"].iloc[i - 1], "not the FIRST time the limit is reached"
part5 = turning[turning["tool"] == 5]
assert np.isnan(first_crossing_time(part5["cut_time_s"], part5["Vb"], VB_LIMIT_UM)), \
    "tool 5 never reaches 300 µm: return np.nan"
print(f"tool 4 reaches {VB_LIMIT_UM} µm after {life4:.0f} s of cutting")
### BEGIN HIDDEN TESTS
for tool in [11, 13, 14, 16, 10, 12]:
    p = turning[turning["tool"] == tool]
    a = first_crossing_time(p["cut_time_s"], p["Vb"], 300)
    b = sensors._first_crossing(p["cut_time_s"].to_numpy(), p["Vb"].to_numpy(), 300)
    assert (np.isnan(a) and np.isnan(b)) or a == b
assert first_crossing_time([0, 5, 10], [1.0, 2.0, 3.0], 2.0) == 5.0
### END HIDDEN TESTS
''', "test_first_crossing", 2))
add(code(r"""
# The same question for the milling cutters, at the course's assumed 0.2 mm limit (time in s of cutting).
for tag in ["c1", "c4", "c6", "W1", "W7", "W8"]:
    run = milling[milling["experiment_tag"] == tag]
    life = first_crossing_time(run["timestamp"], run["wear_mm"], MILLING_LIMIT_MM)
    print(f"{tag}: reaches {MILLING_LIMIT_MM} mm after {life:.0f} s" if np.isfinite(life)
          else f"{tag}: stays below {MILLING_LIMIT_MM} mm (max {run['wear_mm'].max():.3f} mm)")
"""))
add(md(r"""
Two policies, each judged on inserts it was not built from:

* **Fixed interval** (today's practice): change every insert after a fixed cutting time — the shortest life
  seen among the *other* inserts, so that none of those would have gone past the limit.
* **Model-based**: change when the leave-one-tool-out prediction of the forest (all features), smoothed over
  10 s, first reaches the limit minus a safety margin of 50 µm.

Per insert: *wasted life* = usable seconds thrown away before the limit; *cut beyond limit* = seconds cut
with a worn insert (parts at risk). Inserts that never reached 300 µm in the record are censored: we do
not know their life, so they add no waste.
"""))
add(code(r"""
lives = {t: first_crossing_time(p["cut_time_s"], p["Vb"], VB_LIMIT_UM) for t, p in turning.groupby("tool")}
fixed = {t: np.nanmin([life for other, life in lives.items() if other != t]) for t in lives}
policies = [
    sensors.evaluate_policy("fixed interval", turning, fixed, VB_LIMIT_UM),
    sensors.evaluate_policy("model (all features)", turning,
                            sensors.model_change_times(turning, pred_all, VB_LIMIT_UM, margin=50), VB_LIMIT_UM),
    sensors.evaluate_policy("model (controller only)", turning,
                            sensors.model_change_times(turning, pred_ctrl, VB_LIMIT_UM, margin=50), VB_LIMIT_UM),
]
display(sensors.policy_table(policies))
per_tool = pd.concat({r.name: r.per_tool.set_index("tool")["change_s"] for r in policies}, axis=1)
per_tool["true life (s)"] = pd.Series(lives)
ax = per_tool.plot.bar(figsize=(10, 3.5), width=0.8)
ax.set(ylabel="cutting time (s)", title="when each insert is changed, against its true life (last bar)")
plt.show()
"""))
add(md(r"""
**Reflection 5 (policy).** Which policy would you run on Karin's lathes, and with what margin? Weigh the
cost of an insert (a few hundred kronor) against a scrapped part and a stopped machine. What does the
censoring (inserts that never reached the limit) mean for how sure you can be?

Write your answer in the cell below (a few sentences).
"""))
add(written(r"""
*Model answer (teacher; the student release shows YOUR ANSWER HERE):* the fixed interval must be set by the shortest life, so it wastes most of the
life of long-lived inserts (many inserts per hour); the model-based policy uses far more of each insert at
the price of a few seconds cut beyond the limit on some inserts — tune the margin to the cost of scrap
(a larger margin if parts are expensive). Only 8 of 13 inserts reach 300 µm: lives are censored, so the
comparison rests on few inserts; confirm on the shop's own runs before trusting it.
""", "reflection_policy", 2))

# ------------------------------------------------------------------------------------------ task 6
add(md(r"""
## Task 6 — Health states and a detector that never saw a worn tool (30 min)

Often there are no wear measurements at all — but every shop has plenty of data from **new** tools. An
*unsupervised* detector learns what a healthy insert's signals look like, and raises an alarm when the
signals leave that region.

States: **healthy** below half the limit (Vb < 150 µm), **degraded** from 150 µm up to the limit,
**failed** at or above 300 µm. Write `health_state(vb_um)` returning a NumPy array of strings
(`"healthy"`, `"degraded"`, `"failed"`), one per value.
"""))
add(solution(r'''
def health_state(vb_um):
    """'healthy' (< 150 µm), 'degraded' (150 to < 300 µm) or 'failed' (>= 300 µm) per flank-wear value."""
    vb = np.asarray(vb_um, dtype=float)
    ### BEGIN SOLUTION
    return np.where(vb >= 300, "failed", np.where(vb >= 150, "degraded", "healthy"))
    ### END SOLUTION
''', "health_state"))
add(tests(r'''
got = list(health_state([0, 149.9, 150, 299.9, 300, 792]))
assert got == ["healthy", "healthy", "degraded", "degraded", "failed", "failed"], f"got {got}"
### BEGIN HIDDEN TESTS
assert (health_state(turning["Vb"]) == sensors.health_states(turning["Vb"])).all()
assert list(health_state(np.array([10.0]))) == ["healthy"]
### END HIDDEN TESTS
''', "test_health_state", 1))
add(md(r"""
The detector (given): every feature is taken **relative to the insert's own first 20 s** (a new insert is
its own reference, which removes differences in speed and feed between jobs). A principal-component model is
fitted on the *healthy* rows of inserts 3–10 only; its score is the distance from the healthy cloud. The alarm
threshold is the 95th percentile of the healthy training scores (5 % false alarms on healthy data by design).
It is then tested on inserts 11–16, which it has never seen.

Write `precision_recall(alarm, worn)` for two boolean arrays: precision = share of alarms that are worn
(0.0 if there are no alarms), recall = share of worn rows that raise an alarm (0.0 if nothing is worn).
Return `(precision, recall)` as floats.
"""))
add(solution(r'''
def precision_recall(alarm, worn):
    """(precision, recall) of boolean alarms against boolean truth; 0.0 where undefined."""
    alarm, worn = np.asarray(alarm, dtype=bool), np.asarray(worn, dtype=bool)
    ### BEGIN SOLUTION
    tp = np.sum(alarm & worn)
    precision = tp / alarm.sum() if alarm.sum() else 0.0
    recall = tp / worn.sum() if worn.sum() else 0.0
    return float(precision), float(recall)
    ### END SOLUTION
''', "precision_recall"))
add(tests(r'''
p, r = precision_recall([True, True, False, False], [True, False, True, False])
assert (p, r) == (0.5, 0.5), f"1 of 2 alarms is right and 1 of 2 worn rows is caught: expected (0.5, 0.5), got {(p, r)}"
assert precision_recall([False, False], [True, False]) == (0.0, 0.0), "no alarms: precision 0.0 and recall 0.0"
### BEGIN HIDDEN TESTS
from sklearn.metrics import precision_score, recall_score
rng = np.random.default_rng(7)
a, w = rng.random(300) < 0.3, rng.random(300) < 0.5
pp, rr = precision_recall(a, w)
assert abs(pp - precision_score(w, a)) < 1e-12 and abs(rr - recall_score(w, a)) < 1e-12
assert precision_recall([True, True], [True, True]) == (1.0, 1.0)
assert precision_recall([True], [False]) == (0.0, 0.0)
### END HIDDEN TESTS
''', "test_precision_recall", 2))
add(code(r"""
rel = sensors.tool_relative(turning, ALL, n_first=20)
states = sensors.health_states(y)
train_tools = [3, 4, 5, 6, 7, 9, 10]
train = turning["tool"].isin(train_tools).to_numpy()
detector = sensors.fit_healthy_detector(rel[train & (states == "healthy")])
cut = np.quantile(sensors.detector_scores(detector, rel[train & (states == "healthy")]), 0.95)
scores = sensors.detector_scores(detector, rel)
alarm = scores > cut
test = ~train
p, r = precision_recall(alarm[test], states[test] != "healthy")
print(f"inserts 11-16: precision {p:.2f}, recall {r:.2f} for 'not healthy' (degraded or failed)")
print(f"recall on failed rows only: {alarm[test & (states == 'failed')].mean():.2f}")
fig, ax = plt.subplots(figsize=(10, 3.5))
colours = {"healthy": "tab:green", "degraded": "tab:orange", "failed": "tab:red"}
offset = 0
for tool in [11, 13, 14, 16]:
    m = (turning["tool"] == tool).to_numpy()
    for s, c in colours.items():
        sel = m & (states == s)
        ax.scatter(turning.loc[sel, "cut_time_s"] + offset, scores[sel], s=4, color=c, label=s if tool == 11 else None)
    ax.text(offset, cut * 1.1, f"tool {tool}")
    offset += turning.loc[m, "cut_time_s"].max() + 30
ax.axhline(cut, color="k", ls="--", lw=1, label="alarm threshold")
ax.set(yscale="log", xlabel="cutting time, inserts side by side (s)", ylabel="detector score")
ax.legend(markerscale=3, frameon=False)
plt.show()
"""))
add(md(r"""
**Reflection 6 (detector).** Read the precision and recall above. In the shop, what does a false alarm
cost, and what does a missed worn insert cost? Would you use this detector to stop the machine, to call the
operator, or only to log? How would you set its threshold with your own data?

Write your answer in the cell below (a few sentences).
"""))
add(written(r"""
*Model answer (teacher; the student release shows YOUR ANSWER HERE):* recall is high (most worn rows alarm) but precision is moderate: several alarms
fall on healthy rows, e.g. when the job changes. A false alarm costs an inspection (a minute); a miss
costs scrap. Use it to call the operator to check the insert, not to stop the machine; set the threshold
from a few weeks of healthy data at the false-alarm rate the operators accept, and review alarms.
""", "reflection_detector", 2))

# ------------------------------------------------------------------------------------------ task 7
add(md(r"""
## Task 7 — Scrub through one insert's life (10 min)

Move the slider: the top panel shows three signals (each scaled to its own maximum) up to that moment, the
bottom panel the measured wear and the leave-one-tool-out prediction of the forest. Start with insert 14
(it starts worn), then change `14` to `10` (it never gets far) and to `4` (the fastest to wear), and swap in other
signals from the ranking of Task 2. Where does the model lag or lead the measured wear?
"""))
add(code(r"""
sensors.tool_life_scrubber(turning, 14, ["F_c_RMS", "TV50.S_MEAN", "AE_RMS"], pred_all)
"""))

# ------------------------------------------------------------------------------------------ task 8
add(md(r"""
## Task 8 — Your own machine (20 min)

The helper `sensors.load_machine_csv(path)` reads your machine's data in a small documented format, checks it,
and tells you exactly which column is wrong. The format:
"""))
add(code(r"""
print(sensors.MACHINE_CSV_SCHEMA)
"""))
add(md(r"""
Below we write an example file in that format (made from the turning data's controller signals: one row
every 5 s, wear "measured" every 30 s), load it, and then see the message for a typical mistake: wear logged
in millimetres.
"""))
add(code(r"""
import tempfile
from pathlib import Path

work = Path(tempfile.mkdtemp(prefix="my_machine_"))  # scratch folder: keeps the lab folder clean
example = sensors.example_machine_csv(work / "example.csv")
print("".join(example.read_text().splitlines(keepends=True)[:4]))
mine = sensors.load_machine_csv(example)
print(mine.attrs["units"])
display(mine.head())

bad = pd.read_csv(example).rename(columns={"wear_um": "wear_mm"})
bad.to_csv(work / "bad.csv", index=False)
try:
    sensors.load_machine_csv(work / "bad.csv")
except indi.InputError as err:
    print("InputError:", err)
"""))
add(md(r"""
**Reflection 7 (your shop).** Which signals can your own machines' controllers export today (spindle load,
power, currents, axis torques…), at what rate, and how would you get a few *wear measurements* to check a
model against (who measures, with what instrument, how often)? Name one thing in this lab you would try
first on your own data.

Write your answer in the cell below (a few sentences).
"""))
add(written(r"""
*Model answer (teacher; the student release shows YOUR ANSWER HERE):* e.g. spindle load % and axis currents at 10–100 Hz via the controller's
OPC UA / MTConnect interface; measure flank wear with a tool microscope at each insert change plus a few
times in its life for a month; start with the time-only baseline and the within-insert feature ranking.
""", "reflection_own_shop", 2))
add(md(r"""
## Key points

- Test wear models on **tools they have never seen** (leave-one-tool-out). A random split by row looked
  several times better than it is here.
- Always compare with the naive rule — **wear from cutting time alone** — and state the error in µm with
  its uncertainty: 13 inserts give a wide interval.
- On this lathe, the forest on all signals cut the baseline's error by more than half (a linear model came
  close); the **controller signals alone** gave a smaller but real gain, for free.
- A prediction becomes value through a **decision**: a model-based change policy used far more of each
  insert's life than a fixed interval set by the shortest life.
- Without wear labels, a detector trained on **healthy data only** still finds most worn inserts; its
  false alarms decide whether it calls the operator or just logs.

## Try it on your own shop's data

1. Export a week of controller data (spindle load or power, axis currents) with a timestamp and the tool in
   the spindle; name the columns `<name>_<unit>` as above.
2. Measure flank wear on a few inserts (tool microscope) and put it in `wear_um`.
3. `mine = sensors.load_machine_csv("your_file.csv")`, then repeat Tasks 2–6 with `tool_id` in place of `tool`
   and `wear_um` in place of `Vb`.
"""))

if __name__ == "__main__":
    path = save(OUT, cells)
    print(f"wrote {path.relative_to(ROOT)} ({len(cells)} cells)")
