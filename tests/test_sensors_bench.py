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
