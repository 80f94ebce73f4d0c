"""Helpers for Lab 2, sensor analytics: tool wear from machining signals.

What lives here is what the lab, the book and the benchmark share, so no notebook copies it:

* column families (CNC controller signals vs add-on sensors) of the turning data;
* cutting time per tool and rolling signal features (RMS, peak, crest factor, kurtosis);
* leave-one-tool-out and random-split predictions (``loto_predict``, ``random_split_predict``) with a
  progress bar and one thread per model (tree ensembles on 2 cores contend badly otherwise);
* the naive "wear from cutting time alone" baseline, the tool-change policy comparison, the health
  detector trained on healthy data only;
* plots and the tool-life scrubbing widget;
* the "your own machine" CSV loader :func:`load_machine_csv` with its documented schema
  (:data:`MACHINE_CSV_SCHEMA`), which raises :class:`indi.errors.InputError` naming the column.

Units: turning flank wear ``Vb`` is in µm, milling ``tool_wear`` in mm, times in s.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from indi.errors import InputError

# ISO 3685:1993 tool-life criterion for carbide turning tools: average flank wear VB = 0.3 mm.
VB_LIMIT_TURNING_UM = 300.0
# Milling: ISO 8688-2:1989 (end milling) uses VB = 0.3 mm too, but the PHM 2010 cutters never reach it
# (max 0.23 mm). The course ASSUMES a stricter 0.2 mm finishing limit for milling; say so when used.
WEAR_LIMIT_MILLING_MM = 0.2
# Health states of the lab: healthy below half the limit, degraded up to the limit, failed beyond.
HEALTHY_BELOW_UM = VB_LIMIT_TURNING_UM / 2

# Turning data: signals read from the CNC and its drives (no added sensor needed).
CONTROLLER_PREFIXES = ("TV50.", "TV51.", "TV2.", "CV3.", "CON.")
NOT_FEATURES = ("tool", "Vb", "cut_time_s")


# --------------------------------------------------------------------------- columns and time


def signal_family(column: str) -> str:
    """``"controller"`` for CNC/drive signals of the turning data, ``"sensor"`` for add-on sensors,
    ``"other"`` for the tool id, the wear label and the cutting time."""
    if column in NOT_FEATURES:
        return "other"
    return "controller" if column.startswith(CONTROLLER_PREFIXES) else "sensor"


def feature_columns(df: pd.DataFrame, family: str = "all") -> list[str]:
    """Numeric feature columns of the turning frame without NaN: ``family`` "all", "controller", "sensor"."""
    if family not in ("all", "controller", "sensor"):
        raise InputError(f"family must be 'all', 'controller' or 'sensor', not {family!r}")
    cols = [c for c in df.columns if signal_family(c) != "other" and pd.api.types.is_numeric_dtype(df[c])
            and not df[c].isna().any()]
    return cols if family == "all" else [c for c in cols if signal_family(c) == family]


def cutting_time_s(df: pd.DataFrame, tool_col: str = "tool", step_s: float = 1.0) -> pd.Series:
    """Seconds of cutting since each tool's first row, for rows ``step_s`` apart (turning: 1-s segments)."""
    return df.groupby(tool_col).cumcount().astype(float) * step_s


def tool_summary(df: pd.DataFrame, tool_col: str = "tool", wear_col: str = "Vb") -> pd.DataFrame:
    """Rows, first and last wear, and whether wear ever decreases, per tool."""
    g = df.groupby(tool_col, sort=True)[wear_col]
    out = pd.DataFrame({
        "rows": g.size(),
        "wear_first": g.first(),
        "wear_last": g.last(),
        "decreasing_steps": g.apply(lambda s: int((s.diff() < 0).sum())),
    })
    return out


