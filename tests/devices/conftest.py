"""Fixtures for device tests: socat pty pairs and the polling helper."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers.devices import SocatPair
from tests.helpers.waiting import wait_for


@pytest.fixture
def socat(tmp_path):
    if shutil.which("socat") is None:  # last resort: the Makefile installs socat
        pytest.skip("socat absent (make test l'installe)")
    pair = SocatPair(tmp_path).start()
    yield pair
    pair.kill()


@pytest.fixture
def poll():
    return wait_for
