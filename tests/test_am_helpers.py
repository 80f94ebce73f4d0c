"""Lab 3 helpers (indi.am): cleaning, physics, honest cross-validation, virtual printer, cost model."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
from scipy.stats import norm

from indi import am
from indi.errors import InputError

matplotlib.use("agg")


@pytest.fixture(scope="module")
def data():
    return am.clean_lpbf()


def _ei(mu, sd, best, xi=0.0):
    sd = np.maximum(sd, 1e-12)
    z = (mu - best - xi) / sd
    return (mu - best - xi) * norm.cdf(z) + sd * norm.pdf(z)


def test_paper_id_merges_doi_spellings():
    assert am.paper_id("https://doi.org/10.3390/MA13071601 ") == "10.3390/ma13071601"
    assert am.paper_id("http://dx.doi.org/10.1108/RPJ-06-2015-0078") == "10.1108/rpj-06-2015-0078"


def test_clean_table_counts_match_the_data_card(data):
    raw = am.lpbf_table()
    assert raw["doi"].nunique() == 86
    assert data["paper"].nunique() == 83  # 85 papers, 2 of them only with settings that are not L-PBF
    assert data.attrs["dropped"]["exact duplicates"] == 9
    assert data.attrs["dropped"]["density outside 50–100.5 %"] == 2
    assert data.attrs["dropped"]["settings outside L-PBF (LPBF_PLAUSIBLE)"] == 25
    assert len(data) == 1543 and data["density_pct"].min() >= 50
    assert data[data.material == "316L"]["paper"].nunique() == 19


def test_average_replicates_averages_within_a_paper_only():
    import pandas as pd

    base = {c: 1.0 for c in am.ALL_FEATURES}
    rows = [dict(base, material="316L", paper="p1", density_pct=98.0),
            dict(base, material="316L", paper="p1", density_pct=96.0),
            dict(base, material="316L", paper="p2", density_pct=90.0),  # same settings, other machine
            dict(base, material="316L", paper="p1", density_pct=99.0, power_w=2.0)]
    out = am.average_replicates(pd.DataFrame(rows)).set_index(["paper", "power_w"])
    assert len(out) == 3
    assert out.loc[("p1", 1.0), "density_pct"] == pytest.approx(97.0)
    assert out.loc[("p1", 1.0), "replicates"] == 2
    assert out.loc[("p1", 1.0), "density_sd_pct"] == pytest.approx(2 ** 0.5)
    assert out.loc[("p2", 1.0), "density_pct"] == 90.0 and out.loc[("p2", 1.0), "density_sd_pct"] == 0.0
    with pytest.raises(InputError, match="paper"):
        am.average_replicates(pd.DataFrame(rows).drop(columns=["paper"]))


def test_average_replicates_keeps_every_build_on_the_real_table(data):
    settings = am.average_replicates(data)
    assert settings["replicates"].sum() == len(data)
    # the weighted mean of the averaged densities is the mean over all builds
    weighted = (settings["density_pct"] * settings["replicates"]).sum() / len(data)
    assert weighted == pytest.approx(data["density_pct"].mean())
    assert not settings.duplicated(subset=am.REPLICATE_INPUTS).any()
    s316 = settings[settings.material == "316L"]
    assert len(s316) == 254 and s316["replicates"].gt(1).sum() > 50  # 342 builds (after the L-PBF check)
    assert settings.attrs["replicates"]["rows"] == len(data)


def test_merged_meltpool_table_holds_twins():
    merged = am.merged_meltpool_table()
    assert merged["table"].value_counts().to_dict() == {"classification": 1241, "regression": 778}
    assert len(merged) == 1514 + 505  # AM-DefectNet's training + test rows
    keys = am.twin_key(merged)
    cls = merged["table"] == "classification"
    # inside the classification table only 13 observations appear twice (sources 9 and 32, with the
    # composition columns shifted by one); the regression rows all repeat classification rows
    assert keys[cls].duplicated().sum() == 13
    assert keys[~cls].isin(set(keys[cls])).all(), "every labelled regression row repeats a classification row"
    label = dict(zip(keys[cls], merged.loc[cls, "regime"], strict=True))
    agree = np.mean([label[k] == r for k, r in zip(keys[~cls], merged.loc[~cls, "regime"], strict=True)])
    assert agree == 1.0


def test_regime_scores_count_twins_across_the_split():
    merged = am.regime_scores(am.merged_meltpool_table(), seeds=[0], n_trees=10, grouped=False)
    assert 0.5 < merged["test_twin_share"] < 0.7
    assert "balanced_accuracy_grouped" not in merged
    alone = am.regime_scores(am.meltpool_table(), seeds=[0], n_trees=10, n_groups=3)
    assert alone["test_twin_share"] < 0.05
    assert 0.25 < alone["balanced_accuracy_grouped"] < alone["accuracy_random"]


def test_energy_densities_have_the_right_units():
    assert am.volumetric_energy_density(200, 800, 0.1, 0.03) == pytest.approx(83.333, rel=1e-4)
    assert am.areal_energy_density(200, 800, 0.1) == pytest.approx(2.5)
    assert am.linear_energy_density(200, 800) == pytest.approx(0.25)


def test_fingerprint_table_flags_set_up_columns(data):
    fp = am.fingerprint_table(data[data.material == "316L"]).set_index("column")
    assert fp.loc["geometric_factor", "share_rows_one_paper"] == 1.0
    assert fp.loc["printer", "share_rows_one_paper"] > fp.loc["layer_mm", "share_rows_one_paper"]


def test_grouped_cv_scores_below_random_cv(data):
    from sklearn.ensemble import ExtraTreesRegressor

    s = data[data.material == "316L"]
    small = lambda: ExtraTreesRegressor(n_estimators=20, random_state=0, n_jobs=1)  # noqa: E731
    rand = am.cv_r2(s, am.ALL_FEATURES, grouped=False, n_repeats=1, model_factory=small)
    grp = am.cv_r2(s, am.ALL_FEATURES, grouped=True, model_factory=small)
    assert len(rand["folds"]) == 5 and len(grp["folds"]) == 5
    assert rand["mean"] > 0.5
    assert grp["mean"] < rand["mean"] - 0.5, (rand["mean"], grp["mean"])


def test_cv_r2_names_missing_columns(data):
    with pytest.raises(InputError, match="paper"):
        am.cv_r2(data.drop(columns=["paper"]), am.PROCESS_FEATURES, grouped=True)


def test_normalised_enthalpy_by_hand():
    P, v, d, rho, cp, k, tm = 200, 800, 80, 7950, 500, 16, 1700
    alpha = k / (rho * cp)
    expected = P / (math.pi * rho * cp * tm * math.sqrt(alpha * v * 1e-3 * (d * 1e-6 / 2) ** 3))
    assert am.normalised_enthalpy(P, v, d, rho, cp, k, tm) == pytest.approx(expected)
    assert am.normalised_enthalpy(P, v, d, rho, cp, k, tm, absorptivity=0.3) == pytest.approx(0.3 * expected)


def test_meltpool_table_sources_and_regimes():
    mp = am.meltpool_table()
    assert set(mp["regime"]) == set(am.REGIMES)
    assert mp["source"].nunique() == 55
    assert "Runbo data" in set(mp["source"])
    feats = am.regime_features(mp)
    assert {"enthalpy", "p_over_v"} <= set(feats.columns)
    assert "paper ID" not in feats.columns and not feats.isna().any().any()


def test_regime_map_refuses_unknown_material():
    mp = am.meltpool_table()
    with pytest.raises(InputError, match="SS316L"):
        am.plot_regime_map(mp, "316L")


def test_virtual_printer_has_a_narrow_window_and_deterministic_campaigns(data):
    printer = am.fit_virtual_printer(data)
    assert printer.layer_mm == pytest.approx(0.03)
    true = printer.true_density(*printer.candidates().T)
    share = float((true >= 99.5).mean())
    assert 0.01 < share < 0.2, share
    a = am.run_campaign(printer, "random", seed=3)
    b = am.run_campaign(printer, "random", seed=3)
    assert a["builds"] == b["builds"]
    bo = am.run_campaign(printer, "bo", seed=1, acquisition=_ei)
    assert bo["reached"] and bo["history"]["measured_pct"].iloc[-2:].min() >= 99.5
    # BO never plans the same coupon twice (a confirmation coupon repeats a setting on purpose)
    planned = bo["history"][bo["history"].kind == "plan"]
    assert not planned[["power_w", "speed_mm_s", "hatch_mm"]].duplicated().any()


def test_campaign_input_errors(data):
    printer = am.fit_virtual_printer(data)
    with pytest.raises(InputError, match="strategy"):
        am.run_campaign(printer, "guess", seed=0)
    with pytest.raises(InputError, match="acquisition"):
        am.run_campaign(printer, "bo", seed=0)
    with pytest.raises(InputError, match="one score per candidate"):
        am.run_campaign(printer, "bo", seed=0, acquisition=lambda mu, sd, best: 1.0, target_pct=101.0)


def test_cost_model_rates_are_sourced_or_flagged():
    rates = am.default_rates()
    for key, rate in rates.items():
        assert rate.basis.strip(), key
    assert rates["bar_price_sek_kg"].is_assumption and rates["powder_price_sek_kg"].is_assumption
    assert not rates["steel_density_kg_dm3"].is_assumption
    costs = am.route_costs(batch=10)
    solid, printed = costs.loc["mill from solid"], costs.loc["print + finish-mill"]
    part = am.DemoPart()
    assert solid["buy_to_fly"] == pytest.approx(part.stock_cm3 / part.part_cm3)
    assert printed["buy_to_fly"] < solid["buy_to_fly"]
    for row in (solid, printed):
        assert row["total_sek"] == pytest.approx(row["material_sek"] + row["machine_sek"])
    # more parts per batch spread set-up time: cheaper per part
    assert am.route_costs(batch=100).loc["mill from solid", "total_sek"] < solid["total_sek"]
    with pytest.raises(InputError):
        am.route_costs(batch=0)


def test_widgets_build(data):
    import ipywidgets as w

    model = am.fit_window_model(data[data.material == "316L"])
    win = am.process_window_widget(model, data[data.material == "316L"])
    sliders = [c for c in win.children[0].children if isinstance(c, w.FloatSlider)]
    assert {s.description for s in sliders} == {"hatch (mm)", "layer (mm)"}
    cost = am.cost_widget()
    boxes = cost.children[1].children
    assert len(boxes) == sum(r.is_assumption for r in am.default_rates().values()) + 1  # + the build rate
