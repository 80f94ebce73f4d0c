"""Helpers for Lab 3 (``labs/am_parameters``): metal laser powder bed fusion (L-PBF) process parameters.

What is here, in the order of the lab:

* tidy tables: :func:`lpbf_table` (short column names with units), :func:`paper_id` (one id per
  source paper, whatever the DOI spelling), :func:`clean_lpbf` (the course's reference cleaning);
* physics: :func:`volumetric_energy_density` and its linear/areal forms, :func:`normalised_enthalpy`;
* models and honest scores: :func:`average_replicates` (one row per repeated setting),
  :func:`density_model`, :func:`cv_r2` (random or grouped by paper), :func:`fingerprint_table`;
* the process window: :func:`predict_window`, :func:`plot_process_window`, :func:`process_window_widget`;
* melt-pool regimes (MeltpoolNet): :func:`meltpool_table`, :func:`regime_features`, :func:`regime_model`,
  :func:`regime_scores`, :func:`plot_regime_map`, :func:`merged_meltpool_table` (the two tables
  stacked, with twins: why a published 92 % is optimistic);
* planning test builds: :class:`VirtualPrinter`, :func:`run_campaign` (random / grid / Bayesian
  optimisation with a Gaussian process; the acquisition function is passed in), :func:`compare_strategies`;
* printing together with milling: :class:`Rate`, :func:`default_rates`, :class:`DemoPart`,
  :func:`route_costs`, :func:`cost_widget`;
* your own builds: :data:`OWN_BUILDS_SCHEMA`, :func:`load_own_builds`, :func:`write_own_builds_template`.

Units follow the column names: W, mm/s, mm, µm, J/mm³, %, SEK. Tree models are limited to one thread
each (:func:`single_thread`): on a 2-core machine OpenMP contention can make a fit 50× slower.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from indi.errors import InputError

# --------------------------------------------------------------------------- threads


@contextmanager
def single_thread():
    """Limit BLAS/OpenMP pools to one thread inside the block (fast and deterministic on 2 cores)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


os.environ.setdefault("OMP_NUM_THREADS", "1")

# --------------------------------------------------------------------------- L-PBF density table

#: published column name -> short name used in the lab (units in the name)
LPBF_COLUMNS = {
    "Material": "material",
    "Density Measurement Method": "density_method",
    "Atmosphere": "atmosphere",
    "Printed Geom.": "geometry",
    "Laser Power (W)": "power_w",
    "Scan Speed (mm/s)": "speed_mm_s",
    "Hatch space (mm)": "hatch_mm",
    "Layer thickness (mm)": "layer_mm",
    "Spot size (mm)": "spot_mm",
    "Geometric Factor": "geometric_factor",
    "D50 μm": "d50_um",
    "RD (%)": "density_pct",
    "Printer Model": "printer",
    "DOI": "doi",
}

#: the four settings a shop chooses on its own machine
PROCESS_FEATURES = ["power_w", "speed_mm_s", "hatch_mm", "layer_mm"]
#: columns that describe the source paper's set-up more than the process (fingerprints)
SETUP_FEATURES = ["spot_mm", "d50_um", "geometric_factor", "atmosphere_code", "printer_code",
                  "density_method_code", "geometry_code"]
#: the feature set of the published-protocol model: process + energy density + set-up
ALL_FEATURES = PROCESS_FEATURES + ["ved_j_mm3"] + SETUP_FEATURES


def lpbf_table() -> pd.DataFrame:
    """The L-PBF density table (Barrionuevo et al. 2025) with short column names, otherwise unchanged."""
    from indi.data import load_lpbf_density

    df = load_lpbf_density().rename(columns=LPBF_COLUMNS)
    return df.drop(columns=["No."], errors="ignore")


def paper_id(doi) -> pd.Series | str:
    """One id per source paper: the bare DOI, lower case, without ``https://doi.org/`` and spaces.

    The published table spells one paper two ways (a trailing space), so 86 DOI strings are 85 papers.
    Works on a single string or a pandas Series.
    """
    if isinstance(doi, pd.Series):
        return doi.astype(str).str.strip().str.lower().str.replace(r"^https?://(dx\.)?doi\.org/", "", regex=True)
    return paper_id(pd.Series([doi])).iloc[0]


def volumetric_energy_density(power_w, speed_mm_s, hatch_mm, layer_mm):
    """VED = P / (v · h · t) in J/mm³ (W / (mm/s · mm · mm))."""
    return np.asarray(power_w, float) / (np.asarray(speed_mm_s, float) * np.asarray(hatch_mm, float)
                                         * np.asarray(layer_mm, float))


def linear_energy_density(power_w, speed_mm_s):
    """LED = P / v in J/mm."""
    return np.asarray(power_w, float) / np.asarray(speed_mm_s, float)


def areal_energy_density(power_w, speed_mm_s, hatch_mm):
    """AED = P / (v · h) in J/mm²."""
    return np.asarray(power_w, float) / (np.asarray(speed_mm_s, float) * np.asarray(hatch_mm, float))


#: Settings a laser powder bed fusion machine can run, per column (min, max). Rows outside are not L-PBF
#: (in the published table: 316L at 19–26 mm/s with 0.35–0.46 mm layers, Ti6Al4V at 40–100 mm/s with
#: 0.3–0.8 mm hatch: directed-energy-deposition-like settings). Typical L-PBF layers are 20–100 µm and
#: scan speeds several hundred to a few thousand mm/s (DebRoy et al., Prog. Mater. Sci. 92:112, 2018;
#: ISO/ASTM 52900:2021 for the process); the bounds below are set a little outside those typical values
#: so that only settings no L-PBF machine uses are removed.
LPBF_PLAUSIBLE = {
    "power_w": (20.0, 1000.0),
    "speed_mm_s": (100.0, 10000.0),
    "hatch_mm": (0.02, 0.5),
    "layer_mm": (0.01, 0.15),
}


def lpbf_plausible(df: pd.DataFrame, ranges: dict | None = None) -> pd.Series:
    """True for rows whose settings all lie inside :data:`LPBF_PLAUSIBLE` (bounds included)."""
    ranges = ranges or LPBF_PLAUSIBLE
    ok = pd.Series(True, index=df.index)
    for col, (lo, hi) in ranges.items():
        ok &= df[col].between(lo, hi)
    return ok


def clean_lpbf(df: pd.DataFrame | None = None, min_density_pct: float = 50.0) -> pd.DataFrame:
    """The course's reference cleaning of :func:`lpbf_table` (later tasks use this, not your own).

    Adds ``paper`` (:func:`paper_id`) and ``ved_j_mm3``; drops rows that repeat another row exactly
    (all columns but the row number), rows with density below ``min_density_pct`` or above 100.5 %,
    rows with a non-positive process setting, and rows whose settings no L-PBF machine uses
    (:data:`LPBF_PLAUSIBLE`). Adds integer codes for the text columns
    (``printer_code`` …) so tree models can use them. ``df.attrs['dropped']`` says what went and why.
    """
    raw = lpbf_table() if df is None else df.copy()
    dropped = {}
    out = raw.assign(paper=paper_id(raw["doi"]))
    n = len(out)
    out = out.drop_duplicates(subset=[c for c in out.columns if c != "doi"])
    dropped["exact duplicates"] = n - len(out)
    n = len(out)
    ok = out["density_pct"].between(min_density_pct, 100.5)
    out = out[ok]
    dropped[f"density outside {min_density_pct:g}–100.5 %"] = n - len(out)
    n = len(out)
    out = out[(out[PROCESS_FEATURES] > 0).all(axis=1)]
    dropped["non-positive setting"] = n - len(out)
    n = len(out)
    out = out[lpbf_plausible(out)]
    dropped["settings outside L-PBF (LPBF_PLAUSIBLE)"] = n - len(out)
    out = out.assign(ved_j_mm3=volumetric_energy_density(out.power_w, out.speed_mm_s, out.hatch_mm, out.layer_mm))
    for col in ("atmosphere", "printer", "density_method", "geometry"):
        if col in out:
            out[f"{col}_code"] = out[col].astype(str).str.strip().astype("category").cat.codes
    out = out.reset_index(drop=True)
    out.attrs["dropped"] = dropped
    return out


#: the columns that define "the same build settings" (with ``material`` and ``paper``) for replicates
REPLICATE_INPUTS = ["material", "paper", *ALL_FEATURES]