def rolling_features(signal: pd.Series, window: int) -> pd.DataFrame:
    """RMS, peak (max |x|), crest factor (peak / RMS) and excess kurtosis over a trailing window of
    ``window`` samples (the first ``window - 1`` rows use what is there, at least 4 samples)."""
    x = pd.Series(signal, dtype=float)
    roll = x.rolling(window, min_periods=min(4, window))
    rms = np.sqrt((x**2).rolling(window, min_periods=min(4, window)).mean())
    peak = x.abs().rolling(window, min_periods=min(4, window)).max()
    out = pd.DataFrame({"rms": rms, "peak": peak, "crest_factor": peak / rms.replace(0, np.nan),
                        "kurtosis": roll.kurt()}, index=x.index)
    return out.bfill()


def milling_features(df: pd.DataFrame, window: int = 60) -> pd.DataFrame:
    """Per experiment: rolling features of ``force_z``, ``vibration_x``, ``vibration_y`` over ``window``
    samples (60 ≈ 30 s at 2 Hz) plus ``cut_time_s``; same index as ``df``."""
    parts = []
    for _, exp in df.groupby("experiment_tag", sort=False):
        cols = {"cut_time_s": exp["timestamp"] - exp["timestamp"].iloc[0]}
        for sig in ("force_z", "vibration_x", "vibration_y"):
            feats = rolling_features(exp[sig], window)
            for name in feats:
                cols[f"{sig}_{name}"] = feats[name]
        parts.append(pd.DataFrame(cols, index=exp.index))
    return pd.concat(parts).loc[df.index]


def within_tool_correlation(df: pd.DataFrame, columns: list[str], tool_col: str = "tool",
                            wear_col: str = "Vb") -> pd.DataFrame:
    """Median over tools of the Spearman correlation between each column and wear *within* a tool.

    Within a tool, because between tools the cutting conditions differ: a feature that only tells tools
    apart would look related to wear when pooled. Returns columns ``feature``, ``rho``, ``abs_rho``,
    ``family``, sorted by ``abs_rho``."""
    import warnings

    rows = []
    for col in columns:
        with warnings.catch_warnings():  # a signal constant within a tool has no correlation: NaN, no warning
            warnings.simplefilter("ignore")
            rhos = [part[col].corr(part[wear_col], method="spearman") for _, part in df.groupby(tool_col)]
        rho = float(np.nanmedian(rhos)) if np.isfinite(rhos).any() else np.nan
        rows.append({"feature": col, "rho": rho, "abs_rho": abs(rho), "family": signal_family(col)})
    return pd.DataFrame(rows).sort_values("abs_rho", ascending=False, ignore_index=True)


# --------------------------------------------------------------------------- evaluation


def _one_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def loto_predict(model, X, y, groups, progress: bool = True, desc: str = "leave-one-tool-out") -> np.ndarray:
    """Out-of-fold predictions when each tool (group) is held out in turn and a fresh copy of ``model``
    is fitted on all the other tools. One thread per fit (2-core machines)."""
    from sklearn.base import clone
    from tqdm.auto import tqdm

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    pred = np.full(len(y), np.nan)
    with _one_thread():
        for g in tqdm(np.unique(groups), desc=desc, disable=not progress, leave=False):
            test = groups == g
            pred[test] = clone(model).fit(X[~test], y[~test]).predict(X[test])
    return pred


def random_split_predict(model, X, y, n_splits: int = 5, seed: int = 0, progress: bool = True) -> np.ndarray:
    """Out-of-fold predictions of a shuffled K-fold split by ROW (the leaky way: neighbours of the same
    tool end up on both sides)."""
    from sklearn.model_selection import KFold

    folds = np.zeros(len(y), dtype=int)
    for k, (_, test) in enumerate(KFold(n_splits, shuffle=True, random_state=seed).split(np.asarray(X))):
        folds[test] = k
    return loto_predict(model, X, y, folds, progress=progress, desc="random split")


def loto_time_baseline(time_s, y, groups) -> np.ndarray:
    """Naive baseline, leave-one-tool-out: wear as a non-decreasing function of cutting time alone
    (isotonic regression fitted on the other tools)."""
    from sklearn.isotonic import IsotonicRegression

    time_s, y, groups = np.asarray(time_s, float), np.asarray(y, float), np.asarray(groups)
    pred = np.full(len(y), np.nan)
    for g in np.unique(groups):
        test = groups == g
        iso = IsotonicRegression(out_of_bounds="clip").fit(time_s[~test], y[~test])
        pred[test] = iso.predict(time_s[test])
    return pred


