"""The fast YAML reader against PyYAML's CSafeLoader: random documents, raw YAML, and its errors."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from podfence.reachability import fastyaml

# Strings that YAML 1.1 (PyYAML) reads as something else when plain, or that need quoting.
TRICKY = (
    "on",
    "Off",
    "yes",
    "NO",
    "y",
    "n",
    "true",
    "~",
    "null",
    "Null",
    "",
    " ",
    "0755",
    "0o755",
    "0x1F",
    "0b101",
    "1_000",
    "1:20",
    "1e3",
    "1.5e3",
    "+12",
    ".inf",
    "-.Inf",
    ".nan",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "=",
    "<<",
    "a: b",
    "key: value # not a comment",
    "- item",
    "'single'",
    '"double"',
    "it's",
    "#hash",
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "[flow]",
    "{flow: map}",
    "|",
    ">",
    "---",
    "...",
    "tab\there",
    "line one\nline two",
    "trailing newline\n",
    "  leading spaces",
    "trailing spaces  ",
    "naïve café",
    "日本語",
    "emoji 🚀",
    "\u2028 line separator",
    "nul \x00 and bell \x07",
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.sampled_from(TRICKY),
    st.text(alphabet=st.sampled_from("ab :#-'\"\n\t,[]{}&*!|>%@`?~.0123456789éλ"), max_size=12),
    st.text(max_size=8),
)
KEYS = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=8),
    st.integers(min_value=-1000, max_value=1000),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)

# Raw YAML that yaml.dump never writes: anchors, aliases, tags, merge keys, block scalars,
# directives, complex keys, and some errors.
RAW = (
    "base: &b {x: 1}\nuse: *b\nboth: [*b, *b]\n",
    "- &s scalar\n- *s\n- &n 12\n- *n\n- &e\n- *e\n",
    "base: &b {x: 1, y: 2}\nmerged:\n  <<: *b\n  y: 3\n",
    "a: &a {x: 1}\nb: &b {y: 2}\nc: {<<: [*a, *b], z: 3}\n",
    "a: !!str 12\nb: !!int '7'\nc: !!float '1'\nd: !!bool 'yes'\ne: !!null ''\n",
    "f: !!binary aGVsbG8=\ng: !!timestamp 2001-12-14\nh: !!str\n",
    "s: !!set {a, b}\no: !!omap [a: 1, b: 2]\np: !!pairs [a: 1]\n",
    "!!map {a: !!seq [1, !!str 2]}\n",
    "a: ! 12\nb: ! [1]\nc: ! {d: 1}\n",
    "a: !local x\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!foo x\n",
    "%YAML 1.1\n---\na: 1\n",
    "lit: |\n  one\n   two\n\n  three\nfold: >\n  one\n  two\n\n  three\n",
    "keep: |+\n  x\n\nstrip: >-\n  y\n  z\nindented: |2\n    four\n",
    "a: one\n  two\n  three\nb: 'it''s\n  folded'\nc: \"tab\\t\\u00e9\\x41 \\\n  continued\"\n",
    "? [1, 2]\n: list key\n",
    "? {a: 1}\n: map key\n",
    "a: &k [1]\n? *k\n: alias key\n",
    "? |\n  block key\n: v\n? plain key\n",
    "{a: 1, b: [2, {c: 3}], d: }\n",
    "- on\n- Off\n- 0755\n- 0o17\n- 0x1F\n- 1_000\n- 1:30\n- 1e3\n- 1.5e3\n- .NaN\n- -.Inf\n",
    "- 2001-12-14\n- 2001-12-14t21:59:43.10-05:00\n- 2001-12-14 21:59:43.10\n",
    "- =\n",
    "- <<\n",
    "a: 1\na: 2\n",
    "1: int\n'1': str\n~: null\ntrue: bool\n2.5: float\n",
    "",
    "---\n",
    "--- \n...\n",
    "# only a comment\n",
    "a:\nb: ~\n? c\n",
    "a: &x 1\n---\nb: *x\n",
    "a: [1\n",
    "a: *undefined\n",
    "a: &x 1\nb: &x 2\n",
    "a: b: c\n",
    "- a\nb: c\n",
    "'unterminated\n",
    "a:\n\t- tab\n",
    "a: !!int abc\n",
    "a: 2001-13-45\n",
    "a: 0x_\n",
    "a: !!bool maybe\n",
)
MUTATIONS = "[]{}:,-?&*!|>'\"#%@ \n\t"


@st.composite
def yaml_streams(draw: st.DrawFn) -> bytes:
    """A YAML stream: dumped random values (in a random style) and raw snippets, maybe mutated."""
    parts = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            parts.append(draw(st.sampled_from(RAW)))
            continue
        documents = draw(st.lists(VALUES, min_size=1, max_size=3))
        parts.append(
            yaml.dump_all(
                documents,
                Dumper=yaml.SafeDumper,
                default_flow_style=draw(st.sampled_from([False, True, None])),
                default_style=draw(st.sampled_from([None, None, None, "'", '"', "|"])),
                explicit_start=draw(st.booleans()),
                explicit_end=draw(st.booleans()),
                canonical=draw(st.sampled_from([False, False, False, True])),
                allow_unicode=draw(st.booleans()),
                width=draw(st.sampled_from([80, 80, 12])),
                sort_keys=draw(st.booleans()),
            )
        )
    separator = draw(st.sampled_from(["---\n", "...\n", "...\n---\n", ""]))
    text = separator.join(parts)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(MUTATIONS)) + text[at:]
        else:
            text = text[:at] + text[at + 1 :]
    return text.encode()


def same(a: Any, b: Any, seen: set[tuple[int, int]] | None = None) -> bool:
    """``a == b`` with equal types throughout (``True`` is not ``1``), NaN equal to NaN, and
    recursive structures (an alias inside its own anchor) compared once."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, datetime.datetime):
        return bool(a == b) and a.tzinfo == b.tzinfo
    if not isinstance(a, (dict, list)):
        return bool(a == b)
    seen = set() if seen is None else seen
    if (id(a), id(b)) in seen:
        return True
    seen.add((id(a), id(b)))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y, seen) for x, y in zip(a, b, strict=True))
    if len(a) != len(b):
        return False
    # Keys compare by equality, as dict lookups do (a NaN key is PyYAML's one NaN object).
    return all(key in b and same(value, b[key], seen) for key, value in a.items())


