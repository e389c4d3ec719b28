"""A policy's configuration: validated into its spec, one line naming a bad field."""

from __future__ import annotations

import pytest
from podfence.errors import SpecError
from podfence.policy_pack.config import read_config
from podfence.policy_pack.default_deny import DefaultDenyConfig
from podfence.policy_pack.dns_egress import DnsConfig
from policy_pack.harness import stack_args


def test_omitted_keys_take_their_defaults_and_the_enforcement_level_is_left_out() -> None:
    config = read_config(stack_args([], {"enforcementLevel": "advisory"}), DefaultDenyConfig, "p")
    assert config == DefaultDenyConfig()


def test_numbers_arrive_as_doubles_and_are_read_as_the_integers_they_are() -> None:
    config = read_config(stack_args([], {"dns": {"ports": [5353]}}), DnsConfig, "p")
    assert config.target().ports == ((5353, "TCP"),)


def test_a_misspelt_key_is_named_with_the_key_it_probably_meant() -> None:
    with pytest.raises(
        SpecError, match=r"^policy config p\.egres: unknown key; did you mean egress\?$"
    ):
        read_config(stack_args([], {"egres": True}), DefaultDenyConfig, "p")
