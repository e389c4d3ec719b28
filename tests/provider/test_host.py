"""The provider hands a component its inputs as the program wrote them, numbers made whole."""

from __future__ import annotations

from podfence.provider import analyze


def test_inputs_keep_their_keys_and_shapes_and_whole_doubles_become_integers() -> None:
    provider = analyze()
    definition = provider._component_defs["NamespaceAllow"]
    output = object()  # an Output of another resource, say: passed on as it is
    inputs = {
        "name": "x",
        "namespaces": [output],
        "fromNamespaceSelector": {"matchLabel": {"team": "monitoring"}},
        "ports": [80.0, {"port": 8000.0, "endPort": 8100.0}, {"port": 80.5}],
    }
    mapped = provider.map_inputs(inputs, definition)
    assert mapped == {
        "name": "x",
        "namespaces": [output],
        "fromNamespaceSelector": {"matchLabel": {"team": "monitoring"}},
        "ports": [80, {"port": 8000, "endPort": 8100}, {"port": 80.5}],
    }
    assert type(mapped["ports"][0]) is int
    assert mapped["namespaces"][0] is output