def reference_forest(n_estimators: int = 60, seed: int = 0):
    """The lab's reference model: a random forest sized to fit 13 folds in seconds on 2 cores
    (√p features per split, half the rows per tree, single-threaded)."""
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(n_estimators=n_estimators, max_features="sqrt", max_samples=0.5,
                                 min_samples_leaf=2, random_state=seed, n_jobs=1)


# --------------------------------------------------------------------------- decisions


def _first_crossing(time_s: np.ndarray, values: np.ndarray, threshold: float) -> float:
    hit = np.flatnonzero(np.asarray(values) >= threshold)
    return float(np.asarray(time_s)[hit[0]]) if hit.size else np.nan


@dataclass
class PolicyResult:
    """Outcome of a tool-change policy over a set of tools (times in s of cutting)."""

    name: str
    per_tool: pd.DataFrame  # tool, life_s (NaN: never reached the limit), change_s, wasted_s, at_risk_s
    tools_per_hour: float   # inserts consumed per hour of cutting under this policy
    wasted_s: float         # usable life thrown away, summed over tools that reach the limit
    at_risk_s: float        # cutting beyond the limit (parts at risk), summed
    late_tools: int         # tools changed after they crossed the limit


def evaluate_policy(name: str, df: pd.DataFrame, change_s: dict, threshold: float,
                    tool_col: str = "tool", wear_col: str = "Vb", time_col: str = "cut_time_s") -> PolicyResult:
    """Score a tool-change policy: ``change_s`` maps each tool to the cutting time (s) at which the policy
    changes it (NaN or beyond the record: used to the end of its record).

    Wasted life counts only tools whose record reaches ``threshold`` (others are censored: we do not know
    their life). Seconds cut beyond the limit are "at risk": parts made then may be scrap."""
    rows = []
    for tool, part in df.groupby(tool_col, sort=True):
        t, w = part[time_col].to_numpy(float), part[wear_col].to_numpy(float)
        life = _first_crossing(t, w, threshold)
        change = change_s.get(tool, np.nan)
        used = t[-1] if not np.isfinite(change) else min(float(change), t[-1])
        wasted = max(life - used, 0.0) if np.isfinite(life) else 0.0
        at_risk = max(used - life, 0.0) if np.isfinite(life) else 0.0
        rows.append({"tool": tool, "life_s": life, "change_s": used, "wasted_s": wasted, "at_risk_s": at_risk})
    per_tool = pd.DataFrame(rows)
    mean_used = per_tool["change_s"].clip(lower=1).mean()
    return PolicyResult(name, per_tool, 3600.0 / mean_used, float(per_tool.wasted_s.sum()),
                        float(per_tool.at_risk_s.sum()), int((per_tool.at_risk_s > 0).sum()))


def model_change_times(df: pd.DataFrame, pred, threshold: float, margin: float = 0.0, smooth: int = 10,
                       tool_col: str = "tool", time_col: str = "cut_time_s") -> dict:
    """Model-based policy: change each tool the first time its predicted wear, smoothed by a trailing
    median over ``smooth`` rows, reaches ``threshold - margin``."""
    pred = pd.Series(np.asarray(pred, float), index=df.index)
    out = {}
    for tool, part in df.groupby(tool_col, sort=True):
        smoothed = pred.loc[part.index].rolling(smooth, min_periods=1).median().to_numpy()
        out[tool] = _first_crossing(part[time_col].to_numpy(float), smoothed, threshold - margin)
    return out


def policy_table(results: list[PolicyResult]) -> pd.DataFrame:
    """One row per policy: inserts per hour, wasted life, time at risk, late tools."""
    return pd.DataFrame([{"policy": r.name, "inserts_per_hour": round(r.tools_per_hour, 2),
                          "wasted_life_s": round(r.wasted_s), "cut_beyond_limit_s": round(r.at_risk_s),
                          "tools_changed_late": r.late_tools} for r in results]).set_index("policy")