def average_replicates(df: pd.DataFrame, inputs: list[str] | None = None) -> pd.DataFrame:
    """One row per distinct setting of one paper: density averaged over the builds that repeat it.

    Rows of :func:`clean_lpbf` that share every input column (``REPLICATE_INPUTS``: material, paper and
    all model features) and differ only in density are replicates. A model cannot tell them apart, so
    their spread is noise it cannot learn, and in a random split one replicate in training and another
    in test leaks the answer. The mean is what a model should predict. Adds ``replicates`` (builds
    averaged) and ``density_sd_pct`` (their standard deviation, 0 for a single build); other columns
    keep the first row's value. ``df.attrs['replicates']`` gives the row counts before and after.
    """
    inputs = list(inputs or REPLICATE_INPUTS)
    missing = [c for c in [*inputs, "density_pct"] if c not in df]
    if missing:
        raise InputError(f"average_replicates needs the columns {missing}; use clean_lpbf() output.")
    grouped = df.groupby(inputs, sort=False, dropna=False)
    out = grouped.first().reset_index()
    out["density_pct"] = grouped["density_pct"].mean().to_numpy()
    out["replicates"] = grouped.size().to_numpy()
    out["density_sd_pct"] = grouped["density_pct"].std(ddof=1).fillna(0.0).to_numpy()
    out = out[[*[c for c in df.columns if c in out], "replicates", "density_sd_pct"]]
    out.attrs["replicates"] = {"rows": len(df), "settings": len(out),
                               "rows in repeated settings": int(out.loc[out.replicates > 1, "replicates"].sum())}
    return out


def fingerprint_table(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """How strongly each column identifies the source paper.

    ``share_rows_one_paper``: share of rows whose value of the column occurs in only one paper (1.0 =
    knowing the value tells you the paper). ``values`` distinct values, ``papers`` distinct papers.
    """
    columns = columns or ["power_w", "speed_mm_s", "hatch_mm", "layer_mm", "spot_mm", "d50_um",
                          "geometric_factor", "printer"]
    rows = []
    for col in columns:
        papers_per_value = df.groupby(col)["paper"].nunique()
        one = df[col].map(papers_per_value).eq(1).mean()
        rows.append({"column": col, "values": df[col].nunique(), "papers": df["paper"].nunique(),
                     "share_rows_one_paper": round(float(one), 3)})
    return pd.DataFrame(rows).sort_values("share_rows_one_paper", ascending=False).reset_index(drop=True)


# --------------------------------------------------------------------------- density models


def density_model(seed: int = 0, n_trees: int = 150, n_boost: int = 200):
    """Relative density (%) regressor: the mean of extra trees and gradient boosting (one thread).

    ``n_trees`` extra trees and ``n_boost`` boosting stages (depth 4, learning rate 0.05, 80 % rows).
    """
    from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, VotingRegressor

    return VotingRegressor([
        ("extra_trees", ExtraTreesRegressor(n_estimators=n_trees, random_state=seed, n_jobs=1)),
        ("boosting", GradientBoostingRegressor(n_estimators=n_boost, max_depth=4, learning_rate=0.05,
                                               subsample=0.8, random_state=seed)),
    ])


def cv_r2(data: pd.DataFrame, features: list[str], grouped: bool, n_splits: int = 5, n_repeats: int = 2,
          seed: int = 0, model_factory: Callable | None = None, progress: bool = False) -> dict:
    """Cross-validated R² of ``density_pct``, with its Dummy and replicate ceiling on the same folds.

    ``grouped=False``: the published protocol, random K-fold repeated ``n_repeats`` times.
    ``grouped=True``: K-fold grouped by ``paper`` (no paper in both training and test folds), as
    for a new machine. Returns ``{"mean", "std", "folds"}`` (the model's R² per test fold) and beside it

    * ``dummy_mean``, ``dummy_folds``: always predicting the **training** mean (a DummyRegressor fitted
      on the same training folds). A model is only worth something where it beats this.
    * ``ceiling_mean``, ``ceiling_folds``: each test row predicted by the mean density of all builds with
      identical inputs (:data:`REPLICATE_INPUTS`). No model that sees only these inputs can do better, so
      1 − ceiling is the share of the variance that is replicate noise. (1.0 on averaged settings.)
    * ``pred``, ``dummy_pred``: out-of-fold predictions of the last repeat (for :func:`paired_bootstrap_r2`).

    Every R² is scored per test fold against that fold's own mean (``r2_score``), so a fold's Dummy is
    below 0 whenever the training mean differs from the test mean: compare the model with the Dummy,
    not with 0.
    """
    from sklearn.dummy import DummyRegressor
    from sklearn.metrics import r2_score
    from sklearn.model_selection import GroupKFold, RepeatedKFold

    missing = [c for c in [*features, "density_pct", "paper"] if c not in data]
    if missing:
        raise InputError(f"cv_r2 needs the columns {missing}; use clean_lpbf() output.")
    factory = model_factory or (lambda: density_model(seed))
    X = data[features].to_numpy(float)
    y = data["density_pct"].to_numpy(float)
    keys = [c for c in REPLICATE_INPUTS if c in data]
    ceiling = data.groupby(keys, sort=False, dropna=False)["density_pct"].transform("mean").to_numpy(float)
    if grouped:
        k = min(n_splits, data["paper"].nunique())
        splits = list(GroupKFold(n_splits=k).split(X, y, groups=data["paper"]))
    else:
        splits = list(RepeatedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed).split(X))
    scores, dummy, ceil = [], [], []
    pred, dummy_pred = np.full(len(y), np.nan), np.full(len(y), np.nan)
    iterator = splits
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(splits, desc="grouped folds" if grouped else "random folds", leave=False)
    with single_thread():
        for tr, te in iterator:
            model = factory().fit(X[tr], y[tr])
            pred[te] = model.predict(X[te])
            dummy_pred[te] = DummyRegressor(strategy="mean").fit(X[tr], y[tr]).predict(X[te])
            scores.append(r2_score(y[te], pred[te]))
            dummy.append(r2_score(y[te], dummy_pred[te]))
            ceil.append(r2_score(y[te], ceiling[te]))
    return {"mean": float(np.mean(scores)), "std": float(np.std(scores)), "folds": scores,
            "dummy_mean": float(np.mean(dummy)), "dummy_folds": dummy,
            "ceiling_mean": float(np.mean(ceil)), "ceiling_folds": ceil,
            "pred": pred, "dummy_pred": dummy_pred}


def ceiling_cv(rows: pd.DataFrame, grouped: bool, n_splits: int = 5, n_repeats: int = 2, seed: int = 0) -> float:
    """Mean per-fold R² of the replicate ceiling (each build predicted by the mean of its identical-input
    group) on the folds :func:`cv_r2` uses with the same arguments; no model is fitted."""
    from sklearn.metrics import r2_score
    from sklearn.model_selection import GroupKFold, RepeatedKFold

    keys = [c for c in REPLICATE_INPUTS if c in rows]
    y = rows["density_pct"].to_numpy(float)
    mean = rows.groupby(keys, sort=False, dropna=False)["density_pct"].transform("mean").to_numpy(float)
    if grouped:
        splits = GroupKFold(n_splits=min(n_splits, rows["paper"].nunique())).split(y, y, groups=rows["paper"])
    else:
        splits = RepeatedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed).split(y)
    return float(np.mean([r2_score(y[te], mean[te]) for _, te in splits]))


def replicate_ceiling(rows: pd.DataFrame) -> float:
    """R² of predicting every build by the mean of the builds with identical inputs (one alloy's rows).

    The most any model of these inputs can explain: what is left is the spread between builds of
    the same setting (replicate noise). Use it on :func:`clean_lpbf` rows, not on averaged settings.
    """
    keys = [c for c in REPLICATE_INPUTS if c in rows]
    y = rows["density_pct"].to_numpy(float)
    mean = rows.groupby(keys, sort=False, dropna=False)["density_pct"].transform("mean").to_numpy(float)
    return float(1.0 - np.sum((y - mean) ** 2) / np.sum((y - y.mean()) ** 2))


def paired_bootstrap_r2(y, pred_a, pred_b, groups, n_boot: int = 1000, seed: int = 0) -> dict:
    """Is A better than B? Paired bootstrap over groups (papers) of the pooled R² difference A − B.

    Papers are drawn with replacement (all rows of a drawn paper come along, for A and B alike), and
    the pooled R² of both predictions is computed on the same resample. Returns ``diff`` (on the data),
    ``low``/``high`` (95 % interval), ``share_a_better`` (share of resamples where A wins). Claim
    "A beats B" only when ``low > 0``.
    """
    y, a, b = (np.asarray(v, float) for v in (y, pred_a, pred_b))
    groups = np.asarray(groups)
    ok = ~(np.isnan(a) | np.isnan(b))
    y, a, b, groups = y[ok], a[ok], b[ok], groups[ok]
    labels, idx = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(idx == g) for g in range(len(labels))]

    def r2(t, p):
        return 1.0 - np.sum((t - p) ** 2) / np.sum((t - t.mean()) ** 2)

    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(n_boot):
        rows = np.concatenate([members[g] for g in rng.integers(0, len(labels), len(labels))])
        if np.ptp(y[rows]) == 0:
            continue
        diffs.append(r2(y[rows], a[rows]) - r2(y[rows], b[rows]))
    diffs = np.asarray(diffs)
    return {"diff": float(r2(y, a) - r2(y, b)), "low": float(np.percentile(diffs, 2.5)),
            "high": float(np.percentile(diffs, 97.5)), "share_a_better": float(np.mean(diffs > 0)),
            "groups": int(len(labels))}


