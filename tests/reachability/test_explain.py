"""explain(): a verdict in words."""

from __future__ import annotations

import pytest
from podfence.reachability import Analyzer, explain, read_objects
from reachability.helpers import FIXTURES


@pytest.fixture(scope="module")
def guestbook() -> Analyzer:
    return Analyzer(read_objects([FIXTURES / "guestbook"]))


def test_an_allowed_flow_lists_the_rules_that_allow_it(guestbook: Analyzer) -> None:
    text = explain(guestbook.evaluate("guestbook/ui-0", "guestbook/api-0", 8080))
    assert text.splitlines() == [
        "guestbook/ui-0 -> guestbook/api-0 on 8080/TCP: allowed",
        "  ingress at guestbook/api-0: allowed: guestbook/api-0 is isolated for ingress by "
        "guestbook/deny-all, guestbook/allow-ui-to-api; allowed by:",
        "    - guestbook/allow-ui-to-api ingress rule 0: from pods app=ui,tier=frontend in "
        "namespace guestbook on port api/TCP",
        "  egress at guestbook/ui-0: allowed: guestbook/ui-0 is isolated for egress by "
        "guestbook/deny-all, guestbook/egress-tiers; allowed by:",
        "    - guestbook/egress-tiers egress rule 0: to pods tier=backend in namespace guestbook "
        "on 8000-8100/TCP",
    ]


def test_a_denied_flow_says_which_policies_isolate_and_why_no_rule_admits(
    guestbook: Analyzer,
) -> None:
    text = explain(guestbook.evaluate("guestbook/ui-0", "guestbook/db-0", 5432))
    lines = text.splitlines()
    assert lines[0] == "guestbook/ui-0 -> guestbook/db-0 on 5432/TCP: denied"
    assert lines[1] == (
        "  ingress at guestbook/db-0: denied: guestbook/db-0 is isolated for ingress by "
        "guestbook/deny-all, guestbook/allow-api-to-db; none of their ingress rules admits "
        "guestbook/ui-0:"
    )
    assert "    - guestbook/deny-all has no ingress rules" in lines
    assert (
        "    - guestbook/allow-api-to-db ingress rule 0: from pods app=api in namespace guestbook "
        "on 5432/TCP: guestbook/ui-0 does not match pods app=api in namespace guestbook"
    ) in lines


def test_a_direction_without_isolation_is_said_to_allow_everything(guestbook: Analyzer) -> None:
    text = explain(guestbook.evaluate("monitoring/prom-0", "kube-system/coredns-0", 53, "UDP"))
    assert (
        "ingress at kube-system/coredns-0: allowed: no policy selects kube-system/coredns-0" in text
    )
    assert (
        "egress at monitoring/prom-0: allowed: no policy selects monitoring/prom-0 for egress"
        in text
    )


def test_an_external_source_has_no_egress_side(guestbook: Analyzer) -> None:
    text = explain(guestbook.evaluate("10.1.2.3", "guestbook/ui-0", 80))
    assert text.splitlines()[0] == "10.1.2.3 -> guestbook/ui-0 on 80/TCP: denied"
    assert (
        "does not match 0.0.0.0/0 except 10.0.0.0/8 or all pods in namespaces purpose=monitoring"
        in text
    )
    assert "egress at 10.1.2.3: not applicable" in text
