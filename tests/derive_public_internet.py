"""scripts/derive_public_internet.py loaded as a module, and whether this Python's tables are the
ones podfence.internet_ranges was generated from."""

from __future__ import annotations

import importlib.util
import sys

from paths import REPO
from podfence import internet_ranges

__all__ = ["OTHER_TABLES", "SAME_TABLES", "SCRIPT_PATH", "script"]

SCRIPT_PATH = REPO / "scripts" / "derive_public_internet.py"

_spec = importlib.util.spec_from_file_location("derive_public_internet_script", SCRIPT_PATH)
assert _spec is not None and _spec.loader is not None
script = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = script
_spec.loader.exec_module(script)

#: Whether this Python's ipaddress encodes the registries the pinned ranges were derived from.
SAME_TABLES: bool = script.fingerprint() == internet_ranges.FINGERPRINT

#: Why a test that compares the pinned ranges with this Python's ipaddress does not run here.
OTHER_TABLES = (
    f"this Python ({sys.version.split()[0]}) encodes other IANA special-purpose registries than "
    f"Python {internet_ranges.PYTHON}'s, which generated podfence/internet_ranges.py (tables "
    f"fingerprint {script.fingerprint()[:12]}, pinned {internet_ranges.FINGERPRINT[:12]}); "
    "podfence renders the pinned ranges on every Python. To adopt this Python's, run "
    "`python scripts/derive_public_internet.py` and commit the module"
)