# --------------------------------------------------------------------------- process window


def fit_window_model(data: pd.DataFrame, seed: int = 0):
    """A density model on the four process settings plus VED only (what a shop can set)."""
    X = data[PROCESS_FEATURES].to_numpy(float)
    X = np.column_stack([X, volumetric_energy_density(*X.T)])
    with single_thread():
        return density_model(seed, n_trees=100).fit(X, data["density_pct"].to_numpy(float))


def predict_window(model, hatch_mm: float, layer_mm: float, power_w=(80, 400), speed_mm_s=(200, 2000),
                   n: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted density (%) on an n×n power–speed grid at fixed hatch and layer: (P, v, density)."""
    P, V = np.meshgrid(np.linspace(*power_w, n), np.linspace(*speed_mm_s, n))
    X = np.column_stack([P.ravel(), V.ravel(), np.full(P.size, hatch_mm), np.full(P.size, layer_mm)])
    X = np.column_stack([X, volumetric_energy_density(*X.T)])
    with single_thread():
        Z = model.predict(X).reshape(P.shape)
    return P, V, Z


def inside_data(data: pd.DataFrame, X: np.ndarray) -> np.ndarray:
    """True where a setting (rows of X: power W, speed mm/s, hatch mm, layer mm) lies inside the convex
    hull of the builds in ``data`` (on log scales). Outside it a model extrapolates: do not trust it."""
    from scipy.spatial import Delaunay

    pts = np.log(np.unique(data[PROCESS_FEATURES].to_numpy(float), axis=0))
    hull = Delaunay(pts, qhull_options="QJ")
    return hull.find_simplex(np.log(np.asarray(X, float))) >= 0


def builds_nearby(data: pd.DataFrame, X: np.ndarray, rel: float = 0.25, hatch_mm: float = 0.02,
                  layer_mm: float = 0.01) -> np.ndarray:
    """How many builds of ``data`` lie near each setting of X (power W, speed mm/s, hatch mm, layer mm):
    power and speed within ±``rel`` (relative), hatch and layer within the given absolute steps."""
    B = data[PROCESS_FEATURES].to_numpy(float)
    X = np.asarray(X, float)
    near = ((np.abs(np.log(X[:, None, 0] / B[None, :, 0])) <= np.log1p(rel))
            & (np.abs(np.log(X[:, None, 1] / B[None, :, 1])) <= np.log1p(rel))
            & (np.abs(X[:, None, 2] - B[None, :, 2]) <= hatch_mm + 1e-9)
            & (np.abs(X[:, None, 3] - B[None, :, 3]) <= layer_mm + 1e-9))
    return near.sum(axis=1)


def window_grid(data: pd.DataFrame, hatches=(0.08, 0.10, 0.12), layers=(0.03, 0.04, 0.05), n: int = 30,
                n_boot: int = 10, seed: int = 0, power_w=(80, 400), speed_mm_s=(200, 3000),
                min_nearby: int = 3) -> pd.DataFrame:
    """Candidate settings with the window model's prediction and its spread, marked where data exist.

    Columns: the four settings, ``predicted_pct`` (:func:`fit_window_model` on all rows), ``low_pct`` /
    ``high_pct`` (10th / 90th percentile over ``n_boot`` models refitted on papers drawn with
    replacement: how much the answer depends on which papers happen to be in the table),
    ``builds_nearby`` (:func:`builds_nearby`) and ``in_data``: inside the convex hull of the builds
    (:func:`inside_data`) and at least ``min_nearby`` builds nearby.
    """
    P, V = np.meshgrid(np.linspace(*power_w, n), np.linspace(*speed_mm_s, n))
    parts = [np.column_stack([P.ravel(), V.ravel(), np.full(P.size, h), np.full(P.size, t)])
             for h in hatches for t in layers]
    X = np.vstack(parts)
    XF = np.column_stack([X, volumetric_energy_density(*X.T)])
    with single_thread():  # densities above 100 % are impossible: clip the trees' averages
        main = np.minimum(fit_window_model(data, seed).predict(XF), 100.0)
        papers = data["paper"].unique()
        rng = np.random.default_rng(seed)
        boot = []
        for b in range(n_boot):
            pick = rng.choice(papers, size=len(papers), replace=True)
            sample = pd.concat([data[data.paper == p] for p in pick], ignore_index=True)
            boot.append(np.minimum(fit_window_model(sample, seed + b + 1).predict(XF), 100.0))
    boot = np.array(boot)
    nearby = builds_nearby(data, X)
    return pd.DataFrame({"power_w": X[:, 0], "speed_mm_s": X[:, 1], "hatch_mm": X[:, 2], "layer_mm": X[:, 3],
                         "predicted_pct": main, "low_pct": np.percentile(boot, 10, axis=0),
                         "high_pct": np.percentile(boot, 90, axis=0), "builds_nearby": nearby,
                         "in_data": inside_data(data, X) & (nearby >= min_nearby)})


def fastest_dense_setting(grid: pd.DataFrame, threshold_pct: float = 99.5, column: str = "predicted_pct"):
    """Reference answer of Task 4: the row with the largest build rate v·h·t among rows with
    ``column >= threshold_pct`` (a Series), or None."""
    dense = grid[grid[column] >= threshold_pct]
    if dense.empty:
        return None
    return dense.loc[(dense.speed_mm_s * dense.hatch_mm * dense.layer_mm).idxmax()]


def plot_process_window(model, data: pd.DataFrame | None = None, hatch_mm: float = 0.1, layer_mm: float = 0.03,
                        threshold_pct: float = 99.5, ax=None, **grid):
    """Power–speed map: predicted density contours, the ≥ threshold region hatched, nearby builds as dots."""
    import matplotlib.pyplot as plt

    P, V, Z = predict_window(model, hatch_mm, layer_mm, **grid)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.5))
    cs = ax.contourf(P, V, Z, levels=np.linspace(90, 100, 11), cmap="viridis", extend="min")
    ax.contour(P, V, Z, levels=[threshold_pct], colors="white", linewidths=2)
    ax.contourf(P, V, Z, levels=[threshold_pct, 101], colors="none", hatches=["//"])
    if data is not None:
        X = np.column_stack([P.ravel(), V.ravel(), np.full(P.size, hatch_mm), np.full(P.size, layer_mm)])
        outside = ~inside_data(data, X).reshape(P.shape)
        ax.contourf(P, V, outside.astype(float), levels=[0.5, 1.5], colors="white", alpha=0.6)
        near = data[(data.hatch_mm.sub(hatch_mm).abs() <= 0.02) & (data.layer_mm.sub(layer_mm).abs() <= 0.01)]
        ax.scatter(near.power_w, near.speed_mm_s, c=near.density_pct, cmap="viridis", vmin=90, vmax=100,
                   edgecolor="k", s=25, label=f"builds with similar hatch/layer (n={len(near)})")
        ax.legend(loc="upper left", fontsize=8)
    ax.figure.colorbar(cs, ax=ax, label="predicted relative density (%)")
    ax.set(xlabel="laser power (W)", ylabel="scan speed (mm/s)",
           title=f"hatch {hatch_mm:.2f} mm, layer {layer_mm * 1000:.0f} µm: white line = {threshold_pct} %"
           + ("\n(pale: outside the data, the model extrapolates)" if data is not None else ""))
    share = float((Z >= threshold_pct).mean())
    ax.text(0.99, 0.01, f"{share:.0%} of the map ≥ {threshold_pct} %", transform=ax.transAxes, ha="right",
            va="bottom", color="white", fontsize=9)
    return ax


def process_window_widget(model, data: pd.DataFrame | None = None, threshold_pct: float = 99.5):
    """Sliders for hatch spacing and layer thickness; the power–speed window is redrawn as they move."""
    import ipywidgets as w
    import matplotlib.pyplot as plt

    hatch = w.FloatSlider(value=0.10, min=0.05, max=0.20, step=0.01, description="hatch (mm)",
                          continuous_update=False, readout_format=".2f")
    layer = w.FloatSlider(value=0.03, min=0.02, max=0.08, step=0.01, description="layer (mm)",
                          continuous_update=False, readout_format=".2f")
    out = w.Output()

    def draw(*_):
        with out:
            out.clear_output(wait=True)
            plot_process_window(model, data, hatch.value, layer.value, threshold_pct)
            plt.show()

    hatch.observe(draw, "value")
    layer.observe(draw, "value")
    draw()
    return w.VBox([w.HBox([hatch, layer]), out])


# --------------------------------------------------------------------------- melt-pool regimes

REGIMES = ("desirable", "keyhole", "LOF", "balling")


def _source(row_comment, row_paper):
    # In the classification table `paper ID` mostly holds material-group codes; the real source number
    # is in `comment` when that is a number (or "Runbo data"). Other comments are labelling criteria.
    if isinstance(row_comment, str):
        text = row_comment.strip()
        if text.replace(".", "", 1).isdigit():
            return f"src{int(float(text))}"
        if text.lower().startswith("runbo"):
            return "Runbo data"
    return f"src{row_paper:g}"


def normalised_enthalpy(power_w, speed_mm_s, beam_d_um, density_kg_m3, cp_j_kgk, k_w_mk, melting_k,
                        absorptivity: float = 1.0):
    """Normalised enthalpy ΔH/h_s = A·P / (π·ρ·c_p·T_m·sqrt(α·v·σ³)) (King et al. 2014), dimensionless.

    α = k/(ρ c_p) thermal diffusivity (m²/s), σ = beam radius = beam_d/2 (m), v in m/s. With
    ``absorptivity=1`` the value is proportional to the physical one (the absorptivity is rarely known).
    """
    P = np.asarray(power_w, float)
    v = np.asarray(speed_mm_s, float) * 1e-3
    sigma = np.asarray(beam_d_um, float) * 1e-6 / 2
    rho, cp, k, tm = (np.asarray(a, float) for a in (density_kg_m3, cp_j_kgk, k_w_mk, melting_k))
    alpha = k / (rho * cp)
    return absorptivity * P / (np.pi * rho * cp * tm * np.sqrt(alpha * v * sigma**3))


def meltpool_table() -> pd.DataFrame:
    """MeltpoolNet classification table, ready: 4 regimes (8 'spatter' rows dropped), ``source`` per row."""
    from indi.data import load_meltpoolnet

    df = load_meltpoolnet("classification")
    df = df[df["meltpool shape"].isin(REGIMES)].copy()
    df["source"] = [_source(c, p) for c, p in zip(df["comment"], df["paper ID"], strict=True)]
    df = df.rename(columns={"meltpool shape": "regime"})
    return df.reset_index(drop=True)


#: what identifies one melt-pool observation across the two MeltpoolNet tables
TWIN_KEY = ["Material", "Power", "Velocity", "beam D", "Hatch spacing", "layer thickness"]


def twin_key(df: pd.DataFrame) -> pd.Series:
    """A text key per row from :data:`TWIN_KEY`: rows with equal keys are the same observation."""
    return pd.Series(["|".join(map(str, t)) for t in df[TWIN_KEY].itertuples(index=False)], index=df.index)


def merged_meltpool_table() -> pd.DataFrame:
    """Both MeltpoolNet tables stacked, as in AM-DefectNet's ~2,000-row set: beware, it holds twins.

    The classification table (1,241 rows of the four regimes) plus the regression-table rows that also
    carry one of the four regimes (778), on the columns the two share, with ``table`` saying where a row
    came from. Every one of those 778 rows repeats a classification row (same :data:`TWIN_KEY`: material,
    power, speed, beam diameter, hatch and layer): stacked, a random split puts one twin in training and
    the other in the test set. (Inside the classification table 13 observations also appear twice.)
    """
    from indi.data import load_meltpoolnet

    cls = meltpool_table()
    reg = load_meltpoolnet("regression").rename(columns={"meltpool shape": "regime"})
    reg = reg[reg["regime"].isin(REGIMES)]
    common = [c for c in cls.columns if c in reg.columns]
    return pd.concat([cls[common].assign(table="classification"), reg[common].assign(table="regression")],
                     ignore_index=True)


def regime_features(df: pd.DataFrame) -> pd.DataFrame:
    """Numeric features for the regime classifier: settings, material properties, composition,
    normalised enthalpy and P/v, P/√v. Source columns (``paper ID``, ``paper``) are left out."""
    skip = {"paper ID", "paper", "porosity", "relative density"}
    num = df.select_dtypes("number").drop(columns=[c for c in skip if c in df], errors="ignore")
    num = num.assign(
        enthalpy=normalised_enthalpy(df["Power"], df["Velocity"], df["beam D"], df["density"], df["Cp"], df["k"],
                                     df["melting T"]),
        p_over_v=df["Power"] / df["Velocity"],
        p_over_sqrt_v=df["Power"] / np.sqrt(df["Velocity"]),
    )
    return num.fillna(-1.0)  # trees: "not reported" becomes its own value


def regime_model(seed: int = 0, n_trees: int = 300):
    """Random forest for the melt-pool regime (one thread)."""
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=n_trees, random_state=seed, n_jobs=1)


def regime_scores(df: pd.DataFrame, seeds=range(10), n_groups: int = 5, n_trees: int = 300,
                  grouped: bool = True) -> dict:
    """Accuracy on random stratified 75/25 splits (mean over seeds) and balanced accuracy grouped by source,
    each with its Dummy (``dummy_accuracy_random``: always the most frequent training regime;
    ``dummy_balanced_accuracy``: any constant guess, 1 / number of regimes).

    Also ``test_twin_share``: the share of test rows whose twin (:func:`twin_key`) sits in the training
    part, averaged over the seeds (about 0.01 for the classification table, 0.6 for the merged table).
    ``grouped=False`` skips the grouped folds (which need a ``source`` column).
    """
    from sklearn.metrics import accuracy_score, balanced_accuracy_score
    from sklearn.model_selection import GroupKFold, train_test_split

    X = regime_features(df).to_numpy(float)
    y = df["regime"].to_numpy()
    keys = twin_key(df).to_numpy()
    acc, twins, dummy = [], [], []
    with single_thread():
        for s in seeds:
            tr, te = train_test_split(np.arange(len(y)), test_size=0.25, random_state=s, stratify=y)
            acc.append(accuracy_score(y[te], regime_model(s, n_trees).fit(X[tr], y[tr]).predict(X[te])))
            values, counts = np.unique(y[tr], return_counts=True)
            dummy.append(float(np.mean(y[te] == values[np.argmax(counts)])))  # most frequent training class
            twins.append(float(np.isin(keys[te], keys[tr]).mean()))
        out = {"accuracy_random": float(np.mean(acc)), "accuracy_random_std": float(np.std(acc)),
               "test_twin_share": float(np.mean(twins)), "dummy_accuracy_random": float(np.mean(dummy))}
        if grouped:
            pred = np.empty_like(y)
            for tr, te in GroupKFold(n_splits=n_groups).split(X, y, groups=df["source"]):
                pred[te] = regime_model(0, n_trees).fit(X[tr], y[tr]).predict(X[te])
            out.update(balanced_accuracy_grouped=float(balanced_accuracy_score(y, pred)),
                       accuracy_grouped=float(accuracy_score(y, pred)),
                       dummy_balanced_accuracy=1.0 / len(np.unique(y)))  # a constant guess
    return out


REGIME_COLOURS = {"desirable": "tab:green", "keyhole": "tab:red", "LOF": "tab:blue", "balling": "tab:orange"}


def plot_regime_map(df: pd.DataFrame, material: str = "SS316L", ax=None, seed: int = 0):
    """Power–speed process map of one material: regions from a classifier on (P, v), builds as dots."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    sub = df[df["Material"] == material]
    if sub.empty:
        raise InputError(f"No rows for material {material!r}; choose from {sorted(df['Material'].unique())}.")
    labels = [r for r in REGIMES if r in set(sub["regime"])]
    code = {r: i for i, r in enumerate(labels)}
    X = np.column_stack([sub["Power"], np.log10(sub["Velocity"])])
    with single_thread():
        clf = regime_model(seed, 200).fit(X, sub["regime"].map(code))
    P, LV = np.meshgrid(np.linspace(sub.Power.min(), sub.Power.max(), 120),
                        np.linspace(X[:, 1].min(), X[:, 1].max(), 120))
    Z = clf.predict(np.column_stack([P.ravel(), LV.ravel()])).reshape(P.shape)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.5))
    cmap = ListedColormap([REGIME_COLOURS[r] for r in labels])
    ax.contourf(P, 10**LV, Z, levels=np.arange(len(labels) + 1) - 0.5, cmap=cmap, alpha=0.25)
    for r in labels:
        s = sub[sub["regime"] == r]
        ax.scatter(s.Power, s.Velocity, s=14, color=REGIME_COLOURS[r], label=f"{r} ({len(s)})", edgecolor="k",
                   linewidth=0.3)
    ax.set_yscale("log")
    ax.set(xlabel="laser power (W)", ylabel="scan speed (mm/s, log scale)",
           title=f"{material}: melt-pool regimes (MeltpoolNet, {sub['source'].nunique()} sources)")
    ax.legend(fontsize=8)
    return ax


