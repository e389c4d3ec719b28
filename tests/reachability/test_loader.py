"""Reading objects: files, directories, multi-document YAML, lists, JSON, and read errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from podfence.errors import InputError
from podfence.reachability.fastyaml import load_all
from podfence.reachability.loader import Document, read_objects
from reachability.helpers import FIXTURES


def read_error(path: Path, text: str) -> str:
    """The one-line InputError that reading ``text``, written to ``path``, raises."""
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_objects([path])
    return str(caught.value)


def names(objects: list[dict[str, object]]) -> list[str]:
    return [f"{o['kind']}/{o['metadata']['name']}" for o in objects]  # type: ignore[index]


def test_multi_document_yaml_with_lists_is_flattened_and_empty_documents_skipped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "objects.yaml"
    path.write_text(
        "---\n"
        "kind: Namespace\nmetadata: {name: a}\n"
        "---\n"
        "---\n"  # an empty document
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {kind: Pod, metadata: {name: p}}\n"
        "- {kind: PodList, items: [{kind: Pod, metadata: {name: q}}]}\n"
        "---\n"
        "kind: NetworkPolicyList\nitems: []\n"
    )
    objects = read_objects([path])
    assert names(objects) == ["Namespace/a", "Pod/p", "Pod/q"]
    assert all(isinstance(o, Document) and o.origin == str(path) for o in objects)


def test_a_directory_is_read_recursively_in_sorted_order_yaml_yml_and_json_only(
    tmp_path: Path,
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.yaml").write_text("kind: Pod\nmetadata: {name: b}\n")
    (tmp_path / "a.yml").write_text("kind: Pod\nmetadata: {name: a}\n")
    (tmp_path / "sub" / "c.json").write_text(json.dumps({"kind": "Pod", "metadata": {"name": "c"}}))
    (tmp_path / "notes.txt").write_text("kind: Pod\nmetadata: {name: ignored}\n")
    assert names(read_objects([tmp_path])) == ["Pod/a", "Pod/b", "Pod/c"]


def test_the_guestbook_fixture_reads_into_namespaces_pods_and_policies() -> None:
    objects = read_objects([FIXTURES / "guestbook"])
    kinds = [o["kind"] for o in objects]
    assert kinds.count("Namespace") == 3
    assert kinds.count("Pod") == 6
    assert kinds.count("NetworkPolicy") == 5


def test_a_missing_path_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.yaml: no such file or directory"):
        read_objects([tmp_path / "nope.yaml"])


def test_invalid_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    message = read_error(path, "kind: Pod\nmetadata: {name: [a\nspec: {}\n")
    assert message.startswith(f"{path}:")
    assert "invalid YAML" in message
    assert "\n" not in message


def test_invalid_json_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"kind": "Pod",\n "metadata": }')
    with pytest.raises(InputError, match=rf"{path}:2: invalid JSON"):
        read_objects([path])


def test_a_document_that_is_not_a_map_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("kind: Pod\nmetadata: {name: a}\n---\n- just\n- a list\n")
    with pytest.raises(
        InputError, match=r"list\.yaml \(document 2\): expected a Kubernetes object"
    ):
        read_objects([path])


SAMPLES = [
    "a: 1\nb: true\nc: ~\nd: '1'\ne: 1.5\nf: 0x1F\ng: 2001-12-14\nh: !!str 12\n",
    "i: [1, 2, {x: y}]\nj: yes\nk: no\nl: on\nm: 1_000\nn: .inf\no: 0o17\np: 017\nq: ''\nr:\n",
    "&a {x: 1}\n---\n- &b [1]\n- *b\n",
    "---\n---\na: b\n",
    "x: &c {k: v}\ny: *c\n",
    "base: &b {a: 1}\nd:\n  <<: *b\n  c: 3\n",
    "a: !!binary aGVsbG8=\nb: !!set {x, y}\n",
    "a: 1\na: 2\n",
    "",
    "# only a comment\n",
    "metadata:\n  labels:\n    \"quoted\": 'single'\n    plain: |\n      block\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_fast_reader_builds_what_the_safe_loader_builds(text: str) -> None:
    assert load_all(text.encode()) == list(yaml.safe_load_all(text))


@pytest.mark.parametrize("text", ["? [1]\n: 2\n", "k: *undefined\n", "a: [1\n"])
def test_the_fast_reader_raises_what_the_safe_loader_raises(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as expected:
        list(yaml.safe_load_all(text))
    with pytest.raises(type(expected.value)):
        load_all(text.encode())


def test_a_document_is_a_plain_dict_to_json_yaml_and_copy() -> None:
    import copy

    document = Document({"kind": "Pod", "metadata": {"name": "a"}}, "pods.yaml")
    assert document == {"kind": "Pod", "metadata": {"name": "a"}}
    assert json.loads(json.dumps(document)) == document
    assert yaml.safe_load(yaml.safe_dump(document)) == document
    duplicate = copy.deepcopy(document)
    assert isinstance(duplicate, Document) and duplicate.origin == "pods.yaml"


def test_a_list_whose_items_are_not_a_list_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("kind: List\nitems: {a: b}\n")
    with pytest.raises(InputError, match=r"list\.yaml: List\.items: expected a list"):
        read_objects([path])


# -- inputs that hold nothing, and what the API server would refuse --------------------------


@pytest.mark.parametrize(
    "text", ["", "\n", "# only a comment\n", "---\n", "---\n# a comment\n---\n"]
)
def test_a_file_that_holds_no_object_is_an_error_naming_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "policies.yaml"
    assert read_error(path, text) == (
        f"{path}: no Kubernetes object: the file is empty or holds only comments (an empty "
        "kind: List says nothing on purpose)"
    )


def test_an_empty_json_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "pods.json"
    path.write_text("  \n")
    with pytest.raises(InputError, match=r"pods\.json: no Kubernetes object: the file is empty"):
        read_objects([path])


def test_a_directory_without_yaml_or_json_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("kind: Pod\n")
    with pytest.raises(InputError) as caught:
        read_objects([tmp_path])
    assert str(caught.value) == (
        f"{tmp_path}: no Kubernetes object: the directory has no *.yaml, *.yml or *.json file"
    )


@pytest.mark.parametrize(
    "text",
    ["kind: List\nitems: []\n", "apiVersion: v1\nkind: List\n", "kind: PodList\nitems: ~\n"],
)
def test_an_explicitly_empty_list_is_valid_and_holds_nothing(tmp_path: Path, text: str) -> None:
    path = tmp_path / "none.yaml"
    path.write_text(text)
    assert read_objects([path]) == []


def test_list_items_of_the_wrong_type_are_an_error_naming_the_value(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    assert (
        read_error(path, "kind: List\nitems: ''\n")
        == f"{path}: List.items: expected a list, got ''"
    )


def test_each_object_knows_its_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "objects.yaml"
    path.write_text(
        "kind: Pod\nmetadata: {name: a}\n---\n"
        "kind: List\nitems:\n- {kind: Pod, metadata: {name: b}}\n"
        "- {kind: List, items: [{kind: Pod, metadata: {name: c}}]}\n"
    )
    objects = read_objects([path])
    assert [getattr(o, "position", None) for o in objects] == [
        "document 1",
        "document 2 items[0]",
        "document 2 items[1] items[0]",
    ]


def test_a_scalar_pyyaml_rejects_is_invalid_yaml_not_an_internal_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    assert read_error(path, "kind: Pod\nmetadata: {name: !!int abc}\n") == (
        f"{path}: invalid YAML: invalid literal for int() with base 10: 'abc'"
    )


BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{this}: &{this} [{', '.join(['*' + last] * 9)}]\n"
    for last, this in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_a_billion_laughs_is_refused_at_once_as_kubectl_refuses_it(tmp_path: Path) -> None:
    # "at once": the message counts the nodes read before refusing (4,670, not a billion); no
    # clock is read, as speed is the benchmarks' business.
    path = tmp_path / "bomb.yaml"
    assert read_error(path, BOMB) == (
        f"{path}:3: invalid YAML: document contains excessive aliasing: 4,630 of its first 4,670 "
        "nodes come from aliases, over the 99% kubectl allows"
    )


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    assert (
        read_error(path, "kind: Pod\nmetadata: &m {name: a, labels: *m}\n")
        == f"{path}:2: invalid YAML: anchor 'm' value contains itself"
    )


def _pods(count: int, padding: int = 0) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"p{n}",
                    "namespace": "a",
                    "annotations": {"pad": "x" * padding},
                },
            }
            for n in range(count)
        ],
    }


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_list_over_3_mib_of_small_objects_is_read_whole(tmp_path: Path, suffix: str) -> None:
    data = _pods(400, 9000)
    path = tmp_path / f"pods{suffix}"
    path.write_text(json.dumps(data, indent=1))  # JSON is YAML too
    assert path.stat().st_size > 3 * 1024 * 1024
    assert read_objects([path]) == data["items"]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_an_item_over_3_mib_is_refused_with_the_api_servers_limit(
    tmp_path: Path, suffix: str
) -> None:
    data = _pods(3)
    data["items"][1]["metadata"]["annotations"]["pad"] = "x" * (3 * 1024 * 1024)  # type: ignore[index]
    path = tmp_path / f"pods{suffix}"
    assert read_error(path, json.dumps(data, indent=1)) == (
        f"{path}:16: items[1] of document 1 is 3.0 MiB, over the API server's 3 MiB limit on "
        "a request: no cluster can hold it"
    )


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_single_object_over_3_mib_is_refused(tmp_path: Path, suffix: str) -> None:
    data = _pods(1, 3 * 1024 * 1024)["items"][0]  # type: ignore[index]
    path = tmp_path / f"pod{suffix}"
    assert read_error(path, json.dumps(data)) == (
        f"{path}:1: document 1 is 3.0 MiB, over the API server's 3 MiB limit on a request: no "
        "cluster can hold it"
    )


def test_a_big_json_file_reads_as_json_loads_reads_it(tmp_path: Path) -> None:
    data = {**_pods(350, 9000), "metadata": {"resourceVersion": ""}, "items2": [1, {"a": None}]}
    path = tmp_path / "pods.json"
    path.write_text(json.dumps(data, separators=(",", ":")))
    assert path.stat().st_size > 3 * 1024 * 1024
    assert read_objects([path]) == data["items"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data)[:-1] + "]")
    with pytest.raises(InputError, match=rf"^{bad}:1: invalid JSON: Expecting ',' delimiter$"):
        read_objects([bad])