# --------------------------------------------------------------------------- health detector


def health_states(wear, limit: float = VB_LIMIT_TURNING_UM) -> np.ndarray:
    """``"healthy"`` below half the limit, ``"degraded"`` up to the limit, ``"failed"`` at or beyond it."""
    wear = np.asarray(wear, float)
    return np.where(wear >= limit, "failed", np.where(wear >= limit / 2, "degraded", "healthy"))


def tool_relative(df: pd.DataFrame, columns: list[str], n_first: int = 20, tool_col: str = "tool") -> pd.DataFrame:
    """Each feature minus its median over the tool's first ``n_first`` rows: the new insert is its own
    reference, which removes differences in cutting conditions between tools."""
    ref = df.groupby(tool_col)[columns].transform(lambda s: s.iloc[:n_first].median())
    return df[columns] - ref


def fit_healthy_detector(X_healthy, n_components: float = 0.95):
    """An unsupervised detector fitted on healthy rows only: standardise, keep the principal components
    explaining ``n_components`` of the variance, score = Mahalanobis distance in that space."""
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), PCA(n_components=n_components, whiten=True, random_state=0)).fit(
        np.asarray(X_healthy, float))


def detector_scores(detector, X) -> np.ndarray:
    """Distance from the healthy cloud (larger = less like a healthy tool)."""
    z = detector.transform(np.asarray(X, float))
    return np.sqrt((z**2).sum(axis=1))


# --------------------------------------------------------------------------- plots and widget