# --------------------------------------------------------------------------- virtual printer + BO


#: 316L properties for the keyhole term (typical values, as in Task 5): kg/m³, J/(kg·K), W/(m·K), K
STEEL_316L = {"density_kg_m3": 7950.0, "cp_j_kgk": 500.0, "k_w_mk": 16.0, "melting_k": 1700.0}
#: Absorptivity the virtual printer ASSUMES for 316L powder at 1070 nm. Measured effective values for
#: 316L powder beds span roughly 0.3–0.7 with power and speed (Trapp et al., Appl. Mater. Today 9:341, 2017).
ABSORPTIVITY_316L = 0.4
#: Median standard deviation of density between builds of the same setting in the L-PBF table (%):
#: the virtual printer's coupon-to-coupon scatter (measured from the data by :func:`replicate_sd_pct`).
REPLICATE_SD_PCT = 0.33
#: ΔH/h_s range in which the keyhole onset of the virtual printer is fitted (King et al. report ≈ 30 for
#: their set-up; an onset is only comparable at the same absorptivity, so it is fitted, not copied)
KEYHOLE_ONSET_RANGE = (3.0, 100.0)


def replicate_sd_pct(data: pd.DataFrame | None = None) -> float:
    """Median standard deviation (%) of density between builds that repeat one setting of one paper."""
    settings = average_replicates(clean_lpbf() if data is None else data)
    return float(settings.loc[settings.replicates > 1, "density_sd_pct"].median())


