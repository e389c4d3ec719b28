"""The guestbook firewall: the stack's ``firewall`` config in, one podfence Firewall out."""

import pulumi
from podfence import PodfenceError
from podfence.components import Firewall
from podfence.config import FirewallConfig

try:
    config = FirewallConfig.from_pulumi(pulumi.Config())
    firewall = Firewall("guestbook", config)
except PodfenceError as error:
    # RunError ends the program with this one line instead of a traceback.
    raise pulumi.RunError(str(error)) from error

pulumi.export("policies", firewall.policy_names)
