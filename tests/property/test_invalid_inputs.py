"""Invalid inputs fail with one line, never another exception, never a partial result.

* A valid config with one mutation (see :mod:`property.mutations`, one test per family) fails
  ``FirewallConfig.parse`` with a ``SpecError``/``ConfigError`` whose message is one line.
* A corrupted Kubernetes object among a valid config's manifests and derived inventory either
  loads, every object accounted for, or fails ``load_cluster`` with a one-line ``InputError``;
  when Kubernetes certainly refuses the corruption, it must fail.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from podfence.config import FirewallConfig
from podfence.errors import ConfigError, InputError, SpecError
from podfence.offline.inventory import derive_inventory
from podfence.reachability import load_cluster
from property.mutations import Corruption, corruptions, invalid_configs
from property.strategies import firewall_configs

SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
PER_FAMILY = 100


def _one_line(message: str, what: str) -> None:
    assert message.strip(), f"{what}: an empty message"
    assert "\n" not in message and "\r" not in message, (
        f"{what}: the message spans lines: {message!r}"
    )
    assert "Traceback" not in message, f"{what}: a traceback in the message: {message!r}"


def assert_refused_in_one_line(config: Any, what: str) -> None:
    try:
        FirewallConfig.parse(config, root="firewall")
    except (SpecError, ConfigError) as error:
        _one_line(str(error), what)
        return
    except Exception as error:  # anything else is a bug: name it
        pytest.fail(f"{what}: {type(error).__name__} instead of a SpecError: {error!r}")
    pytest.fail(f"{what}: accepted")


@settings(max_examples=PER_FAMILY, **SETTINGS)
@given(invalid_configs("wrong-type"))
def test_a_value_of_the_wrong_type_is_refused_in_one_line(case: tuple[Any, str]) -> None:
    assert_refused_in_one_line(*case)


@settings(max_examples=PER_FAMILY, **SETTINGS)
@given(invalid_configs("coercible-type"))
def test_a_string_or_number_where_a_boolean_or_port_goes_is_refused_not_coerced(
    case: tuple[Any, str],
) -> None:
    assert_refused_in_one_line(*case)


@settings(max_examples=PER_FAMILY, **SETTINGS)
@given(invalid_configs("unknown-key"))
def test_an_unknown_key_is_refused_in_one_line(case: tuple[Any, str]) -> None:
    assert_refused_in_one_line(*case)


@settings(max_examples=PER_FAMILY, **SETTINGS)
@given(invalid_configs("bad-name-or-label"))
def test_a_bad_name_label_key_or_label_value_is_refused_in_one_line(case: tuple[Any, str]) -> None:
    assert_refused_in_one_line(*case)


@settings(max_examples=PER_FAMILY, **SETTINGS)
@given(invalid_configs("bad-port"))
def test_a_bad_port_is_refused_in_one_line(case: tuple[Any, str]) -> None:
    assert_refused_in_one_line(*case)


@settings(max_examples=PER_FAMILY, **SETTINGS)
@given(invalid_configs("bad-ip-block"))
def test_a_bad_ip_block_is_refused_in_one_line(case: tuple[Any, str]) -> None:
    assert_refused_in_one_line(*case)


@settings(max_examples=PER_FAMILY, **SETTINGS)
@given(invalid_configs("bad-reference"))
def test_an_unknown_tier_or_a_duplicate_is_refused_in_one_line(case: tuple[Any, str]) -> None:
    assert_refused_in_one_line(*case)


@settings(max_examples=PER_FAMILY, **SETTINGS)
@given(invalid_configs("missing-or-empty"))
def test_a_missing_or_empty_required_part_is_refused_in_one_line(case: tuple[Any, str]) -> None:
    assert_refused_in_one_line(*case)


@settings(max_examples=PER_FAMILY, **SETTINGS)
@given(invalid_configs("line-break"))
def test_a_line_break_in_a_name_reference_label_or_port_is_refused_in_one_line(
    case: tuple[Any, str],
) -> None:
    assert_refused_in_one_line(*case)


# -- corrupted manifests -------------------------------------------------------------------

KINDS = {"NetworkPolicy": "networking.k8s.io/v1", "Namespace": "v1", "Pod": "v1"}


def _objects(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The config's manifests and derived inventory, each object once.

    (Two namespace allows admitting one namespace derive its ``client`` pod twice, which the
    reachability property reports; here the first is kept, so that the base loads.)
    """
    firewall = FirewallConfig.parse(config)
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for obj in [*firewall.manifests(), *derive_inventory(firewall).objects]:
        metadata = obj["metadata"]
        out.setdefault((obj["kind"], metadata.get("namespace", ""), metadata["name"]), obj)
    return list(out.values())


@st.composite
def corrupted(draw: st.DrawFn) -> Corruption:
    objects = _objects(draw(firewall_configs()))
    return draw(corruptions(objects))


def _bucket(obj: dict[str, Any]) -> set[str]:
    """Where a (possibly corrupted) object may end up: its kind, or the warnings."""
    kind, version = obj.get("kind"), obj.get("apiVersion")
    if not isinstance(kind, str) or kind not in KINDS:
        return {"warning"}
    if version is None or version == KINDS[kind]:
        return {kind}
    if isinstance(version, str):
        return {"warning"}
    return {kind, "warning"}  # an apiVersion that is no string: read as absent, or not evaluated


def assert_loaded_whole_or_refused_in_one_line(case: Corruption) -> None:
    what = case.what
    try:
        cluster = load_cluster(case.objects)
    except InputError as error:
        _one_line(str(error), what)
        return
    except Exception as error:  # anything else is a bug: name it
        pytest.fail(f"{what}: {type(error).__name__} instead of an InputError: {error!r}")
    assert not case.must_fail, f"{what}: loaded, but Kubernetes refuses it"
    # Loaded: every object is evaluated or named in a warning; none is dropped in silence.
    counts = {"NetworkPolicy": 0, "Pod": 0, "Namespace": 0, "warning": 0}
    either = None
    for obj in case.objects:
        buckets = _bucket(obj)
        if len(buckets) == 1:
            counts[next(iter(buckets))] += 1
        else:
            either = buckets
    found = {
        "NetworkPolicy": len(cluster.policies),
        "Pod": len(cluster.inventory.pods),
        "warning": len(cluster.warnings),
    }
    expected = [{bucket: counts[bucket] for bucket in found}]
    if either is not None:  # the corrupted object counts in one of its two buckets
        expected = [{b: counts[b] + (b == choice) for b in found} for choice in sorted(either)]
    assert found in expected, (
        f"{what}: loaded {found}, expected one of {expected}: an object was dropped in silence"
    )
    for obj in case.objects:
        if _bucket(obj) == {"Namespace"}:
            assert obj["metadata"]["name"] in cluster.inventory.namespaces, what


@settings(max_examples=400, **SETTINGS)
@given(corrupted())
def test_a_corrupted_object_loads_whole_or_is_refused_in_one_line(case: Corruption) -> None:
    assert_loaded_whole_or_refused_in_one_line(case)