@dataclass
class VirtualPrinter:
    """A simulated L-PBF machine for 316L, fitted to one paper's builds; power and speed act separately.

    Porosity (%) = base + lack-of-fusion term + keyhole term + overheating term, each a softplus:

    * lack of fusion grows when the energy density VED = P/(v·h·t) falls below ``exp(ln_lof)``: too
      little energy per volume to melt through the layer and overlap the tracks;
    * keyhole pores grow when the **normalised enthalpy** ΔH/h_s = A·P/(π ρ c_p T_m √(α v σ³))
      (King et al. 2014) rises above ``exp(ln_kh)``. It depends on P/√v and the spot, not on hatch or
      layer: at the same VED, a slow low-power scan and a fast high-power scan differ. ``absorptivity``
      A is an ASSUMPTION (0.4 for 316L powder); the threshold is only meaningful with that A;
    * overheating grows when VED rises above ``exp(ln_hi)`` (e.g. tracks packed too tightly).

    ``build`` adds Gaussian scatter ``noise_pct`` per coupon: the data's replicate spread (median SD of
    repeated settings, 0.35 %). Layer thickness and spot are fixed; the shop searches ``bounds``.
    """

    params: np.ndarray
    noise_pct: float = REPLICATE_SD_PCT
    layer_mm: float = 0.03
    spot_um: float = 80.0
    absorptivity: float = ABSORPTIVITY_316L
    bounds: dict = field(default_factory=lambda: {"power_w": (100.0, 400.0), "speed_mm_s": (400.0, 2500.0),
                                                  "hatch_mm": (0.05, 0.15)})
    source: str = ""
    fit_rmse_pct: float = float("nan")

    @property
    def keyhole_onset(self) -> float:
        """ΔH/h_s (at the assumed absorptivity) above which the keyhole term grows."""
        return float(np.exp(self.params[5]))

    def enthalpy(self, power_w, speed_mm_s):
        """ΔH/h_s of a setting with the printer's assumed absorptivity, spot and 316L properties."""
        return normalised_enthalpy(power_w, speed_mm_s, self.spot_um, absorptivity=self.absorptivity,
                                   **STEEL_316L)

    @staticmethod
    def _porosity(params, ved, enthalpy):
        base, a, ln_lof, s1, b, ln_kh, s2, c, ln_hi, s3 = params
        soft = lambda z: np.logaddexp(0.0, z)  # noqa: E731
        x = np.log(ved)
        return (np.exp(base) + a * soft((ln_lof - x) / s1) + b * soft((np.log(enthalpy) - ln_kh) / s2)
                + c * soft((x - ln_hi) / s3))

    def true_density(self, power_w, speed_mm_s, hatch_mm):
        """Density (%) the setting would give without scatter (what no shop can observe directly)."""
        ved = volumetric_energy_density(power_w, speed_mm_s, hatch_mm, self.layer_mm)
        return 100.0 - self._porosity(self.params, ved, self.enthalpy(power_w, speed_mm_s))

    def build(self, power_w, speed_mm_s, hatch_mm, rng: np.random.Generator):
        """Print one coupon and measure it: density (%) with the coupon-to-coupon scatter."""
        return float(self.true_density(power_w, speed_mm_s, hatch_mm) + rng.normal(0, self.noise_pct))

    def candidates(self, n: int = 12) -> np.ndarray:
        """An n×n×n grid of settings (power W, speed mm/s, hatch mm) that the planners choose from."""
        axes = [np.linspace(*self.bounds[k], n) for k in ("power_w", "speed_mm_s", "hatch_mm")]
        return np.array(np.meshgrid(*axes, indexing="ij")).reshape(3, -1).T

    def search_space(self) -> dict:
        """What the planners search, honestly: the settings' ranges and the VED span they cover."""
        cand = self.candidates()
        ved = volumetric_energy_density(*cand.T, self.layer_mm)
        dense = self.true_density(*cand.T) >= 99.5
        return {**{k: v for k, v in self.bounds.items()}, "layer_mm": self.layer_mm,
                "ved_min": float(ved.min()), "ved_max": float(ved.max()), "candidates": len(cand),
                "share_dense": float(dense.mean()),
                "dense_ved": (float(ved[dense].min()), float(ved[dense].max())) if dense.any() else None}


def fit_virtual_printer(data: pd.DataFrame | None = None, paper: str = "10.1007/s40430-020-02491-3",
                        noise_pct: float | None = None, absorptivity: float = ABSORPTIVITY_316L) -> VirtualPrinter:
    """Fit :class:`VirtualPrinter` to one paper's builds (default: 25 316L coupons on a ProtoFab SLM 150).

    The curve's residual RMSE is kept as ``fit_rmse_pct`` (it holds the paper's replicate scatter and
    what the curve misses). ``noise_pct`` defaults to the table's replicate spread
    (:func:`replicate_sd_pct`). The keyhole onset is fitted within :data:`KEYHOLE_ONSET_RANGE` (ΔH/h_s at
    the given absorptivity); ``printer.keyhole_onset`` gives the fitted value.
    """
    from scipy.optimize import least_squares

    data = clean_lpbf() if data is None else data
    sub = data[data["paper"] == paper]
    if len(sub) < 8:
        raise InputError(f"Paper {paper!r} has {len(sub)} rows; the virtual printer needs at least 8 builds.")
    spot = sub["spot_mm"].median() * 1000 if sub["spot_mm"].notna().any() else 80.0
    layer = float(sub["layer_mm"].median())
    shell = VirtualPrinter(params=np.zeros(10), layer_mm=layer, spot_um=float(spot), absorptivity=absorptivity)
    ved = sub["ved_j_mm3"].to_numpy(float)
    enth = shell.enthalpy(sub["power_w"].to_numpy(float), sub["speed_mm_s"].to_numpy(float))
    por = 100.0 - sub["density_pct"].to_numpy(float)
    x0 = [np.log(0.1), 1.0, np.log(np.percentile(ved, 25)), 0.2, 1.0, np.log(np.percentile(enth, 90)), 0.2,
          1.0, np.log(np.percentile(ved, 90)), 0.2]
    lo = [np.log(1e-3), 0.0, np.log(ved.min() / 3), 0.02, 0.0, np.log(KEYHOLE_ONSET_RANGE[0]), 0.02,
          0.0, np.log(ved.min()), 0.02]
    hi = [np.log(2.0), 50.0, np.log(ved.max()), 2.0, 50.0, np.log(KEYHOLE_ONSET_RANGE[1]), 2.0,
          50.0, np.log(ved.max() * 3), 2.0]
    fit = least_squares(lambda p: VirtualPrinter._porosity(p, ved, enth) - por, x0, bounds=(lo, hi))
    rmse = float(np.sqrt(np.mean(fit.fun**2)))
    noise = replicate_sd_pct(data) if noise_pct is None else noise_pct
    return replace(shell, params=fit.x, noise_pct=noise, source=paper, fit_rmse_pct=rmse)


