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


def prepare_turning(df: pd.DataFrame) -> pd.DataFrame:
    """The course's reference preparation of the turning frame (Task 1a): a copy without the columns that
    hold any NaN, plus ``cut_time_s`` (s since each tool's first 1-s segment, in row order).

    Later tasks use this, not a participant's own version, so one slip costs one task."""
    out = df.dropna(axis=1, how="any").copy()
    out["cut_time_s"] = cutting_time_s(out)
    return out


def monotone_wear(df: pd.DataFrame, group_col: str, wear_col: str) -> pd.Series:
    """Reference running maximum of ``wear_col`` within each ``group_col`` group (Task 1b): flank wear
    cannot heal, so a measured decrease is scatter. Same index and order as ``df``."""
    return df.groupby(group_col, sort=False)[wear_col].cummax()


def starts_worn(df: pd.DataFrame, new_below: float = 30.0, tool_col: str = "tool",
                wear_col: str = "Vb") -> list:
    """Tools whose first segment already shows ``new_below`` or more wear (µm): used before the record
    began, so their cutting time is not their time in cut (turning: tools 6, 9 and 14)."""
    first = df.groupby(tool_col, sort=True)[wear_col].first()
    return first.index[first >= new_below].tolist()


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


def best_feature(corr: pd.DataFrame, family: str = "controller") -> str:
    """Name of the feature of ``family`` with the largest ``abs_rho`` in a table like
    :func:`within_tool_correlation`'s (in any row order; NaN rows ignored)."""
    part = corr[(corr["family"] == family) & corr["abs_rho"].notna()]
    if part.empty:
        raise InputError(f"no feature of family {family!r} with a correlation in the table")
    return str(part.loc[part["abs_rho"].idxmax(), "feature"])


def compare_to_reference(label: str, yours, reference) -> bool:
    """Print whether your result (a zero-argument callable, so an error in it is caught here) equals the
    course's reference result; the lab goes on with the reference either way. Returns True when equal."""
    try:
        got = yours()
    except Exception as exc:  # noqa: BLE001  (any error in a participant's function: report it, go on)
        print(f"{label}: yours raised {type(exc).__name__}: {exc}. The lab continues with the reference.")
        return False
    try:
        if isinstance(reference, pd.DataFrame):
            same = (isinstance(got, pd.DataFrame) and got.shape == reference.shape
                    and list(got.columns) == list(reference.columns)
                    and np.allclose(got.to_numpy(float), reference.to_numpy(float), equal_nan=True))
        else:
            same = np.shape(got) == np.shape(reference) and np.allclose(
                np.asarray(got, float), np.asarray(reference, float), equal_nan=True)
    except (TypeError, ValueError):
        same = False
    shape = getattr(got, "shape", None)
    print(f"{label}: yours {'matches' if same else 'DIFFERS from'} the reference"
          + ("" if same or shape is None else f" (yours {shape}, reference {np.shape(reference)})")
          + ("." if same else ". The lab continues with the reference, so later tasks do not depend on it."))
    return bool(same)


# --------------------------------------------------------------------------- evaluation


def _one_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def loto_predict(model, X, y, groups, progress: bool = True, desc: str = "leave-one-tool-out",
                 fit_groups: bool = False) -> np.ndarray:
    """Out-of-fold predictions when each tool (group) is held out in turn and a fresh copy of ``model``
    is fitted on all the other tools. One thread per fit (2-core machines).

    ``fit_groups=True`` passes the training rows' groups to ``fit(X, y, groups=...)``: a model such as
    :class:`GroupedRidgeCV` then tunes by whole tools inside each split (nested, grouped CV)."""
    from sklearn.base import clone
    from tqdm.auto import tqdm

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    pred = np.full(len(y), np.nan)
    with _one_thread():
        for g in tqdm(np.unique(groups), desc=desc, disable=not progress, leave=False):
            test = groups == g
            extra = {"groups": groups[~test]} if fit_groups else {}
            pred[test] = clone(model).fit(X[~test], y[~test], **extra).predict(X[test])
    return pred


