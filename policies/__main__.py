"""The aeon-infra CrossGuard pack: `pulumi preview --policy-pack policies`.

Runs under the Pulumi CLI in its own virtualenv, so it imports only pulumi-policy, PyYAML and its
own `aeon_guardrails` package; `aeon policy` starts it the same way with the project's interpreter.
"""

from aeon_guardrails import PACK_NAME, build_policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=build_policies(),
)
