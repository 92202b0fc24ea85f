"""Billing data: FOCUS 1.0/1.1 and Cost and Usage Report exports, read with DuckDB here or with
Amazon Athena at scale, through the same SQL files in `sql/` (one per question)."""

from optimizers.billing.errors import BillingInputError
from optimizers.billing.formats import BillingFormat

__all__ = ["BillingFormat", "BillingInputError"]
