"""Docstrings as the component provider's schema shows them: Markdown, without indentation."""

import inspect
from typing import TypeVar

__all__ = ["described"]

C = TypeVar("C", bound=type)


def described(cls: C) -> C:
    """``cls`` with its docstring dedented (:func:`inspect.cleandoc`).

    The host copies a class's ``__doc__`` into the schema's descriptions as it is, and Python
    3.11 keeps a docstring's indentation: in Markdown an indented paragraph is code.
    """
    cls.__doc__ = inspect.cleandoc(cls.__doc__ or "")
    return cls
