"""The package's shape: stages import down the data flow, the library never imports click, no loops."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.support import REPO

PACKAGE = REPO / "stancebench"
#: Stages in data-flow order, and the stages each may import besides the shared modules:
#: annotation uses models for suggestions; evaluation scores a release with a model.
STAGES = ("corpus", "annotation", "release", "models", "evaluation")
ALLOWED = {
    "corpus": set(),
    "models": set(),
    "annotation": {"corpus", "models"},
    "release": {"corpus", "annotation"},
    "evaluation": {"models", "release"},
}
CLI_PARTS = ("cli", "commands")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The stancebench modules a file imports (at module level only, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "stancebench":
                found |= {f"stancebench.{alias.name}" for alias in node.names}
            elif node.module.startswith("stancebench."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("stancebench.")}
    return found


def _third_party(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            out |= {alias.name.split(".")[0] for alias in node.names}
    return out


LIBRARY = sorted(p for p in PACKAGE.rglob("*.py") if (_module_name(p).split(".") + [""])[1] not in CLI_PARTS)


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: _module_name(p))
def test_no_library_module_imports_click(path):
    assert "click" not in _third_party(path)


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else None


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: _module_name(p))
def test_stages_import_only_the_stages_they_build_on(path):
    own = _stage(_module_name(path))
    allowed = ALLOWED[own] | {own} if own else set()
    for module in _imports(path, top_level_only=False):
        other = _stage(module)
        if own is None:  # a shared module imports no stage at module level
            assert other is None or module not in _imports(path, top_level_only=True), module
        else:
            assert other is None or other in allowed, f"{_module_name(path)} imports {module}"


def test_no_import_loops_at_module_level():
    graph = {_module_name(p): {m for m in _imports(p, top_level_only=True)} for p in PACKAGE.rglob("*.py")}
    graph = {name: {m for m in deps if m in graph and m != name} for name, deps in graph.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                raise AssertionError("import loop: " + " -> ".join(path[path.index(dep):] + [dep]))
            if dep not in state:
                visit(dep)
        path.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_every_library_module_imports_on_its_own():
    for path in LIBRARY:
        importlib.import_module(_module_name(path))


#: The public API of the modules a researcher or a script imports: a change here is a deliberate API change.
PUBLIC_API = {
    "stancebench": ["__version__", "load_dataset", "cv_folds", "evaluate", "run_baselines"],
    "stancebench.codebook": ["TARGET_ID", "TARGET", "TARGET_KEYWORDS", "LABEL_DEFINITIONS", "GENERIC_LABEL_DEFINITIONS",
                             "is_bundled_target", "label_definitions", "system_prompt"],
    "stancebench.release.dataset": ["ANNOTATIONS_SPLIT", "SPLITS", "STATEMENT_COLUMNS", "SKIP_REASONS", "features",
                                    "arrow_schema", "feature_yaml", "packaged_release_dir", "load_dataset", "cv_folds"],
    "stancebench.evaluation.scoring": ["evaluate", "score", "BREAKDOWNS", "BOOTSTRAPS"],
    "stancebench.evaluation.report": ["REPORT_SCHEMA_VERSION", "Estimate", "Report", "load_report"],
    "stancebench.models.adapters": ["StanceModel", "describe_model"],
    "stancebench.models.loading": ["MODEL_LOADERS", "MissingModuleError", "load_model", "load_python_model",
                                   "parse_model_spec", "import_python_file", "import_model_module"],
    "stancebench.annotation.labels": ["label_log_path", "latest_labels", "current_events", "current_labels", "current_notes",
                                      "latest_decisions", "is_disputed", "disputed_ids", "live_labels", "LabelState",
                                      "read_label_state", "canonical_events", "copy_conflicts"],
    "stancebench.logs": ["TornLineWarning", "validate_annotator", "lock_path", "append_label", "append_labels",
                         "read_label_log", "read_label_logs", "quarantine_path", "set_aside", "log_lock", "scan_label_log"],
}


@pytest.mark.parametrize("module", sorted(PUBLIC_API))
def test_public_modules_export_exactly_their_api(module):
    loaded = importlib.import_module(module)
    assert list(loaded.__all__) == PUBLIC_API[module]
    for name in loaded.__all__:
        assert getattr(loaded, name) is not None
