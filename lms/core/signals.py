"""Shared signal namespace, so every domain's signals are named in one way."""
from blinker import Namespace

signals = Namespace()