def plot_wear_curves(df: pd.DataFrame, tool_col: str = "tool", wear_col: str = "Vb", time_col: str = "cut_time_s",
                     limit: float | None = None, unit: str = "µm", ax=None):
    """Wear against cutting time, one line per tool, with the change limit dashed."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(8, 4))[1]
    for tool, part in df.groupby(tool_col, sort=True):
        ax.plot(part[time_col], part[wear_col], lw=1.2, label=str(tool))
    if limit is not None:
        ax.axhline(limit, color="k", ls="--", lw=1)
        ax.annotate(f"limit {limit:g} {unit}", (0, limit), xytext=(2, 3), textcoords="offset points")
    ax.set(xlabel="cutting time (s)", ylabel=f"flank wear ({unit})")
    ax.legend(title=tool_col, ncol=2, fontsize="small", frameon=False, bbox_to_anchor=(1, 1), loc="upper left")
    return ax


def plot_feature_ranking(corr: pd.DataFrame, top: int = 20, ax=None):
    """Horizontal bars of the top features by |within-tool Spearman ρ|, coloured by family."""
    import matplotlib.pyplot as plt

    head = corr.head(top).iloc[::-1]
    ax = ax or plt.subplots(figsize=(7, 0.28 * top + 1))[1]
    colours = head["family"].map({"controller": "tab:orange", "sensor": "tab:blue"}).fillna("grey")
    ax.barh(head["feature"], head["rho"], color=colours)
    ax.set(xlabel="median within-tool Spearman ρ with wear", title="orange: CNC controller, blue: add-on sensor")
    ax.axvline(0, color="k", lw=0.8)
    return ax


def plot_predictions(df: pd.DataFrame, preds: dict, tools: list | None = None, wear_col: str = "Vb",
                     limit: float | None = VB_LIMIT_TURNING_UM, unit: str = "µm"):
    """Measured and predicted wear against cutting time, one panel per tool."""
    import matplotlib.pyplot as plt

    tools = list(tools if tools is not None else sorted(df["tool"].unique()))
    ncol = min(4, len(tools))
    nrow = int(np.ceil(len(tools) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.4 * nrow), sharey=True, squeeze=False)
    for ax, tool in zip(axes.flat, tools, strict=False):
        part = df[df["tool"] == tool]
        ax.plot(part["cut_time_s"], part[wear_col], "k", lw=2, label="measured")
        for name, p in preds.items():
            ax.plot(part["cut_time_s"], np.asarray(p)[df["tool"].to_numpy() == tool], lw=1, label=name)
        if limit is not None:
            ax.axhline(limit, color="grey", ls="--", lw=0.8)
        ax.set_title(f"tool {tool}", fontsize="small")
    for ax in axes.flat[len(tools):]:
        ax.axis("off")
    axes[0, 0].set_ylabel(f"wear ({unit})")
    axes[0, 0].legend(fontsize="x-small", frameon=False)
    fig.supxlabel("cutting time (s)")
    fig.tight_layout()
    return fig


def tool_life_scrubber(df: pd.DataFrame, tool, signals: list[str], pred=None, wear_col: str = "Vb",
                       limit: float = VB_LIMIT_TURNING_UM, unit: str = "µm"):
    """A slider over one tool's cutting time: the chosen signals up to that moment (top) and measured
    and predicted wear (bottom), with the wear and predicted wear at the slider printed in the title.
    ``pred`` holds predictions for every row of ``df`` (or None)."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    mask = (df["tool"] == tool).to_numpy()
    if not mask.any():
        raise InputError(f"tool {tool!r} is not in the data; tools are {sorted(df['tool'].unique())}")
    missing = [s for s in signals if s not in df.columns]
    if missing:
        raise InputError(f"signal column(s) {missing} not in the data")
    part = df[mask]
    t = part["cut_time_s"].to_numpy(float)
    p = None if pred is None else np.asarray(pred, float)[mask]

    def draw(time_s: float):
        upto = t <= time_s
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
        for s in signals:
            v = part[s].to_numpy(float)
            scale = np.nanmax(np.abs(v)) or 1.0
            ax1.plot(t[upto], v[upto] / scale, lw=1, label=s)
        ax1.set(ylabel="signal / its max", xlim=(t[0], t[-1]))
        ax1.legend(fontsize="x-small", frameon=False, ncol=2)
        ax2.plot(t[upto], part[wear_col].to_numpy(float)[upto], "k", lw=2, label="measured")
        if p is not None:
            ax2.plot(t[upto], p[upto], "tab:orange", lw=1, label="predicted")
        ax2.axhline(limit, color="grey", ls="--", lw=0.8)
        ax2.set(xlabel="cutting time (s)", ylabel=f"flank wear ({unit})",
                ylim=(0, max(limit, np.nanmax(part[wear_col])) * 1.1))
        ax2.legend(fontsize="x-small", frameon=False)
        i = max(int(upto.sum()) - 1, 0)
        now = f"t = {t[i]:.0f} s, measured {part[wear_col].iloc[i]:.0f} {unit}"
        if p is not None:
            now += f", predicted {p[i]:.0f} {unit}"
        ax1.set_title(f"tool {tool}: {now}")
        plt.show()

    slider = widgets.FloatSlider(value=float(t[len(t) // 2]), min=float(t[0]), max=float(t[-1]), step=1.0,
                                 description="time (s)", continuous_update=False,
                                 layout=widgets.Layout(width="80%"))
    return widgets.interactive(draw, time_s=slider)


# --------------------------------------------------------------------------- your own machine

#: Units a signal column may end in (``<name>_<unit>``), with what they mean.
SIGNAL_UNITS = {
    "kW": "power, kilowatt", "W": "power, watt", "A": "current, ampere", "V": "voltage, volt",
    "Nm": "torque, newton metre", "N": "force, newton", "pct": "load, % of rated",
    "g": "acceleration, standard gravity", "mm_s": "vibration velocity, mm/s", "um": "displacement, µm",
    "dB": "sound level, decibel", "rpm": "speed, revolutions per minute", "mm_min": "feed, mm/min",
    "C": "temperature, °C",
}

MACHINE_CSV_SCHEMA = """\
Your own machine: one CSV file, comma-separated, UTF-8, one header row, one row per sample or segment.

Required columns
  timestamp   date-time (ISO 8601, e.g. 2026-03-02T07:15:00) or seconds as a number;
              increasing within each tool
  tool_id     which insert / cutter was in the spindle (text or number); a new id at every tool change
Signal columns (at least one), named <name>_<unit> with the unit one of:
  kW W A V Nm N pct g mm_s um dB rpm mm_min C
  e.g. spindle_power_kW, spindle_load_pct, x_current_A, vibration_g, sound_dB
Optional column
  wear_um     flank wear VB measured on the tool in µm (micrometres); leave empty where not measured

Short gaps (up to 5 consecutive empty cells per tool) in a signal are filled by interpolation; longer
runs of empty cells are an error that names the column, the tool and the rows.
"""

_REQUIRED = ("timestamp", "tool_id")
_UNIT_RE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.]*?)_(?P<unit>" +
                      "|".join(sorted(map(re.escape, SIGNAL_UNITS), key=len, reverse=True)) + r")$")