def literature_window(data: pd.DataFrame, material: str = "316L", exclude_paper: str | None = None,
                      threshold_pct: float = 99.5) -> tuple[float, float]:
    """The VED band (J/mm³, 25th–75th percentile) of published builds that reached ``threshold_pct``.

    What a shop would read off the literature before its first coupon. ``exclude_paper``: leave out
    the paper the virtual printer imitates (it stands for *your* machine).
    """
    sub = data[(data.material == material) & (data.density_pct >= threshold_pct)]
    if exclude_paper is not None:
        sub = sub[sub.paper != exclude_paper]
    return float(sub.ved_j_mm3.quantile(0.25)), float(sub.ved_j_mm3.quantile(0.75))


def expected_improvement(mu, sigma, best, xi=0.01):
    """Reference expected improvement (Task 6) for a maximisation; later cells use this one."""
    from scipy.stats import norm

    mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
    gain = mu - best - xi
    z = gain / np.where(sigma > 0, sigma, 1.0)
    return np.where(sigma > 0, gain * norm.cdf(z) + sigma * norm.pdf(z), np.maximum(gain, 0.0))


def gp_posterior(X_seen: np.ndarray, y_seen: np.ndarray, X_new: np.ndarray, bounds: np.ndarray):
    """Gaussian-process mean and standard deviation (density %) at ``X_new`` given the builds so far.

    Inputs are scaled to [0, 1] by ``bounds`` (shape (d, 2)); Matern 5/2 kernel plus a noise term,
    hyper-parameters fitted by maximum likelihood at each call.
    """
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    lo, hi = bounds[:, 0], bounds[:, 1]
    scale = lambda X: (np.asarray(X, float) - lo) / (hi - lo)  # noqa: E731
    kernel = ConstantKernel(4.0, (1e-2, 1e3)) * Matern(length_scale=[0.3] * len(lo), length_scale_bounds=(0.05, 5),
                                                       nu=2.5) + WhiteKernel(0.05, (1e-4, 2.0))
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, random_state=0, n_restarts_optimizer=0)
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(), single_thread():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(scale(X_seen), np.asarray(y_seen, float))
        mu, sd = gp.predict(scale(X_new), return_std=True)
    return mu, sd


STRATEGIES = ("random", "grid", "literature", "bo")


def run_campaign(printer: VirtualPrinter, strategy: str, seed: int, acquisition: Callable | None = None,
                 target_pct: float = 99.5, max_builds: int = 60, n_initial: int = 4, grid_levels: int = 4,
                 candidates: np.ndarray | None = None, window: tuple[float, float] | None = None,
                 trace: bool = False) -> dict:
    """Plan test coupons one at a time until a setting is **measured** ≥ ``target_pct`` twice.

    A shop sees only measured densities. When a coupon measures ≥ target, the same setting is printed
    once more (a confirmation coupon); the campaign stops when that one measures ≥ target too,
    otherwise it goes on. ``strategy``:

    * ``"random"``: candidate settings in a random order;
    * ``"grid"``: a full factorial of ``grid_levels`` levels per setting, built in a random order;
    * ``"literature"``: start from the literature window: candidates whose VED lies in ``window``
      (J/mm³, e.g. :func:`literature_window`) in a random order, then the others;
    * ``"bo"``: ``n_initial`` random coupons, then the candidate with the highest
      ``acquisition(mu, sigma, best)`` under a Gaussian process fitted to the measured densities.

    Returns ``{"builds", "reached", "true_pct", "history"}``: coupons printed (``max_builds + 1`` if no
    setting was confirmed), whether one was, and the true density of the confirmed setting (to see how
    often two lucky measurements fool the shop). ``trace=True`` keeps the GP mean, σ and acquisition of
    every BO step in ``history.attrs["trace"]`` (for :func:`bo_campaign_widget`).
    """
    rng = np.random.default_rng(seed)
    cand = printer.candidates() if candidates is None else candidates
    bounds = np.array([printer.bounds[k] for k in ("power_w", "speed_mm_s", "hatch_mm")])
    picked: list[int] = []
    if strategy == "grid":
        axes = [np.linspace(*b, grid_levels) for b in bounds]
        order = np.array(np.meshgrid(*axes, indexing="ij")).reshape(3, -1).T
        order = order[rng.permutation(len(order))]
    elif strategy == "random":
        order = cand[rng.permutation(len(cand))]
    elif strategy == "literature":
        if window is None:
            raise InputError("strategy 'literature' needs window=(low, high) VED in J/mm³, "
                             "e.g. am.literature_window(data).")
        ved = volumetric_energy_density(*cand.T, printer.layer_mm)
        inside = (ved >= window[0]) & (ved <= window[1])
        order = np.vstack([cand[rng.permutation(np.flatnonzero(inside))],
                           cand[rng.permutation(np.flatnonzero(~inside))]])
    elif strategy == "bo":
        if acquisition is None:
            raise InputError("strategy 'bo' needs an acquisition function, e.g. your expected_improvement.")
        picked = [int(i) for i in rng.choice(len(cand), size=n_initial, replace=False)]
        order = cand[picked]
    else:
        raise InputError(f"strategy must be one of {STRATEGIES}, not {strategy!r}.")
    X, y, history, steps = [], [], [], []
    nxt = 0  # next planned setting in `order`
    confirm = None  # setting to confirm after a coupon measured ≥ target
    while len(history) < max_builds:
        kind = "confirmation" if confirm is not None else "plan"
        if confirm is not None:
            x = confirm
        elif nxt < len(order):
            x = order[nxt]
            nxt += 1
        elif strategy == "bo":
            mu, sd = gp_posterior(np.array(X), np.array(y), cand, bounds)
            score = np.array(acquisition(mu, sd, max(y)), dtype=float).ravel()
            if score.shape != (len(cand),):
                raise InputError(f"The acquisition function must return one score per candidate "
                                 f"({len(cand)}), not shape {score.shape}.")
            score[picked] = -np.inf  # never plan the same coupon twice (confirmations aside)
            picked.append(int(np.argmax(score)))
            x = cand[picked[-1]]
            if trace:
                steps.append({"build": len(history) + 1, "mu": mu, "sigma": sd, "acquisition": score,
                              "chosen": picked[-1]})
        else:
            break
        measured = printer.build(*x, rng)
        true = float(printer.true_density(*x))
        X.append(x)
        y.append(measured)
        history.append({"build": len(history) + 1, "kind": kind, "power_w": x[0], "speed_mm_s": x[1],
                        "hatch_mm": x[2], "measured_pct": measured, "true_pct": true})
        if kind == "confirmation":
            confirm = None
            if measured >= target_pct:
                hist = pd.DataFrame(history)
                hist.attrs["trace"] = steps
                return {"builds": len(history), "reached": True, "true_pct": true, "history": hist}
        elif measured >= target_pct:
            confirm = x
    hist = pd.DataFrame(history)
    hist.attrs["trace"] = steps
    return {"builds": max_builds + 1, "reached": False, "true_pct": float("nan"), "history": hist}


def compare_strategies(printer: VirtualPrinter, acquisition: Callable, seeds=range(20), progress: bool = True,
                       strategies=STRATEGIES, window: tuple[float, float] | None = None,
                       **kwargs) -> pd.DataFrame:
    """Coupons needed per strategy and seed: columns strategy, seed, builds, reached, true_pct."""
    jobs = [(s, seed) for s in strategies for seed in seeds]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="test-build campaigns")
    rows = []
    for strategy, seed in jobs:
        r = run_campaign(printer, strategy, seed, acquisition if strategy == "bo" else None, window=window,
                         **kwargs)
        rows.append({"strategy": strategy, "seed": seed, "builds": r["builds"], "reached": r["reached"],
                     "true_pct": r["true_pct"]})
    return pd.DataFrame(rows)


