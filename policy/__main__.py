"""podfence's CrossGuard policy pack: ``pulumi preview --policy-pack policy``.

It only constructs the pack (which starts the analyzer's server and never returns); the policies
are podfence.policy_pack's, where they are tested without a server.
"""

from podfence.policy_pack import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    policies=list(POLICIES),
    enforcement_level=EnforcementLevel.MANDATORY,
)