_WEAR_OTHER_UNITS = {"wear_mm": "multiply by 1000 and rename it wear_um",
                     "vb_mm": "multiply by 1000 and rename it wear_um", "vb_um": "rename it wear_um",
                     "wear": "add the unit: wear_um (micrometres)", "vb": "add the unit: wear_um (micrometres)"}


def _closest(name: str, options: list[str]) -> str:
    match = difflib.get_close_matches(name.lower(), [o.lower() for o in options], n=1, cutoff=0.5)
    return f" Did you mean {match[0]!r}?" if match else ""


def load_machine_csv(path, max_gap: int = 5) -> pd.DataFrame:
    """Read your own machine's CSV (schema: ``print(indi.sensors.MACHINE_CSV_SCHEMA)``).

    Returns the rows sorted by tool and time, with ``cut_time_s`` (s since each tool's first row)
    added, short gaps in signals interpolated, and ``attrs["units"]`` giving each column's unit.
    Raises :class:`indi.errors.InputError` naming the column (and the fix) for missing or misnamed
    columns, unknown units, wear given in mm, non-numbers and long runs of empty cells."""
    if isinstance(path, (str, Path)) and not Path(path).is_file():
        raise InputError(f"no file at {str(path)!r}: give the path of your CSV file")
    try:
        raw = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"could not read the CSV ({exc}); save it as comma-separated UTF-8 text") from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    cols = list(raw.columns)

    for req in _REQUIRED:
        if req not in cols:
            raise InputError(f"column {req!r} is missing.{_closest(req, cols)} "
                             f"Required columns: timestamp, tool_id (see indi.sensors.MACHINE_CSV_SCHEMA).")
    for col in cols:
        if col.lower() in _WEAR_OTHER_UNITS:
            raise InputError(f"column {col!r}: wear must be in micrometres in a column named 'wear_um'; "
                             f"{_WEAR_OTHER_UNITS[col.lower()]}.")
    signals, units = [], {"timestamp": "s", "tool_id": "id"}
    for col in cols:
        if col in _REQUIRED or col == "wear_um":
            continue
        m = _UNIT_RE.match(col)
        if not m:
            raise InputError(f"column {col!r} has no unit we know: name signal columns <name>_<unit> with "
                             f"unit one of {', '.join(SIGNAL_UNITS)} (e.g. spindle_power_kW).")
        signals.append(col)
        units[col] = m.group("unit")
    if not signals:
        raise InputError("no signal columns: add at least one column named <name>_<unit>, e.g. spindle_power_kW")

    df = raw.copy()
    if df["tool_id"].isna().any():
        rows = (np.flatnonzero(df["tool_id"].isna()) + 2)[:5].tolist()
        raise InputError(f"column 'tool_id' is empty in file line(s) {rows}: every row needs its tool")
    df["tool_id"] = df["tool_id"].astype(str).str.strip()
    ts = df["timestamp"]
    numeric_ts = pd.to_numeric(ts, errors="coerce")
    if numeric_ts.notna().all():
        seconds = numeric_ts.astype(float)
    else:
        parsed = pd.to_datetime(ts, errors="coerce", format="ISO8601")
        if parsed.isna().any():
            line = int(np.flatnonzero(parsed.isna())[0]) + 2
            raise InputError(f"column 'timestamp': {ts.iloc[line - 2]!r} on file line {line} is neither a "
                             f"number of seconds nor an ISO 8601 date-time like 2026-03-02T07:15:00")
        seconds = (parsed - parsed.min()).dt.total_seconds()
    df["timestamp"] = seconds
    for col in [*signals, *(["wear_um"] if "wear_um" in cols else [])]:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            line = int(np.flatnonzero(bad)[0]) + 2
            raise InputError(f"column {col!r}: {df[col].iloc[line - 2]!r} on file line {line} is not a number "
                             f"(use a point as decimal separator, no units in the cells)")
        df[col] = values.astype(float)
    df["_line"] = np.arange(len(df)) + 2
    df = df.sort_values(["tool_id", "timestamp"], kind="stable")

    for tool, part in df.groupby("tool_id", sort=False):
        if part["timestamp"].duplicated().any():
            line = int(part.loc[part["timestamp"].duplicated(), "_line"].iloc[0])
            raise InputError(f"column 'timestamp': tool {tool!r} has the same time twice (file line {line})")
        for col in signals:
            empty = part[col].isna().to_numpy()
            if empty.all():
                raise InputError(f"column {col!r} is empty for tool {tool!r}: fill it or drop the column")
            run = _longest_run(empty)
            if run[1] - run[0] > max_gap:
                lines = part["_line"].to_numpy()
                raise InputError(f"column {col!r}: {run[1] - run[0]} empty cells in a row for tool {tool!r} "
                                 f"(file lines {lines[run[0]]}–{lines[run[1] - 1]}); at most {max_gap} are "
                                 f"filled in. Check the logging, or split the tool's record.")
    if "wear_um" in cols:
        top = df["wear_um"].max()
        if np.isfinite(top) and top < 5:
            raise InputError(f"column 'wear_um' is at most {top:g}: that looks like millimetres. Multiply by "
                             f"1000 so the column holds micrometres (0.3 mm = 300 µm).")
        if np.isfinite(top) and top > 3000:
            raise InputError(f"column 'wear_um' reaches {top:g} µm (over 3 mm of flank wear): check the unit "
                             f"(micrometres expected) and the values.")
        units["wear_um"] = "µm"
    df[signals] = df.groupby("tool_id", sort=False)[signals].transform(
        lambda s: s.interpolate(limit_direction="both"))
    df["cut_time_s"] = df["timestamp"] - df.groupby("tool_id")["timestamp"].transform("min")
    units["cut_time_s"] = "s"
    df = df.drop(columns="_line").reset_index(drop=True)
    df.attrs["units"] = units
    df.attrs["signals"] = signals
    return df