def outcome(load: Any, data: bytes) -> tuple[bool, Any]:
    """(True, the documents) or (False, the exception) of reading ``data`` with ``load``."""
    try:
        return True, load(data)
    except Exception as error:  # compared below: PyYAML raises ValueError, KeyError, ... too
        return False, error


def csafe_load_all(data: bytes) -> list[Any]:
    return list(yaml.load_all(data, Loader=yaml.CSafeLoader))


def contains_itself(value: Any, path: frozenset[int] = frozenset()) -> bool:
    """Whether a value built by PyYAML holds an alias inside its own anchor."""
    if not isinstance(value, dict | list):
        return False
    if id(value) in path:
        return True
    inner = path | {id(value)}
    items = list(value.values()) if isinstance(value, dict) else value
    return any(contains_itself(item, inner) for item in items)


def assert_reads_like_csafeloader(data: bytes) -> None:
    ok, expected = outcome(csafe_load_all, data)
    fast_ok, actual = outcome(fastyaml.load_all, data)
    if isinstance(actual, fastyaml.AliasError) and "contains itself" in str(actual):
        assert ok and contains_itself(expected), f"{actual!r} for {expected!r}"
        return  # kubectl refuses what PyYAML reads
    if ok:
        assert fast_ok, f"fastyaml raised {actual!r}, PyYAML read {expected!r}"
        assert same(actual, expected), f"{actual!r} != {expected!r}"
    else:
        assert not fast_ok, f"fastyaml read {actual!r}, PyYAML raised {expected!r}"
        assert type(actual) is type(expected), f"{actual!r} is not {expected!r}"
        if isinstance(expected, yaml.YAMLError):
            assert isinstance(actual, yaml.YAMLError)


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(yaml_streams())
def test_random_yaml_reads_exactly_as_with_the_csafeloader_values_and_errors(data: bytes) -> None:
    assert_reads_like_csafeloader(data)


@pytest.mark.parametrize("text", RAW)
def test_each_raw_snippet_reads_exactly_as_with_the_csafeloader(text: str) -> None:
    assert_reads_like_csafeloader(text.encode())


# What the event walk hands to PyYAML: the documented cases, nothing else.
FALLS_BACK = {
    "base: &b {x: 1}\nuse: *b\nboth: [*b, *b]\n",
    "- &s scalar\n- *s\n- &n 12\n- *n\n- &e\n- *e\n",
    "a: &x 1\n---\nb: *x\n",
    "a: &x 1\nb: &x 2\n",
    "base: &b {x: 1, y: 2}\nmerged:\n  <<: *b\n  y: 3\n",
    "a: &a {x: 1}\nb: &b {y: 2}\nc: {<<: [*a, *b], z: 3}\n",
    "s: !!set {a, b}\no: !!omap [a: 1, b: 2]\np: !!pairs [a: 1]\n",
    "a: !local x\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!foo x\n",
    "? [1, 2]\n: list key\n",
    "? {a: 1}\n: map key\n",
    "a: &k [1]\n? *k\n: alias key\n",
    "- =\n",
    "- <<\n",
    "a: !!int abc\n",
    "a: 2001-13-45\n",
    "a: 0x_\n",
    "a: !!bool maybe\n",
}


