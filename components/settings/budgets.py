"""Budgets and monitoring: the monthly budget's alerts, pressure alarms, where alerts go."""

from __future__ import annotations

from pydantic import Field, field_validator

from components.facts import limits
from components.settings.base import Email, Model, MonthlyUsd, Percent


def _unique(values: list) -> list:
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} listed twice")
    return values


class Budget(Model):
    monthly_limit_usd: MonthlyUsd
    forecast_alert_pct: list[Percent] = Field(
        min_length=1, max_length=limits.MAX_BUDGET_NOTIFICATIONS
    )
    subscriber_emails: list[Email] = Field(min_length=1, max_length=limits.MAX_BUDGET_EMAILS)

    _distinct = field_validator("forecast_alert_pct", "subscriber_emails")(_unique)


class PressureAlarm(Model):
    threshold_pct: Percent
    duration_s: int = Field(
        ge=60,
        le=limits.MAX_ALARM_WINDOW_S,
        description="whole minutes: CloudWatch evaluates 60 s periods, over at most one day",
    )

    @field_validator("duration_s")
    @classmethod
    def _whole_minutes(cls, value: int) -> int:
        if value % 60:
            raise ValueError(f"{value} s is not a whole number of minutes")
        return value


class Monitoring(Model):
    cpu_pressure: PressureAlarm
    memory_pressure: PressureAlarm
    alert_emails: list[Email] = Field(default_factory=list, description="SNS subscribers of alarms")
    prometheus_retention: str = Field(default="15d", pattern=r"^[1-9]\d{0,5}[hdw]$")

    _distinct = field_validator("alert_emails")(_unique)

    @field_validator("prometheus_retention")
    @classmethod
    def _at_most_ten_years(cls, value: str) -> str:
        hours = int(value[:-1]) * {"h": 1, "d": 24, "w": 168}[value[-1]]
        if hours > 10 * 365 * 24:
            raise ValueError("more than ten years of metrics cannot be meant")
        return value
