"""Test configuration.

Most tests build tiny graphs; compiling each with PyTensor's default Numba
linker costs seconds, so by default tests run under ``FAST_COMPILE`` (the
Python linker, which runs every Op's ``perform``). Tests marked
``@pytest.mark.numba`` (or modules with ``pytestmark = pytest.mark.numba``)
run under the default linker, as users do: the conv/pool kernels and the
estimators are tested that way.
"""
import pytensor
import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "numba: run under PyTensor's default (Numba) linker")


@pytest.fixture(autouse=True)
def _compile_mode(request):
    if request.node.get_closest_marker("numba"):
        yield
    else:
        with pytensor.config.change_flags(mode="FAST_COMPILE"):
            yield
