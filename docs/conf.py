# Sphinx configuration for skfashion.
import os
import sys
from pathlib import Path

# sphinx-gallery resolves the names the examples import, this one included.
from sklearn.experimental import enable_halving_search_cv  # noqa: F401

import skfashion

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # for sg_argv.py and _figures.py
os.environ.setdefault("MPLBACKEND", "Agg")

import _figures  # noqa: E402

# Benchmark figures come from benchmarks/results/*.json at each build: the
# Performance page's takeaway tables, and |name| substitutions for the prose.
_figures.write_takeaways(HERE / "_generated")
rst_prolog = _figures.rst_prolog()

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
    "myst_parser",
    "matplotlib.sphinxext.plot_directive",
]
# The index page's example runs at each build; its figure, not its code, is
# the point there.
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
myst_heading_anchors = 3

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_generated",
    "generated/*.examples",
    "auto_examples/*.ipynb",
]
autosummary_generate = True
# Members inherited from skfashion's own base classes are shown (fit,
# partial_fit, predict_proba, ... of the classifiers); those of scikeras,
# scikit-learn's base classes and mixins (whose docstrings point into
# scikit-learn's own docs) and Python's exceptions are not.
autodoc_default_options = {
    "members": True,
    "inherited-members": ",".join(
        [
            "KerasClassifier",
            "BaseEstimator",
            "TransformerMixin",
            "ClassNamePrefixFeaturesOutMixin",
            "OneToOneFeatureMixin",
            "_MetadataRequester",
            "_SetOutputMixin",
            "OSError",
            "BaseException",
        ]
    ),
    # scikeras' attributes that skfashion switches off or keeps only for
    # compatibility, and scikit-learn's generated set_*_request methods.
    "exclude-members": ",".join(
        ["current_epoch", "feature_encoder", "target_encoder", "initialized_"]
        + [
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
        ]
    ),
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Every public docstring the docs render passes numpydoc's checks (a warning,
# so an error under -W), except these, as in scikit-learn: "See Also",
# "Extended Summary" and "Examples" sections on every method, and returns
# that name their value ("self : object").
numpydoc_validation_checks = {"all", "SA01", "ES01", "EX01", "RT02"}

intersphinx_mapping = {}  # no network in CI: links to other projects are plain

html_theme = "pydata_sphinx_theme"
html_title = "skfashion"
html_static_path = ["_static"]
html_css_files = ["skfashion.css"]
# Pages without subpages need no left sidebar: their tables get its width.
html_sidebars = {
    **{page: [] for page in ("index", "performance", "changelog", "install")},
    "auto_examples/plot_*": [],
}
html_theme_options = {"navigation_with_keys": False}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every build runs every example in its quick mode (sg_argv.py), so the
    # pages show their figures and output, and fails if one fails.
    "plot_gallery": "True",
    "reset_argv": "sg_argv.reset_argv",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "matplotlib_animations": False,
}
