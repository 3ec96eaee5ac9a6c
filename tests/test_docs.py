"""The Sphinx documentation builds without warnings (skipped when Sphinx is not installed)."""
import pathlib
import subprocess
import sys

import pytest

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("myst_parser")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    html = (tmp_path / "html" / "api.html").read_text()
    # autodoc really rendered the docstrings, not just the headings
    for name in ("adaptnet.AdversarialNet", "adaptnet.plotting.plot_embedding",
                 "adaptnet.presets.mlp", "adaptnet.cli.main",
                 "adaptnet.allocator.keep_freed_memory"):
        assert f'id="{name}"' in html, name
    assert "Ganin" in (tmp_path / "html" / "reproduction.html").read_text()
