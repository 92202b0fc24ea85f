"""The stack's monthly cost budget: alerts on forecasted and on actual spend at each threshold
(80% and 100% in prod): a forecast warns early, actual spend alerts even when no forecast ran."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.settings import Budget


class CostBudgetArgs(BaseModel):
    model_config = ConfigDict(frozen=True)

    budget: Budget
    environment: str


class CostBudget(pulumi.ComponentResource):
    def __init__(self, name: str, args: CostBudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aeon:index:CostBudget", name, None, opts)
        budget = args.budget
        self.budget = aws.budgets.Budget(
            name,
            name=f"aeon-{args.environment}-monthly",
            budget_type="COST",
            limit_amount=f"{budget.monthly_limit_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            notifications=[
                {
                    "notification_type": kind,
                    "comparison_operator": "GREATER_THAN",
                    "threshold": pct,
                    "threshold_type": "PERCENTAGE",
                    "subscriber_email_addresses": list(budget.subscriber_emails),
                }
                for kind in ("FORECASTED", "ACTUAL")
                for pct in budget.forecast_alert_pct
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"name": self.budget.name})