def bo_campaign_widget(printer: VirtualPrinter, acquisition: Callable | None = None, seed: int = 0, **kwargs):
    """Step through one BO campaign coupon by coupon: GP mean, σ and the acquisition on a power–speed
    map at the hatch of the coupon chosen next, with the coupons printed so far.

    The campaign is computed once; the slider only redraws (in a static page the first step shows).
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    run = run_campaign(printer, "bo", seed, acquisition or expected_improvement, trace=True, **kwargs)
    hist, steps = run["history"], run["history"].attrs["trace"]
    if not steps:
        return w.HTML(f"This campaign was confirmed within its {len(hist)} random start coupons: "
                      "no BO step to show. Try another seed.")
    cand = printer.candidates()
    n = round(len(cand) ** (1 / 3))
    out = w.Output()
    step = w.IntSlider(value=0, min=0, max=len(steps) - 1, description="BO step", continuous_update=False)

    def draw(*_):
        st = steps[step.value]
        hatch = cand[st["chosen"], 2]
        sel = np.isclose(cand[:, 2], hatch)
        P, V = cand[sel, 0].reshape(n, n), cand[sel, 1].reshape(n, n)
        seen = hist[hist.build < st["build"]]
        with out:
            out.clear_output(wait=True)
            fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
            for ax, key, title in zip(axes, ("mu", "sigma", "acquisition"),
                                      ("GP mean μ (%)", "GP uncertainty σ (%)", "expected improvement"),
                                      strict=True):
                z = np.where(np.isfinite(st[key][sel]), st[key][sel], np.nan).reshape(n, n)
                m = ax.pcolormesh(P, V, z, shading="nearest", cmap="viridis")
                fig.colorbar(m, ax=ax)
                ax.scatter(seen.power_w, seen.speed_mm_s, c="w", edgecolor="k", s=22, label="coupons so far")
                ax.scatter(*cand[st["chosen"], :2], marker="*", c="r", s=160, label="next coupon")
                ax.set(title=title, xlabel="power (W)")
            axes[0].set_ylabel(f"speed (mm/s), hatch {hatch:.3f} mm")
            axes[0].legend(fontsize=7, loc="upper left")
            best = seen.measured_pct.max()
            fig.suptitle(f"before coupon {st['build']}: best measured so far {best:.2f} %", fontsize=10)
            fig.tight_layout()
            plt.show()

    step.observe(draw, "value")
    draw()
    verdict = (f"confirmed ≥ 99.5 % after {run['builds']} coupons (true density {run['true_pct']:.2f} %)"
               if run["reached"] else "not confirmed within the budget")
    return w.VBox([w.HTML(f"One BO campaign (seed {seed}): {verdict}."), step, out])


# --------------------------------------------------------------------------- AM + milling cost


@dataclass(frozen=True)
class Rate:
    """One number of the cost model, with its unit and where it comes from (a source, or 'ASSUMPTION')."""

    value: float
    unit: str
    basis: str

    @property
    def is_assumption(self) -> bool:
        return self.basis.upper().startswith("ASSUMPTION")


def default_rates() -> dict[str, Rate]:
    """The cost model's rates. Prices are assumptions (change them to your quotes); physics is sourced."""
    return {
        "steel_density_kg_dm3": Rate(7.99, "kg/dm³", "316L density, typical datasheet value (ASTM A240 family)"),
        "bar_price_sek_kg": Rate(80.0, "SEK/kg", "ASSUMPTION: 316L bar/plate price; use your supplier's quote"),
        "powder_price_sek_kg": Rate(600.0, "SEK/kg", "ASSUMPTION: 316L L-PBF powder price; use your quote"),
        "powder_reuse_loss": Rate(0.05, "share of part mass", "ASSUMPTION: powder lost to sieving/spatter"),
        "mill_rate_sek_h": Rate(850.0, "SEK/h", "ASSUMPTION: machine + operator hour, 3/5-axis milling centre"),
        "printer_rate_sek_h": Rate(900.0, "SEK/h", "ASSUMPTION: L-PBF machine hour incl. depreciation and gas"),
        "rough_mrr_cm3_min": Rate(25.0, "cm³/min", "ASSUMPTION: roughing material removal rate in 316L"),
        "finish_mrr_cm3_min": Rate(3.0, "cm³/min", "ASSUMPTION: finishing material removal rate"),
        "build_rate_cm3_h": Rate(10.8, "cm³/h", "computed: v·h·t = 1000 mm/s × 0.1 mm × 0.03 mm = 3 mm³/s "
                                 "(a setting inside the 316L window of this lab)"),
        "print_setup_h": Rate(3.0, "h per build job", "ASSUMPTION: file prep, plate, powder, depowder, cut off"),
        "post_process_h": Rate(1.0, "h per part", "ASSUMPTION: support removal, stress relief share"),
        "mill_setup_h": Rate(1.5, "h per batch", "ASSUMPTION: fixture and programme per batch"),
        "parts_per_plate": Rate(4.0, "parts", "ASSUMPTION: parts of this size per build plate"),
    }


@dataclass(frozen=True)
class DemoPart:
    """A demo part: a 316L manifold bracket with internal channels (volumes in cm³)."""

    name: str = "316L manifold bracket"
    part_cm3: float = 75.0  # finished part
    stock_cm3: float = 576.0  # 120 × 80 × 60 mm block to mill from solid
    surface_cm2: float = 260.0  # surfaces to finish-mill on the printed part
    allowance_mm: float = 1.0  # machining allowance left on printed surfaces
    support_share: float = 0.15  # support volume as share of the printed volume


def buy_to_fly(raw_material_kg: float, finished_kg: float) -> float:
    """Buy-to-fly ratio: mass of material bought per mass of finished part (≥ 1)."""
    return raw_material_kg / finished_kg


def route_costs(part: DemoPart | None = None, rates: dict[str, Rate] | None = None, batch: int = 10) -> pd.DataFrame:
    """Cost per part (SEK) and its parts for 'mill from solid' and 'print near-net + finish-mill'.

    Both routes end with the same finished part. Material is charged at the mass bought (solid: the
    stock block; printing: printed volume + supports + powder loss). Times in hours per part.
    """
    part = part or DemoPart()
    r = {k: v.value for k, v in (rates or default_rates()).items()}
    if batch < 1:
        raise InputError("batch must be at least 1 part.")
    rho = r["steel_density_kg_dm3"] / 1000  # kg/cm³
    # milling from solid
    removed = part.stock_cm3 - part.part_cm3
    mill_h = removed * 0.9 / r["rough_mrr_cm3_min"] / 60 + removed * 0.1 / r["finish_mrr_cm3_min"] / 60
    solid = {"material_kg": part.stock_cm3 * rho, "material_sek": part.stock_cm3 * rho * r["bar_price_sek_kg"],
             "print_h": 0.0, "mill_h": mill_h + r["mill_setup_h"] / batch}
    # near-net printing + finish milling
    allowance_cm3 = part.surface_cm2 * part.allowance_mm / 10
    printed = (part.part_cm3 + allowance_cm3) * (1 + part.support_share)
    powder_kg = printed * rho * (1 + r["powder_reuse_loss"])
    plates = math.ceil(batch / r["parts_per_plate"])
    print_h = printed / r["build_rate_cm3_h"] + (plates * r["print_setup_h"]) / batch + r["post_process_h"]
    finish_h = allowance_cm3 / r["finish_mrr_cm3_min"] / 60 + r["mill_setup_h"] / batch
    am = {"material_kg": powder_kg, "material_sek": powder_kg * r["powder_price_sek_kg"], "print_h": print_h,
          "mill_h": finish_h}
    rows = []
    for route, d in (("mill from solid", solid), ("print + finish-mill", am)):
        machine = d["print_h"] * r["printer_rate_sek_h"] + d["mill_h"] * r["mill_rate_sek_h"]
        rows.append({"route": route, "buy_to_fly": buy_to_fly(d["material_kg"], part.part_cm3 * rho),
                     "material_kg": d["material_kg"], "print_h": d["print_h"], "mill_h": d["mill_h"],
                     "material_sek": d["material_sek"], "machine_sek": machine,
                     "total_sek": d["material_sek"] + machine})
    return pd.DataFrame(rows).set_index("route")


def break_even_bar_price(part: DemoPart | None = None, rates: dict[str, Rate] | None = None,
                         batch: int = 10) -> float:
    """Reference answer of Task 7: bar price (SEK/kg) at which milling from solid costs as much as printing."""
    costs = route_costs(part, rates, batch)
    solid = costs.loc["mill from solid"]
    return float((costs.loc["print + finish-mill", "total_sek"] - solid["machine_sek"]) / solid["material_kg"])


def rates_table(rates: dict[str, Rate] | None = None) -> pd.DataFrame:
    """The rates with value, unit and basis, assumptions first (so nobody mistakes them for facts)."""
    rows = [{"rate": k, "value": v.value, "unit": v.unit, "basis": v.basis, "assumption": v.is_assumption}
            for k, v in (rates or default_rates()).items()]
    return pd.DataFrame(rows).sort_values("assumption", ascending=False).set_index("rate")


