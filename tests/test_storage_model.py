"""The lifecycle cost model and search on buckets whose costs are computed by hand here."""

from __future__ import annotations

import pytest

from optimizers.service_prices import load_service_prices
from optimizers.storage.cost_model import CostModel
from optimizers.storage.lifecycle import Lifecycle, Transition
from optimizers.storage.plan import plan_bucket
from optimizers.storage.prices import s3_prices
from optimizers.storage.rules import DAYS_PER_MONTH, GB, KB
from optimizers.storage.search import cheapest_lifecycle
from tests.storage_fixtures import MIB, profile

PRICES = load_service_prices()
SHEET = s3_prices(PRICES, "us-east-1")
STD, DA = 0.023, 0.00099  # USD per GB-month, us-east-1 (service price table)


def lifecycle(*steps: tuple[int, str], expire: int | None = 400) -> Lifecycle:
    return Lifecycle(
        transitions=[Transition(days=d, storage_class=c) for d, c in steps],
        expiration_days=expire,
    )


def test_standard_only_costs_bytes_times_rate():
    model = CostModel(profile(400), SHEET, 400, expires=True)
    cost = model.evaluate(lifecycle())
    # 1,000 objects of 10 MiB at each of 400 ages, all in STANDARD.
    assert cost.storage == pytest.approx(400 * 1000 * 10 * MIB / GB * STD, rel=1e-9)
    assert cost.transitions == cost.early_deletion == cost.requests == 0


def test_bucket_read_only_in_its_first_week_goes_to_deep_archive_after_it():
    model = CostModel(profile(400, read=lambda a: 0.5 if a < 7 else 0.0), SHEET, 400, expires=True)
    best, cost = cheapest_lifecycle(model)
    assert best == lifecycle((7, "DEEP_ARCHIVE"))
    # By hand: a week in STANDARD with its GETs, 393 days in Deep Archive with the 40 KB per
    # object overhead (8 KB at Standard rates), one transition per object.
    objects_gb = 1000 * 10 * MIB / GB
    overhead = 1000 * (32 * KB * DA + 8 * KB * STD) / GB
    transitions = 1000 * DAYS_PER_MONTH * 0.05 / 1000
    gets = 0.5 * 1000 * 7 * DAYS_PER_MONTH * 0.0004 / 1000
    by_hand = 7 * objects_gb * STD + 393 * (objects_gb * DA + overhead) + transitions + gets
    assert cost == pytest.approx(by_hand, rel=1e-6)
    assert model.evaluate(best).total == pytest.approx(cost, rel=1e-9)


def test_bucket_read_uniformly_forever_is_never_archived():
    model = CostModel(profile(400, read=lambda a: 1 / 30), SHEET, 400, expires=True)
    best, cost = cheapest_lifecycle(model)
    assert not best.archives()
    assert cost <= model.evaluate(lifecycle()).total
    # A lifecycle that archives it would break every read from day 37 on.
    framework = lifecycle((7, "INTELLIGENT_TIERING"), (37, "GLACIER"))
    assert model.archived_reads_per_month(framework) == pytest.approx(
        1000 * (400 - 37) / 30 * DAYS_PER_MONTH
    )


def test_restores_allowed_let_rarely_read_data_archive_and_pay_for_restores():
    rare = profile(400, read=lambda a: 0.001)
    strict = CostModel(rare, SHEET, 400, expires=True)
    relaxed = CostModel(rare, SHEET, 400, expires=True, allow_restore=True)
    assert not cheapest_lifecycle(strict)[0].archives()
    best, _ = cheapest_lifecycle(relaxed)
    assert best.archives()
    assert relaxed.evaluate(best).restores > 0


def test_small_objects_never_move_so_every_lifecycle_costs_the_same():
    bucket = profile(400, per_age=0, small_per_age=5000, small_size=40 * KB)
    plan = plan_bucket(bucket, PRICES, "us-east-1", current=lifecycle((30, "STANDARD_IA")))
    costs = plan.evidence["predicted_monthly_usd"]
    assert costs["current"] == costs["intelligent_tiering"] == costs["framework_default"]
    assert not plan.changed and plan.monthly_saving_usd == 0
    assert costs["current"] == pytest.approx(400 * 5000 * 40 * KB / GB * STD, abs=0.01)


def test_objects_deleted_before_the_minimum_duration_pay_the_rest_of_it():
    # Every object is deleted on day 40: Glacier IR from day 30 bills 80 more days per object.
    bucket = profile(400, per_age=lambda a: 1000 if a < 40 else 0)
    model = CostModel(bucket, SHEET, 400, expires=True)
    glacier_ir = model.evaluate(lifecycle((30, "GLACIER_IR")))
    by_hand = 1000 * 10 * MIB / GB * 0.004 * (30 + 90 - 40)
    assert glacier_ir.early_deletion == pytest.approx(by_hand, rel=1e-9)
    # Deep Archive from day 1 still wins: 180 billed days there cost less than 40 in STANDARD,
    # and the search counts those 180 days.
    best, cost = cheapest_lifecycle(model)
    assert best == lifecycle((1, "DEEP_ARCHIVE"))
    chosen = model.evaluate(best)
    assert chosen.early_deletion == pytest.approx(
        1000 * 10 * MIB / GB * DA * (1 + 180 - 40), rel=1e-9
    )
    assert chosen.total == pytest.approx(cost, rel=1e-9) and cost < glacier_ir.total


def test_intelligent_tiering_moves_unread_objects_to_cheaper_tiers():
    unread = CostModel(profile(400), SHEET, 400, expires=True)
    cost = unread.evaluate(lifecycle((1, "INTELLIGENT_TIERING")))
    gb = 1000 * 10 * MIB / GB
    tiers = gb * (30 * STD + 60 * 0.0125 + 309 * 0.004) + gb * STD  # day 0 in STANDARD
    monitoring = 399 * 1000 * 0.0025 / 1000
    assert cost.storage == pytest.approx(tiers, rel=1e-6)
    assert cost.monitoring == pytest.approx(monitoring, rel=1e-6)


def test_current_lifecycle_that_archives_read_data_is_replaced_and_says_how_many_reads_break():
    read = profile(400, read=lambda a: 0.01, invalid_object_state=lambda a: 3 if a > 37 else 0)
    current = lifecycle((7, "INTELLIGENT_TIERING"), (37, "GLACIER"), expire=402)
    plan = plan_bucket(read, PRICES, "us-east-1", current=current)
    assert plan.changed and not plan.proposed.archives()
    assert plan.evidence["reads_broken_per_month"]["current"] > 0
    assert plan.evidence["invalid_object_state_reads"] == 3 * 362
    assert any("InvalidObjectState" in note for note in plan.notes)
    assert plan.proposed.expiration_days == 402  # retention kept


def test_a_region_without_s3_prices_is_unpriced_not_priced_at_us_east_1_rates():
    plan = plan_bucket(profile(100), PRICES, "sa-east-1", current=lifecycle(expire=100))
    assert not plan.priced and plan.monthly_saving_usd is None and not plan.changed
    assert plan.evidence["predicted_monthly_usd"] is None
    assert any("sa-east-1" in note and "unpriced" in note for note in plan.notes)


def test_bucket_without_expiration_is_costed_over_a_horizon_and_keeps_no_expiration():
    plan = plan_bucket(profile(60), PRICES, "us-east-1", current=lifecycle(expire=None))
    assert plan.proposed.expiration_days is None
    assert plan.evidence["model_ages_days"] == 1095
    assert any("never expires" in note for note in plan.notes)
