"""How violations name a NetworkPolicy, the pods it selects, and a value as written."""

from __future__ import annotations

from podfence.policy_pack.words import object_key, selected_pods, written
from podfence.reachability.policy import parse_policy


def test_an_object_without_a_namespace_is_in_default() -> None:
    assert object_key({"metadata": {"name": "deny-all"}}) == "default/deny-all"
    assert object_key({"metadata": "not a map"}) == "default/(unnamed)"


def test_selected_pods_says_every_pod_for_an_empty_selector_and_the_labels_otherwise() -> None:
    every = parse_policy({"metadata": {"name": "a", "namespace": "shop"}, "spec": {}})
    assert selected_pods(every) == "every pod of namespace shop (podSelector: {})"
    web = parse_policy(
        {
            "metadata": {"name": "a", "namespace": "shop"},
            "spec": {"podSelector": {"matchLabels": {"app": "web"}}},
        }
    )
    assert selected_pods(web) == "pods app=web in namespace shop"


def test_a_value_is_shown_as_json_with_its_keys_sorted() -> None:
    assert written({"podSelector": {}, "namespaceSelector": {}}) == (
        '{"namespaceSelector": {}, "podSelector": {}}'
    )