#: the rates the cost widget lets you change: every assumption and the build rate (the largest lever:
#: it is computed from one setting, and faster settings, thicker layers or more lasers change it)
EDITABLE_RATES = [k for k, v in default_rates().items() if v.is_assumption] + ["build_rate_cm3_h"]


def cost_widget(part: DemoPart | None = None):
    """Boxes for every assumed rate, the build rate and the batch size; shows cost per part for both routes."""
    import ipywidgets as w
    import matplotlib.pyplot as plt

    base = default_rates()
    sliders = {}
    for key, rate in base.items():
        if key in EDITABLE_RATES:
            sliders[key] = w.FloatText(value=rate.value, description=key, step=rate.value / 10,
                                       style={"description_width": "160px"}, layout=w.Layout(width="300px"),
                                       tooltip=rate.basis)
    batch = w.IntSlider(value=10, min=1, max=200, description="batch size", continuous_update=False)
    out = w.Output()

    def draw(*_):
        rates = {k: (replace(v, value=float(sliders[k].value)) if k in sliders else v) for k, v in base.items()}
        with out:
            out.clear_output(wait=True)
            sizes = np.unique(np.geomspace(1, 200, 25).astype(int))
            tot = pd.DataFrame({b: route_costs(part, rates, int(b))["total_sek"] for b in sizes}).T
            fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
            costs = route_costs(part, rates, batch.value)
            costs[["material_sek", "machine_sek"]].plot.barh(stacked=True, ax=a1)
            a1.set(xlabel="SEK per part", title=f"batch of {batch.value}")
            tot.plot(ax=a2, logx=True)
            a2.set(xlabel="batch size (parts)", ylabel="SEK per part", title="cost per part vs batch size")
            fig.tight_layout()
            plt.show()
            display_df = costs[["buy_to_fly", "material_kg", "print_h", "mill_h", "total_sek"]]
            print(display_df.to_string())

    for s in [*sliders.values(), batch]:
        s.observe(draw, "value")
    draw()
    grid = w.GridBox(list(sliders.values()), layout=w.Layout(grid_template_columns="repeat(3, 310px)"))
    return w.VBox([w.HTML("<b>Assumed rates and the build rate</b> (change them to your own quotes and "
                          "settings)"), grid, batch, out])


# --------------------------------------------------------------------------- your own builds

#: column -> (unit, plausible range, description). Columns in this order; the last three are optional.
OWN_BUILDS_SCHEMA = {
    "material": ("text", None, "alloy name, e.g. 316L"),
    "power_w": ("W", (10.0, 2000.0), "laser power"),
    "speed_mm_s": ("mm/s", (10.0, 15000.0), "scan speed"),
    "hatch_mm": ("mm", (0.01, 1.0), "hatch spacing"),
    "layer_mm": ("mm", (0.005, 0.5), "layer thickness"),
    "density_pct": ("%", (50.0, 100.5), "measured relative density (Archimedes or image analysis)"),
    "build_id": ("text", None, "optional: build job or plate id"),
    "method": ("text", None, "optional: how density was measured"),
    "notes": ("text", None, "optional: anything else"),
}
OWN_BUILDS_REQUIRED = ["material", "power_w", "speed_mm_s", "hatch_mm", "layer_mm", "density_pct"]

# Column names people often use instead, with the fix to suggest.
_UNIT_HINTS = {
    "speed_m_s": "scan speed is in mm/s: multiply m/s by 1000 and name the column speed_mm_s",
    "hatch_um": "hatch is in mm: divide µm by 1000 and name the column hatch_mm",
    "layer_um": "layer thickness is in mm: divide µm by 1000 and name the column layer_mm",
    "power_kw": "power is in W: multiply kW by 1000 and name the column power_w",
    "density": "name the density column density_pct and give it in % (99.5, not 0.995)",
    "density_fraction": "give density in % (99.5, not 0.995) in a column density_pct",
}

OWN_BUILDS_EXAMPLE = """material,power_w,speed_mm_s,hatch_mm,layer_mm,density_pct,build_id,method,notes
316L,200,800,0.10,0.03,99.62,B01,Archimedes,
316L,200,1200,0.10,0.03,99.10,B01,Archimedes,
316L,150,1200,0.10,0.03,97.80,B01,Archimedes,lack of fusion seen
316L,275,1000,0.12,0.03,99.70,B02,Archimedes,
"""


def write_own_builds_template(path: str | Path) -> Path:
    """Write an example CSV in the documented schema (four 316L coupons) to fill in."""
    path = Path(path)
    path.write_text(OWN_BUILDS_EXAMPLE, encoding="utf-8")
    return path


def load_own_builds(source) -> pd.DataFrame:
    """Read a shop's own test coupons from a CSV (path, text buffer or DataFrame) in :data:`OWN_BUILDS_SCHEMA`.

    Returns the table with numeric columns as floats and ``ved_j_mm3`` and ``paper`` ("own") added.
    Raises :class:`indi.errors.InputError` naming the problem and the fix: missing columns, wrong
    units (values that look like µm, m/s or fractions), text in number columns, impossible values.
    """
    if isinstance(source, pd.DataFrame):
        df = source.copy()
    else:
        try:
            kwargs = {} if hasattr(source, "read") else {"encoding": "utf-8-sig"}
            df = pd.read_csv(source, sep=None, engine="python", dtype=str, keep_default_na=False, **kwargs)
        except FileNotFoundError:
            raise InputError(f"No file {source}: check the path (it is relative to the notebook's folder).") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            raise InputError(f"{source} is not a readable CSV ({type(err).__name__}: {err}). Save it as CSV "
                             "(UTF-8) with one header row; see OWN_BUILDS_EXAMPLE.") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in OWN_BUILDS_REQUIRED if c not in df.columns]
    if missing:
        hints = [_UNIT_HINTS[c] for c in df.columns if c in _UNIT_HINTS]
        raise InputError(
            f"Your builds table lacks the column(s) {missing}. Required: {', '.join(OWN_BUILDS_REQUIRED)} "
            f"(units: power W, speed mm/s, hatch and layer mm, density %). Found: {list(df.columns)}."
            + (" Hint: " + "; ".join(hints) + "." if hints else "")
        )
    if df.empty:
        raise InputError("Your builds table has a header but no rows: add at least one coupon.")
    for col in OWN_BUILDS_REQUIRED[1:]:
        text = df[col].astype(str).str.strip().str.replace(",", ".", regex=False)  # Swedish decimal comma
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna()
        if bad.any():
            rows = (df.index[bad] + 2).tolist()[:5]  # +2: header line and 1-based numbering
            raise InputError(f"Column {col} must hold numbers; line(s) {rows} of the file hold "
                             f"{df.loc[bad, col].tolist()[:5]}. Leave no cell empty and write numbers only.")
        df[col] = values.astype(float)
    if df["material"].astype(str).str.strip().eq("").any():
        raise InputError("Every row needs a material (e.g. 316L); some are empty.")
    unit_checks = [
        ("hatch_mm", lambda s: s.median() > 1.0, "looks like µm: give hatch spacing in mm (100 µm = 0.1 mm)"),
        ("layer_mm", lambda s: s.median() > 1.0, "looks like µm: give layer thickness in mm (30 µm = 0.03 mm)"),
        ("speed_mm_s", lambda s: s.median() < 10.0, "looks like m/s: give scan speed in mm/s (0.8 m/s = 800 mm/s)"),
        ("power_w", lambda s: s.median() < 5.0, "looks like kW: give laser power in W (0.2 kW = 200 W)"),
        ("density_pct", lambda s: s.max() <= 1.0, "looks like a fraction: give density in % (0.995 = 99.5 %)"),
    ]
    for col, looks_wrong, msg in unit_checks:
        if looks_wrong(df[col]):
            raise InputError(f"Column {col} {msg}.")
    for col, (unit, rng, desc) in OWN_BUILDS_SCHEMA.items():
        if rng is None or col not in df:
            continue
        out = ~df[col].between(*rng)
        if out.any():
            rows = (df.index[out] + 2).tolist()[:5]
            raise InputError(f"Column {col} ({desc}, {unit}) has values outside {rng[0]:g}–{rng[1]:g} {unit} "
                             f"on line(s) {rows}: {df.loc[out, col].tolist()[:5]}. Check the unit and typing.")
    df["material"] = df["material"].astype(str).str.strip()
    df["ved_j_mm3"] = volumetric_energy_density(df.power_w, df.speed_mm_s, df.hatch_mm, df.layer_mm)
    df["paper"] = "own"
    return df
