"""Ready workflow files shipped with the package (``path(name)`` finds one)."""

import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    """The file name of the shipped example ``name`` (e.g. ``upgrade.yaml``)."""
    return os.path.join(_HERE, name)