class GroupedRidgeCV:
    """Ridge regression on standardised features whose penalty ``alpha`` is chosen by grouped CV on the
    training rows only: ``fit(X, y, groups)`` splits the training TOOLS into ``inner_splits`` folds
    (``GroupKFold``), picks the alpha with the lowest validation MAE, and refits on all training rows.

    Inside :func:`loto_predict` with ``fit_groups=True`` this is nested, grouped CV: the held-out tool never
    helps choose alpha, and neither do neighbouring rows of a validation tool (``RidgeCV``'s default
    leave-one-ROW-out would let them). One SVD per inner fold scores every alpha at once, so the 13 outer
    folds take about a second."""

    def __init__(self, alphas=None, inner_splits: int = 4):
        self.alphas = alphas
        self.inner_splits = inner_splits

    def get_params(self, deep: bool = True) -> dict:
        return {"alphas": self.alphas, "inner_splits": self.inner_splits}

    def set_params(self, **params):
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def _alphas(self) -> np.ndarray:
        return np.logspace(-2, 4, 13) if self.alphas is None else np.asarray(self.alphas, float)

    def fit(self, X, y, groups=None):
        from sklearn.linear_model import Ridge
        from sklearn.model_selection import GroupKFold
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if groups is None:
            raise InputError("GroupedRidgeCV.fit needs groups= (the tool of each row) to tune by whole tools")
        X, y, groups = np.asarray(X, float), np.asarray(y, float), np.asarray(groups)
        alphas = self._alphas()
        n_groups = len(np.unique(groups))
        if n_groups < 2:
            raise InputError("GroupedRidgeCV needs rows from at least 2 tools to tune alpha")
        err = np.zeros(len(alphas))
        for tr, va in GroupKFold(min(self.inner_splits, n_groups)).split(X, y, groups):
            mu, sd = X[tr].mean(axis=0), X[tr].std(axis=0)
            sd[sd == 0] = 1.0
            u, sv, vt = np.linalg.svd((X[tr] - mu) / sd, full_matrices=False)
            uty, ym = u.T @ (y[tr] - y[tr].mean()), y[tr].mean()
            zv = (X[va] - mu) / sd @ vt.T
            for k, a in enumerate(alphas):
                err[k] += np.abs(zv @ (sv / (sv**2 + a) * uty) + ym - y[va]).sum()
        self.alpha_ = float(alphas[int(np.argmin(err))])
        self.model_ = make_pipeline(StandardScaler(), Ridge(alpha=self.alpha_)).fit(X, y)
        return self

    def predict(self, X) -> np.ndarray:
        return self.model_.predict(np.asarray(X, float))


