"""Docstrings reach the schema dedented, so Markdown reads no paragraph as code."""

from __future__ import annotations

from podfence.provider.markdown import described


def test_a_described_class_has_its_docstring_without_indentation() -> None:
    @described
    class Thing:
        """First line.

        A paragraph
        over two lines.
        """

    assert Thing.__doc__ == "First line.\n\nA paragraph\nover two lines."


def test_a_class_without_a_docstring_gets_an_empty_one() -> None:
    @described
    class Bare:
        pass

    assert Bare.__doc__ == ""
