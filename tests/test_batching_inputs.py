"""Latency curves (CSV and perf_analyzer), recorded arrivals, and the batching plan."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizers.batching.arrivals import poisson_arrivals, read_arrivals
from optimizers.batching.curve import read_latency_curve
from optimizers.batching.errors import BatchingInputError
from optimizers.batching.plan import ServedModel, plan_batching
from optimizers.batching.simulation import BatcherConfig
from tests.batching_fixtures import H200_FILE, TOKENS_1, TOKENS_128, curve_csv


def test_curve_csv_ignores_other_columns_and_interpolates(tmp_path):
    curve = read_latency_curve(curve_csv(tmp_path / "c.csv", TOKENS_128, extra="x"))
    assert curve.max_batch_size == 256
    assert curve.service_ms(48) == pytest.approx((8.8329 + 17.4637) / 2)
    assert curve.table(4)[4] == pytest.approx(1.1266 / 1000)


@pytest.mark.skipif(not H200_FILE.is_file(), reason="../shared/data/gpu-h200 not present")
def test_a_file_with_two_curves_needs_a_choice_and_names_the_columns():
    with pytest.raises(BatchingInputError, match="tokens_per_request"):
        read_latency_curve(H200_FILE)
    curve = read_latency_curve(H200_FILE, {"tokens_per_request": "1"})
    assert curve.p50_ms[0] == pytest.approx(0.4821)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("size,p50\n1,2\n", "batch_size"),
        ("batch_size,p50_ms,p95_ms\n1,abc,2\n", "not a number"),
        ("batch_size,p50_ms,p95_ms\n0,1,2\n", "batch_size"),
        ("batch_size,p50_ms,p95_ms\n1,3,2\n", "p50_ms <= p95_ms"),
        ("batch_size,p50_ms,p95_ms\n", "no rows"),
        ("batch_size,p50_ms,p95_ms\n1,nan,2\n", "not a number"),
    ],
)
def test_bad_curves_are_user_errors(tmp_path, text, message):
    path = tmp_path / "c.csv"
    path.write_text(text)
    with pytest.raises(BatchingInputError, match=message):
        read_latency_curve(path)


def test_perf_analyzer_csv_gives_compute_time_and_calibrated_client_overhead(tmp_path):
    header = (
        "Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,"
        "Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,"
        "p50 latency,p90 latency,p95 latency,p99 latency,Avg latency"
    )
    # perf_analyzer -b 8 at concurrency 1: 8 inferences per request of 2.5 ms.
    row8 = "1,3200,40,150,20,30,2100,20,10,2500,2600,2700,2900,2500"
    row1 = "1,1500,40,150,20,30,560,20,10,660,700,720,760,666"
    path = tmp_path / "perf.csv"
    path.write_text(f"{header}\n{row8}\n{row1}\n")
    curve = read_latency_curve(path)
    assert list(curve.batch_sizes) == [1, 8]
    assert curve.p50_ms[1] == pytest.approx(2.15)  # 30 + 2100 + 20 us
    assert curve.p95_ms[1] == pytest.approx(2.15 + 0.2)
    assert curve.overhead_ms == pytest.approx(0.2)  # 40 + 150 + 10 us


# perf_analyzer's default CSV (its documentation's example, `-f perf.csv` without
# --verbose-csv): no Avg latency, no Batch. Two rows at -b 1, then one at -b 2.
PERF_DEFAULT = (
    "Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,"
    "Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,"
    "p50 latency,p90 latency,p95 latency,p99 latency\n"
    "1,69.2,225,2148,64,206,11781,19,0,13891,18795,19753,21018\n"
    "3,84.2,237,1768,21673,209,11742,17,0,35398,43984,47085,51701\n"
    "2,138.4,230,2100,7000,820,20900,76,0,29000,33000,35000,38000\n"
)


def test_perf_analyzers_default_csv_reads_the_batch_size_from_littles_law(tmp_path):
    path = tmp_path / "perf.csv"
    path.write_text(PERF_DEFAULT)
    curve = read_latency_curve(path)
    # 69.2/s x 14.443 ms / 1 = 1.0; 138.4/s x 31.126 ms / 2 = 2.15 -> 2
    assert list(curve.batch_sizes) == [1, 2]
    assert curve.p50_ms[0] == pytest.approx(np.median([12.006, 11.968]))


def test_a_request_rate_run_must_say_its_batch_size(tmp_path):
    path = tmp_path / "perf.csv"
    path.write_text(PERF_DEFAULT.replace("Concurrency,", "Request Rate,"))
    with pytest.raises(BatchingInputError, match="add a Batch column"):
        read_latency_curve(path)
    lines = PERF_DEFAULT.replace("Concurrency,", "Request Rate,").splitlines()
    path.write_text("\n".join(["Batch," + lines[0], *("1," + line for line in lines[1:])]))
    assert list(read_latency_curve(path).batch_sizes) == [1]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_as_a_curve_is_read_or_refused_never_a_crash(tmp_path, text):
    path = tmp_path / "c.csv"
    path.write_text(text)
    try:
        curve = read_latency_curve(path)
    except BatchingInputError:
        return
    assert curve.max_batch_size >= 1 and np.all(curve.p50_ms > 0)


def test_recorded_arrivals_are_sorted_and_shifted_and_checked(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("# timestamps\n" + "\n".join(str(100 + i * 0.01) for i in range(150, 0, -1)))
    times = read_arrivals(path)
    assert times[0] == 0 and np.all(np.diff(times) >= 0) and len(times) == 150
    path.write_text("1\n2\nthree\n")
    with pytest.raises(BatchingInputError, match="line 3"):
        read_arrivals(path)
    path.write_text("1\n" * 150)
    with pytest.raises(BatchingInputError, match="same timestamp"):
        read_arrivals(path)


def test_plan_meets_the_target_with_the_fewest_replicas():
    current = ServedModel("m", "triton", BatcherConfig(32, 50.0), 4)
    plan = plan_batching(TOKENS_1, current, 10.0, load_rps=20_000.0)
    assert plan.changed and plan.meets_target
    assert plan.proposed["replicas"] == 1  # one H200 serves 20k rps of 1-token requests
    assert plan.evidence["proposed"]["p95_ms"] <= 10.0
    assert plan.evidence["current"]["p95_ms"] > plan.evidence["proposed"]["p95_ms"]
    assert plan.proposed["preferred_batch_sizes"] == [plan.proposed["max_batch_size"]]


def test_plan_for_vllm_proposes_max_num_seqs_without_queue_delay():
    current = ServedModel("llm", "vllm", BatcherConfig(64, 0.0), 4)
    plan = plan_batching(TOKENS_128, current, 100.0, load_rps=5000.0)
    assert set(plan.proposed) == {"max_num_seqs", "replicas"}
    assert plan.proposed["replicas"] == 2  # 5,000 rps over ~3,600 per H200 at 128 tokens


def test_bursty_recorded_arrivals_need_more_than_their_mean_rate_suggests():
    rng = np.random.default_rng(4)
    # 3,000 rps on average, in 10 ms bursts every 100 ms: ten times the mean during a burst.
    bursts = np.concatenate([k * 0.1 + np.sort(rng.uniform(0, 0.01, 300)) for k in range(200)])
    current = ServedModel("m", "triton", BatcherConfig(8, 1.0), 1)
    poisson = plan_batching(TOKENS_128, current, 20.0, arrivals=poisson_arrivals(3000, 60_000))
    bursty = plan_batching(TOKENS_128, current, 20.0, arrivals=bursts)
    assert bursty.proposed["replicas"] > poisson.proposed["replicas"]


def test_no_config_meets_a_target_below_the_batch_1_time():
    current = ServedModel("m", "triton", BatcherConfig(8, 1.0), 2)
    plan = plan_batching(TOKENS_128, current, 0.3, load_rps=100.0)
    assert not plan.changed and not plan.meets_target
    assert any("no config meets" in n for n in plan.notes)
