# Sphinx configuration for skfashion.
import os
import sys
from pathlib import Path

# sphinx-gallery resolves the names the examples import, this one included.
from sklearn.experimental import enable_halving_search_cv  # noqa: F401

import skfashion

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "examples"))  # for examples/_common.py
os.environ.setdefault("MPLBACKEND", "Agg")

project = "skfashion"
author = "The skfashion developers"
copyright = "2026, The skfashion developers"
release = skfashion.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.examples", "auto_examples/*.ipynb"]
autosummary_generate = True
# scikit-learn generates set_*_request methods (metadata routing) whose
# docstrings point into scikit-learn's own glossary: leave them out.
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    "exclude-members": ",".join(
        f"set_{method}_request"
        for method in (
            "fit",
            "partial_fit",
            "predict",
            "predict_proba",
            "score",
            "transform",
            "inverse_transform",
        )
    ),
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

intersphinx_mapping = {}  # no network in CI: links to other projects are plain

html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
html_theme_options = {"navigation_with_keys": False}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Examples are run by CI in quick mode; the docs build only renders them.
    "plot_gallery": "False",
    "ignore_pattern": r"(__init__|_common)\.py",
    "download_all_examples": False,
}
