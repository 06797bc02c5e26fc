"""The benchmark's figures and targets (issue 17) are computed from what was measured, per scale."""

from __future__ import annotations

from satudata.bench import LoadAverage, figures, targets


def run(seconds: float, report: float, peak: float, unchanged_since: str | None = None) -> dict:
    return {
        "seconds": seconds,
        "stages": {"load": seconds - report, "report": report},
        "report_share": round(report / seconds, 3),
        "unchanged_since": unchanged_since,
        "peak_rss": {"largest_process_mb": peak, "postgres_mb": 100.0},
        "load_average": {"min": 1.0, "median": 2.0, "max": 3.0, "samples": 4, "every_seconds": 30.0},
    }


def scale(first: float, report: float, rerun: float, peaks: tuple[float, float, float], half: float) -> dict:
    return {
        "rows_read": 3_000_000,
        "first_run": run(first, report, peaks[0]),
        "rerun": {**run(rerun, 1.0, peaks[1], "r1"), "ratio_to_first_run": round(rerun / first, 3)},
        "dbt_plain": {"ratio_pipeline_to_plain": 1.0},
        "load_benchmark": {"ratio_loader_to_psql": 0.52},
        "half": {"run": run(half, 1.0, peaks[2]), "data_ratio": 2.0, "time_ratio": round(first / half, 2)},
    }


def test_figures_and_targets_come_from_the_measurements():
    # Given a provinsi run of 290 s with a 10 s report stage, a 20 s rerun, and a half run of 140 s
    # whose process peaked at 1100 MB
    scales = {"provinsi": scale(290.0, 10.0, 20.0, (700.0, 300.0, 1100.0), 140.0)}

    f = figures(scales)["provinsi"]
    t = targets(scales)["provinsi"]

    # Then the figures are the measured ones and their ratios
    assert f["end_to_end_seconds"] == 290.0 and f["rows_per_second"] == round(3_000_000 / 290)
    assert f["report_stage_share"] == round(10 / 290, 3) and f["rerun_share"] == round(20 / 290, 3)
    assert f["rerun_unchanged_since"] == "r1"
    assert f["peak_rss_any_process_mb"] == 1100.0  # the largest of any run, the half run's here
    assert f["double_data"]["time_ratio"] == round(290 / 140, 2)
    # and each target judged on them: all met but memory
    assert t == {
        "loader_at_least_half_of_psql_copy": True,
        "rerun_at_most_10_percent": True,
        "report_stage_at_most_5_percent": True,
        "peak_rss_at_most_1_gb": False,
        "dbt_stage_at_most_1_5x_plain_build": True,
        "end_to_end_at_most_300_s": True,
        "double_data_at_most_2_1x_time": True,
    }


def test_load_average_window_summarises_the_samples_in_it():
    load = LoadAverage()
    load.samples = [(10.0, 1.0), (40.0, 5.0), (70.0, 3.0), (100.0, 9.0)]
    assert load.window(30.0, 80.0) == {"min": 3.0, "median": 4.0, "max": 5.0, "samples": 2, "every_seconds": 30.0}
