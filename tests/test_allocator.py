"""adaptnet.allocator: glibc's malloc keeps freed memory for reuse."""
import os
import platform
import subprocess
import sys

import pytest

from adaptnet.allocator import keep_freed_memory

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Frees a touched 64 MiB array and prints by how many bytes the resident size fell.
FREE_AND_MEASURE = """
import os, sys
import numpy as np
from adaptnet.allocator import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
block = np.ones(64 << 20, dtype=np.uint8)
before = resident()
del block
print(before - resident())
"""


def resident_drop(mode):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}  # glibc's defaults
    out = subprocess.run([sys.executable, "-c", FREE_AND_MEASURE, mode], check=True, capture_output=True,
                         text=True, env=env)
    return int(out.stdout)


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_freed_memory_is_returned_by_default_and_kept_after_the_call():
    assert resident_drop("default") > 48 << 20
    assert resident_drop("keep") < 8 << 20


@pytest.mark.skipif(GLIBC, reason="other C libraries only")
def test_other_c_libraries_are_left_alone():
    assert keep_freed_memory() is False


@pytest.mark.parametrize("limit", [10, 1 << 31, 1.5e9, True, "1G"])
def test_bad_limit_names_the_argument(limit):
    with pytest.raises(ValueError, match=r"keep_freed_memory: limit must be an integer number of bytes"):
        keep_freed_memory(limit)
