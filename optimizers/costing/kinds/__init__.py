"""The priced resource kinds; importing this package registers them all."""

from optimizers.costing.kinds import (  # noqa: F401
    caches,
    ebs,
    edge,
    eks,
    fleets,
    kubernetes,
    messaging,
    network,
    storage,
)