def _longest_run(flags: np.ndarray) -> tuple[int, int]:
    """(start, stop) of the longest run of True in ``flags`` ((0, 0) if none)."""
    best, start = (0, 0), None
    for i, f in enumerate(list(flags) + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return best


def example_machine_csv(path, tools: tuple = (3, 10), every: int = 5) -> Path:
    """Write a small CSV in the own-machine schema, made from the turning data's controller signals
    (spindle power and currents, one row per 5 s, wear where 'measured'), to see what the loader wants."""
    from indi.data import load_turning_tool_wear

    t = load_turning_tool_wear()
    t = t[t["tool"].isin(tools)].copy()
    t["cut_time_s"] = cutting_time_s(t)
    t = t[t["cut_time_s"] % every == 0]
    start = pd.Timestamp("2026-03-02T07:00:00")
    out = pd.DataFrame({
        "timestamp": [(start + pd.Timedelta(hours=i, seconds=s)).isoformat()
                      for i, s in zip(t["tool"].map({k: n for n, k in enumerate(tools)}), t["cut_time_s"],
                                      strict=True)],
        "tool_id": "T" + t["tool"].astype(str),
        # Controller units are internal; the example only shows the naming convention.
        "spindle_power_kW": t["TV50.S_MEAN"].to_numpy(),
        "spindle_current_A": t["CV3.S_RMS"].to_numpy(),
        "z_torque_Nm": t["TV2.Z_MEAN"].to_numpy(),
        "wear_um": np.where(t["cut_time_s"] % 30 == 0, t["Vb"].round(0), np.nan),
    })
    path = Path(path)
    out.to_csv(path, index=False)
    return path