def bootstrap_mae_interval(abs_err, groups, n_boot: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Reference 95 % interval of the MAE, resampling whole groups (tools) with replacement; a group
    drawn twice counts twice (MAE over all rows of the drawn groups)."""
    abs_err, groups = np.asarray(abs_err, float), np.asarray(groups)
    ids, inv = np.unique(groups, return_inverse=True)
    sums, counts = np.bincount(inv, abs_err), np.bincount(inv)
    rng = np.random.default_rng(seed)
    maes = np.empty(n_boot)
    for b in range(n_boot):
        pick = rng.choice(len(ids), size=len(ids), replace=True)
        maes[b] = sums[pick].sum() / counts[pick].sum()
    low, high = np.percentile(maes, [2.5, 97.5])
    return float(low), float(high)


def paired_bootstrap_diff(err_a, err_b, groups, n_boot: int = 2000, seed: int = 0) -> dict:
    """Paired bootstrap over groups (tools) of MAE(a) - MAE(b), both models' absolute errors on the SAME
    rows: each resample draws tools once and scores both models on them, so what the two share (an odd
    tool is hard for both) cancels. Returns the observed difference, its 95 % interval, and the share of
    resamples in which ``a`` has the lower MAE."""
    err_a, err_b, groups = np.asarray(err_a, float), np.asarray(err_b, float), np.asarray(groups)
    if not (err_a.shape == err_b.shape == groups.shape):
        raise InputError(f"err_a, err_b and groups need one value per row each: shapes {err_a.shape}, "
                         f"{err_b.shape}, {groups.shape}")
    ids, inv = np.unique(groups, return_inverse=True)
    sa, sb, counts = np.bincount(inv, err_a), np.bincount(inv, err_b), np.bincount(inv)
    rng = np.random.default_rng(seed)
    diffs = np.empty(n_boot)
    for b in range(n_boot):
        pick = rng.choice(len(ids), size=len(ids), replace=True)
        diffs[b] = (sa[pick].sum() - sb[pick].sum()) / counts[pick].sum()
    low, high = np.percentile(diffs, [2.5, 97.5])
    return {"diff": float(err_a.mean() - err_b.mean()), "low": float(low), "high": float(high),
            "p_a_better": float(np.mean(diffs < 0))}


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


def first_crossing_time(time_s, wear, threshold: float) -> float:
    """Reference (Task 5): first time at which ``wear`` is at or above ``threshold``; NaN if never."""
    return _first_crossing(np.asarray(time_s, float), np.asarray(wear, float), threshold)


def tool_lives(df: pd.DataFrame, threshold: float, tool_col: str = "tool", wear_col: str = "Vb",
               time_col: str = "cut_time_s") -> pd.Series:
    """Cutting time (s) at which each tool first reaches ``threshold``; NaN for a censored tool (its
    record ends before the limit: its life is only known to be longer than its record)."""
    return pd.Series({tool: _first_crossing(p[time_col].to_numpy(float), p[wear_col].to_numpy(float), threshold)
                      for tool, p in df.groupby(tool_col, sort=True)}, name="life_s")


def fixed_interval_times(df: pd.DataFrame, threshold: float, exclude=(), tool_col: str = "tool",
                         wear_col: str = "Vb", time_col: str = "cut_time_s") -> dict:
    """Today's practice, judged fairly: each tool is changed after the shortest life seen among the OTHER
    tools, counting only tools that started new (``exclude``: tools worn before their record began — a
    used insert's clock says nothing about a new one's life) and that reached the limit (a censored tool's
    life is unknown; it is only longer than its record, so it cannot lower that minimum below its end)."""
    lives = tool_lives(df, threshold, tool_col, wear_col, time_col)
    usable = lives[~lives.index.isin(list(exclude))].dropna()
    out = {}
    for tool in lives.index:
        others = usable.drop(tool, errors="ignore")
        if others.empty:
            raise InputError("no other tool that started new reached the limit: no fixed interval to set")
        out[tool] = float(others.min())
    return out


@dataclass
class PolicyResult:
    """Outcome of a tool-change policy over a set of tools (times in s of cutting)."""

    name: str
    per_tool: pd.DataFrame  # tool, life_s, end_s, change_s, changed, wasted_s, wasted_min_s, at_risk_s
    tools_per_hour: float   # inserts used up per hour of cutting (censored tools not changed add hours only)
    wasted_s: float         # usable life thrown away, on tools whose life is known
    at_risk_s: float        # cutting beyond the limit (parts at risk), summed
    late_tools: int         # tools changed after they crossed the limit
    wasted_censored_min_s: float = 0.0  # at least this much more, on censored tools changed early


def evaluate_policy(name: str, df: pd.DataFrame, change_s: dict, threshold: float,
                    tool_col: str = "tool", wear_col: str = "Vb", time_col: str = "cut_time_s") -> PolicyResult:
    """Score a tool-change policy: ``change_s`` maps each tool to the cutting time (s) at which the policy
    changes it (NaN or beyond the record: not changed within the record).

    A tool whose record reaches ``threshold`` is used up either way: changed by the policy, or at the limit
    seen too late (the end of its record); its wasted life and seconds cut beyond the limit ("at risk":
    parts made then may be scrap) are known. A censored tool (its record ends below the limit) has an
    unknown life longer than its record: if the policy changes it, at least ``end - change`` seconds are
    wasted (``wasted_min_s``); if not, it adds cutting time but is not counted as an insert used up."""
    rows = []
    for tool, part in df.groupby(tool_col, sort=True):
        t, w = part[time_col].to_numpy(float), part[wear_col].to_numpy(float)
        life, end = _first_crossing(t, w, threshold), float(t[-1])
        change = float(change_s.get(tool, np.nan))
        changed = bool(np.isfinite(change) and change <= end)
        used = change if changed else end
        censored = not np.isfinite(life)
        rows.append({"tool": tool, "life_s": life, "end_s": end, "change_s": used, "changed": changed,
                     "used_up": changed or not censored,
                     "wasted_s": 0.0 if censored else max(life - used, 0.0),
                     "wasted_min_s": end - used if censored and changed else 0.0,
                     "at_risk_s": 0.0 if censored else max(used - life, 0.0)})
    per_tool = pd.DataFrame(rows)
    hours = per_tool["change_s"].clip(lower=1).sum() / 3600.0
    return PolicyResult(name, per_tool, float(per_tool["used_up"].sum() / hours), float(per_tool.wasted_s.sum()),
                        float(per_tool.at_risk_s.sum()), int((per_tool.at_risk_s > 0).sum()),
                        float(per_tool.wasted_min_s.sum()))


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
    """One row per policy: inserts per hour, wasted life (known, and at least on censored tools), time cut
    beyond the limit, late tools."""
    return pd.DataFrame([{"policy": r.name, "inserts_per_hour": round(r.tools_per_hour, 2),
                          "wasted_life_s": round(r.wasted_s),
                          "wasted_on_censored_at_least_s": round(r.wasted_censored_min_s),
                          "cut_beyond_limit_s": round(r.at_risk_s),
                          "tools_changed_late": r.late_tools} for r in results]).set_index("policy")


def margin_curve(df: pd.DataFrame, pred, threshold: float, margins=None, smooth: int = 10) -> pd.DataFrame:
    """The model-based policy at each safety margin (µm below the limit): wasted life, seconds cut beyond
    the limit, late tools and inserts per hour. The trade-off the margin widget shows."""
    margins = np.arange(0, 151, 10) if margins is None else np.asarray(margins, float)
    rows = []
    for m in margins:
        r = evaluate_policy(f"margin {m:g}", df, model_change_times(df, pred, threshold, float(m), smooth), threshold)
        rows.append({"margin": float(m), "wasted_s": r.wasted_s, "wasted_censored_min_s": r.wasted_censored_min_s,
                     "at_risk_s": r.at_risk_s, "late_tools": r.late_tools, "inserts_per_hour": r.tools_per_hour})
    return pd.DataFrame(rows).set_index("margin")


def margin_explorer(df: pd.DataFrame, pred, threshold: float = VB_LIMIT_TURNING_UM, fixed: PolicyResult | None = None,
                    margins=None, unit: str = "µm"):
    """A slider over the safety margin of the model-based policy: left, wasted life against seconds cut
    beyond the limit for every margin (the chosen one marked, the fixed interval as a reference point);
    right, when each insert is changed against its true life. ``continuous_update=False``: one redraw per
    release, and building the widget draws once without waiting for input (safe in an executed notebook)."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    curve = margin_curve(df, pred, threshold, margins)

    def draw(margin: float):
        res = evaluate_policy("model", df, model_change_times(df, pred, threshold, margin), threshold)
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
        ax1.plot(curve["at_risk_s"], curve["wasted_s"], "o-", color="tab:blue", ms=3, label="model, each margin")
        ax1.plot([res.at_risk_s], [res.wasted_s], "o", color="tab:red", ms=9, label=f"margin {margin:g} {unit}")
        if fixed is not None:
            ax1.plot([fixed.at_risk_s], [fixed.wasted_s], "s", color="k", ms=7, label="fixed interval")
        ax1.set(xlabel="seconds cut beyond the limit (parts at risk)", ylabel="wasted tool life (s)")
        ax1.legend(fontsize="small", frameon=False)
        per = res.per_tool
        x = np.arange(len(per))
        ax2.bar(x - 0.2, per["change_s"], 0.4, label="changed at", color="tab:blue")
        ax2.bar(x + 0.2, per["life_s"].fillna(0), 0.4, label="true life (none: censored)", color="grey")
        ax2.set_xticks(x, [str(t) for t in per["tool"]])
        ax2.set(xlabel="insert", ylabel="cutting time (s)")
        ax2.legend(fontsize="small", frameon=False)
        fig.suptitle(f"margin {margin:g} {unit}: {res.wasted_s:.0f} s wasted (+ at least "
                     f"{res.wasted_censored_min_s:.0f} s on censored inserts), {res.at_risk_s:.0f} s beyond the "
                     f"limit on {res.late_tools} inserts, {res.tools_per_hour:.1f} inserts/h")
        fig.tight_layout()
        plt.show()

    slider = widgets.FloatSlider(value=50.0, min=float(curve.index.min()), max=float(curve.index.max()), step=10.0,
                                 description=f"margin ({unit})", continuous_update=False,
                                 layout=widgets.Layout(width="60%"))
    return widgets.interactive(draw, margin=slider)


# --------------------------------------------------------------------------- health detector


def health_states(wear, limit: float = VB_LIMIT_TURNING_UM) -> np.ndarray:
    """``"healthy"`` below half the limit, ``"degraded"`` up to the limit, ``"failed"`` at or beyond it."""
    wear = np.asarray(wear, float)
    return np.where(wear >= limit, "failed", np.where(wear >= limit / 2, "degraded", "healthy"))


def precision_recall(alarm, worn) -> tuple[float, float]:
    """Reference (Task 6): precision (share of alarms that are worn; 0.0 without alarms) and recall (share
    of worn rows that alarm; 0.0 when nothing is worn) of boolean arrays."""
    alarm, worn = np.asarray(alarm, bool), np.asarray(worn, bool)
    tp = float(np.sum(alarm & worn))
    return (tp / alarm.sum() if alarm.any() else 0.0), (tp / worn.sum() if worn.any() else 0.0)


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