@pytest.mark.parametrize("text", RAW)
def test_only_non_core_tags_merge_keys_complex_keys_anchors_and_rejected_scalars_fall_back(
    text: str,
) -> None:
    try:
        fastyaml._events(text.encode())
    except fastyaml._Fallback:
        assert text in FALLS_BACK
    except yaml.YAMLError:
        assert text not in FALLS_BACK
    else:
        assert text not in FALLS_BACK


def test_an_undefined_alias_raises_a_composer_error_naming_it_at_its_position() -> None:
    data = b"a: &defined 1\nb: [*defined, *nope]\n"
    with pytest.raises(yaml.composer.ComposerError) as raised:
        fastyaml.load_all(data)
    with pytest.raises(yaml.composer.ComposerError) as expected:
        csafe_load_all(data)
    assert raised.value.problem == "found undefined alias 'nope'"
    mark, expected_mark = raised.value.problem_mark, expected.value.problem_mark
    assert mark is not None and expected_mark is not None
    assert (mark.line, mark.column) == (expected_mark.line, expected_mark.column) == (1, 14)


def test_an_anchor_of_an_earlier_document_is_undefined_in_the_next() -> None:
    with pytest.raises(yaml.composer.ComposerError, match="found undefined alias 'x'"):
        fastyaml.load_all(b"a: &x 1\n---\nb: *x\n")


def test_an_anchor_defined_twice_in_a_document_raises_with_both_positions() -> None:
    with pytest.raises(yaml.composer.ComposerError) as raised:
        fastyaml.load_all(b"a: &x 1\nb: &x 2\n")
    error = raised.value
    assert error.context == "found duplicate anchor 'x'; first occurrence"
    assert error.problem == "second occurrence"
    assert error.context_mark is not None and error.problem_mark is not None
    assert (error.context_mark.line, error.problem_mark.line) == (0, 1)
    assert fastyaml.load_all(b"a: &x 1\n---\nb: &x 2\n") == [{"a": 1}, {"b": 2}]


@pytest.mark.parametrize("text", ["? [1]\n: 2\n", "? {a: 1}\n: 2\n", "a: &k [1]\n? *k\n: 2\n"])
def test_an_unhashable_key_falls_back_to_the_safe_loader_which_rejects_it(text: str) -> None:
    with pytest.raises(fastyaml._Fallback):
        fastyaml._events(text.encode())
    with pytest.raises(yaml.constructor.ConstructorError, match="found unhashable key"):
        fastyaml.load_all(text.encode())


def test_a_merge_key_is_read_by_the_safe_loader() -> None:
    data = b"base: &b {x: 1, y: 2}\nmerged:\n  <<: *b\n  y: 3\n"
    with pytest.raises(fastyaml._Fallback):
        fastyaml._events(data)
    assert fastyaml.load_all(data) == [{"base": {"x": 1, "y": 2}, "merged": {"x": 1, "y": 3}}]


def test_a_rejected_scalar_leaves_the_error_to_pyyaml_which_reports_a_later_syntax_error_first() -> (
    None
):
    with pytest.raises(yaml.parser.ParserError):
        fastyaml.load_all(b"a: !!int abc\nb: [\n")
    with pytest.raises(ValueError, match="invalid literal for int"):
        fastyaml.load_all(b"a: !!int abc\n")


def test_an_alias_is_the_anchored_object_itself_as_in_pyyaml() -> None:
    (document,) = fastyaml.load_all(b"a: &shared [1]\nb: *shared\n")
    assert document["a"] is document["b"]


def test_yaml_1_1_scalars_resolve_as_pyyaml_resolves_them() -> None:
    text = b"[on, Off, yes, 0755, 0x1F, 1_000, 1:20, 1e3, '0755', ~, 2001-12-14]"
    assert fastyaml.load_all(text) == [
        [True, False, True, 493, 31, 1000, 80, "1e3", "0755", None, datetime.date(2001, 12, 14)]
    ]


def test_an_empty_tagged_int_is_pyyamls_error_not_an_index_error() -> None:
    # Found by the differential property: int's constructor indexes the empty value.
    assert_reads_like_csafeloader(b"- !!int |-\n0\n---\nbase: &b {x: 1}\nuse: *b\n")
    assert_reads_like_csafeloader(b"- !!int ''\n")


# -- what kubectl refuses: excessive aliasing, an alias inside its anchor, huge objects --------


