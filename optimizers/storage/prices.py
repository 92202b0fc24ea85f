"""The S3 unit prices the lifecycle cost model needs, for one region, from the service price table.

Every figure comes from `optimizers/service_prices.csv` (infracost's `s3.*` keys); a region that
lacks one is unpriced (`UnpricedRegion` names the keys), never priced at another region's rates.
Prices here are per byte-day, per request and per byte, so the cost model only multiplies.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizers.service_prices import MissingPrice, ServicePrices

from .rules import DAYS_PER_MONTH, GB

# storage class -> infracost's name for it in the price keys
KEY_CLASS = {
    "STANDARD": "standard",
    "STANDARD_IA": "standard_ia",
    "INTELLIGENT_TIERING": "intelligent_tiering",
    "ONEZONE_IA": "one_zone_ia",
    "GLACIER_IR": "glacier_instant_retrieval",
    "GLACIER": "glacier_flexible_retrieval",
    "DEEP_ARCHIVE": "glacier_deep_archive",
}
STORAGE_KEY = {
    **{c: f"s3.{k}.storage" for c, k in KEY_CLASS.items()},
    "INTELLIGENT_TIERING": "s3.intelligent_tiering.storage_frequent_access",
}
RETRIEVAL_KEY = {  # per GB read; Standard and Intelligent-Tiering charge none
    "STANDARD_IA": "s3.standard_ia.retrievals",
    "ONEZONE_IA": "s3.one_zone_ia.retrievals",
    "GLACIER_IR": "s3.glacier_instant_retrieval.retrievals",
    "GLACIER": "s3.glacier_flexible_retrieval.retrievals_standard",
    "DEEP_ARCHIVE": "s3.glacier_deep_archive.retrievals_standard",
}
RESTORE_REQUEST_KEY = {
    "GLACIER": "s3.glacier_flexible_retrieval.retrieval_requests_standard",
    "DEEP_ARCHIVE": "s3.glacier_deep_archive.retrieval_requests_standard",
}
IT_TIER_KEY = {
    "infrequent": "s3.intelligent_tiering.storage_infrequent_access",
    "archive_instant": "s3.intelligent_tiering.storage_archive_instant_access",
}
IT_MONITORING_KEY = "s3.intelligent_tiering.monitoring_and_automation"


class UnpricedRegion(Exception):
    def __init__(self, region: str, missing: list[MissingPrice]):
        self.region = region
        self.missing = missing
        keys = ", ".join(sorted(m.key for m in missing)[:4])
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        super().__init__(
            f"no S3 prices for {region} in the service price table ({keys}{more}); the bucket is "
            "unpriced (figures are never borrowed from another region)"
        )


@dataclass(frozen=True)
class ClassPrices:
    storage_byte_day: float
    request: float  # one GET/HEAD ("GET, SELECT and all other requests")
    retrieval_byte: float  # per byte read (restore retrieval for the archive classes)
    transition: float  # one lifecycle transition into this class
    restore_request: float = 0.0  # archive classes: one standard restore


@dataclass(frozen=True)
class S3Prices:
    region: str
    classes: dict[str, ClassPrices]
    it_infrequent_byte_day: float
    it_archive_instant_byte_day: float
    it_monitoring_object_day: float
    sources: dict[str, str]  # price key -> "usd unit, source date"

    def of(self, storage_class: str) -> ClassPrices:
        return self.classes[storage_class]


def s3_prices(prices: ServicePrices, region: str) -> S3Prices:
    """The region's S3 sheet, or UnpricedRegion naming every key the table lacks for it."""
    missing: list[MissingPrice] = []
    sources: dict[str, str] = {}

    def usd(key: str | None) -> float:
        if key is None:
            return 0.0
        figure = prices.get(region, key)
        if figure is None:
            missing.append(MissingPrice(region, key))
            return 0.0
        sources[key] = f"{figure.usd:g} USD per {figure.unit}, {figure.source} {figure.date}"
        return figure.usd

    per_byte_day = 1 / (GB * DAYS_PER_MONTH)
    classes = {}
    for cls, name in KEY_CLASS.items():
        classes[cls] = ClassPrices(
            storage_byte_day=usd(STORAGE_KEY[cls]) * per_byte_day,
            request=usd(f"s3.{name}.get_select_and_all_other_requests") / 1000,
            retrieval_byte=usd(RETRIEVAL_KEY.get(cls)) / GB,
            transition=usd(f"s3.{name}.lifecycle_transition" if cls != "STANDARD" else None) / 1000,
            restore_request=usd(RESTORE_REQUEST_KEY.get(cls)) / 1000,
        )
    sheet = S3Prices(
        region=region,
        classes=classes,
        it_infrequent_byte_day=usd(IT_TIER_KEY["infrequent"]) * per_byte_day,
        it_archive_instant_byte_day=usd(IT_TIER_KEY["archive_instant"]) * per_byte_day,
        it_monitoring_object_day=usd(IT_MONITORING_KEY) / 1000 / DAYS_PER_MONTH,
        sources=sources,
    )
    if missing:
        raise UnpricedRegion(region, missing)
    return sheet
