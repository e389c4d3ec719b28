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
    path.write_text("kind: Pod\nmetadata: {name: [a\nspec: {}\n")
    with pytest.raises(InputError) as caught:
        read_objects([path])
    message = str(caught.value)
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