def laughs(levels: int, fan_out: int = 9) -> bytes:
    """The "billion laughs": each level a list of ``fan_out`` aliases of the level before."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * fan_out)}]"]
    lines += [
        f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * fan_out)}]"
        for level in range(1, levels + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_the_allowed_alias_ratio_is_go_yamls() -> None:
    assert fastyaml.allowed_alias_ratio(1_000) == 0.99
    assert fastyaml.allowed_alias_ratio(400_000) == 0.99
    assert fastyaml.allowed_alias_ratio(2_200_000) == pytest.approx(0.545)
    assert fastyaml.allowed_alias_ratio(4_000_000) == 0.10
    assert fastyaml.allowed_alias_ratio(10**9) == 0.10


def test_a_billion_laughs_stops_at_its_first_levels_with_the_position() -> None:
    with pytest.raises(fastyaml.AliasError) as raised:
        fastyaml.load_all(laughs(9))
    error = raised.value
    assert isinstance(error, yaml.composer.ComposerError)
    assert error.problem == (
        "document contains excessive aliasing: 4,630 of its first 4,670 nodes come from aliases, "
        "over the 99% kubectl allows"
    )
    assert error.problem_mark is not None and error.problem_mark.line == 2, "l2's anchor"


def test_a_few_levels_of_aliases_are_read_as_pyyaml_reads_them() -> None:
    assert_reads_like_csafeloader(laughs(2))  # 90 strings through aliases of 99: allowed
    assert_reads_like_csafeloader(b"defaults: &d {a: 1}\nx: *d\ny: *d\nz: *d\n")


def test_the_same_bomb_is_refused_where_pyyaml_reads_it_after_a_merge_key() -> None:
    data = b"m: &m {a: 1}\nn: {<<: *m}\n" + laughs(9)
    with pytest.raises(fastyaml._Fallback):
        fastyaml._events(data)
    with pytest.raises(fastyaml.AliasError, match="document contains excessive aliasing"):
        fastyaml.load_all(data)


@pytest.mark.parametrize(
    "text",
    [b"&loop [1, *loop]\n", b"a: &m {b: [*m]}\n", b"x: &x {<<: {}, y: *x}\n"],
)
def test_an_alias_inside_its_own_anchor_is_refused_as_kubectl_refuses_it(text: bytes) -> None:
    (expected,) = csafe_load_all(text)
    assert contains_itself(expected), "PyYAML builds a value that contains itself"
    with pytest.raises(fastyaml.AliasError, match="value contains itself"):
        fastyaml.load_all(text)


def test_the_fast_reader_names_the_anchor_that_contains_itself() -> None:
    with pytest.raises(fastyaml.AliasError) as raised:
        fastyaml.load_all(b"a: 1\nb: &loop [1, *loop]\n")
    assert raised.value.problem == "anchor 'loop' value contains itself"
    assert raised.value.problem_mark is not None and raised.value.problem_mark.line == 1


def test_a_stream_up_to_3_mib_is_never_measured_and_one_object_over_it_is_refused() -> None:
    small = b"a: '" + b"x" * (3 * 1024 * 1024 - 100) + b"'\n"
    assert len(fastyaml.load_all(small)[0]["a"]) == 3 * 1024 * 1024 - 100
    big = b"---\nkind: Pod\n---\na: '" + b"x" * (3 * 1024 * 1024) + b"'\n"
    with pytest.raises(fastyaml.TooLarge) as raised:
        fastyaml.load_all(big)
    assert (raised.value.what, raised.value.mark.line) == ("document 2", 2)  # 0-based
    assert str(raised.value) == (
        "document 2 is 3.0 MiB, over the API server's 3 MiB limit on a request: no cluster can "
        "hold it"
    )


def test_multibyte_characters_count_in_bytes() -> None:
    text = "a: '" + "é" * (1024 * 1024 + 600_000) + "'\n"  # 1.6 M characters, 3.2 MB
    with pytest.raises(fastyaml.TooLarge) as raised:
        fastyaml.load_all(text.encode())
    assert raised.value.size > 3 * 1024 * 1024


def test_the_items_of_a_list_are_measured_one_by_one() -> None:
    item = "- {kind: Pod, metadata: {name: p, annotations: {a: '" + "x" * 1_000_000 + "'}}}\n"
    stream = "apiVersion: v1\nitems:\n" + item * 4 + "kind: List\n"
    assert len(fastyaml.load_all(stream.encode())[0]["items"]) == 4
    not_a_list = "apiVersion: v1\nitems:\n" + item * 4 + "kind: Pod\n"
    with pytest.raises(fastyaml.TooLarge, match=r"^document 1 is 3\.8 MiB"):
        fastyaml.load_all(not_a_list.encode())
    merged = "m: &m {a: 1}\nn: {<<: *m}\n---\n" + stream  # read by PyYAML: measured alike
    assert len(fastyaml.load_all(merged.encode())[1]["items"]) == 4
    with pytest.raises(fastyaml.TooLarge, match=r"^document 2 is 3\.8 MiB"):
        fastyaml.load_all(("m: &m {a: 1}\nn: {<<: *m}\n---\n" + not_a_list).encode())
