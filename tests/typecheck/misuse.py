"""Calls a type checker must refuse: each line marked ``# expect: <error code>`` is one error.

tests/test_typing.py checks that mypy (without plugins) reports exactly these, which shows that
it reads podfence's real constructor types (not ``Any``) when it accepts tests/typecheck/consumer.py.
"""

from __future__ import annotations

from podfence.spec import Flow, IpBlock, IpBlockAllowSpec, Port, Tier

__all__ = ["misuse"]


def misuse() -> None:
    """Never run: only type-checked."""
    Flow(from_=1, to="api")  # expect: arg-type
    Flow(frm="web", to="api")  # expect: call-arg
    Tier(pod_labels={"app": 1})  # expect: dict-item
    IpBlockAllowSpec(name="a", namespaces=["x"], ip_blocks=["10.0.0.0/8"])  # expect: list-item
    IpBlock(cidr="10.0.0.0/8", except_=[10])  # expect: list-item
    web = Tier(pod_labels={"app": "web"}, ports=[Port.tcp(80)])
    web.ports.append(Port.tcp(81))  # expect: attr-defined
    IpBlock.public_internet()[2]  # expect: misc
