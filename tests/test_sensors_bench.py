"""The Lab 2 reference figures (benchmarks/sensor.py) stay where the lab and its page say they are."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import REPO


@pytest.mark.slow  # ~40 s on 2 cores: 13-fold forests on turning and milling
def test_sensor_benchmark_reproduces_the_lab_figures():
    spec = importlib.util.spec_from_file_location("bench_sensor", REPO / "benchmarks" / "sensor.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = bench.run()
    assert out["sensor.turning_mae_ratio"] <= 0.5, out          # goal of issue 4
    assert 0.6 <= out["sensor.controller_only_ratio"] <= 0.85, out  # data card: 0.65-0.76
    assert out["sensor.random_split_optimism"] >= 2, out        # the random split flatters the model
    assert out["sensor.turning_mae_ci95_low_um"] < out["sensor.turning_mae_um"] < out["sensor.turning_mae_ci95_high_um"]
    assert out["sensor.milling_mae_mm"] < out["sensor.milling_baseline_mae_mm"], out
    assert out["sensor.detector_recall"] > 0.5 and out["sensor.detector_precision"] > 0.3, out
    assert out["sensor.policy_model_wasted_s"] < out["sensor.policy_fixed_wasted_s"], out
    # the fixed interval is set by new inserts (insert 9's 74 s comes from a used insert)
    assert out["sensor.policy_fixed_interval_s"] >= 90, out
    assert out["sensor.policy_model_inserts_per_hour"] < out["sensor.policy_fixed_inserts_per_hour"], out
    # every model beats the Dummy; the nested, grouped ridge is close to the forest
    assert out["sensor.turning_dummy_mae_um"] > out["sensor.turning_baseline_mae_um"] > out["sensor.turning_mae_um"]
    assert out["sensor.linear_grouped_mae_um"] < 0.6 * out["sensor.turning_baseline_mae_um"], out
    # paired: the add-on sensors beat the controller alone by more than the luck of the inserts drawn
    assert 0 < out["sensor.paired_ctrl_minus_all_low_um"] < out["sensor.paired_ctrl_minus_all_high_um"], out
    assert out["sensor.paired_ctrl_minus_base_low_um"] < out["sensor.paired_ctrl_minus_base_um"] < 0, out
