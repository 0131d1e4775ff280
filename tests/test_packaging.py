"""The README's test command installs only ``.[dev]``: every package a test needs must be there.

A package the tests import that only reaches the environment through another extra (``ci``,
``bench``) or by chance passes wherever that extra is installed too, and fails on a fresh
clone with ``ModuleNotFoundError``. This reads every module under tests/ (without importing
it) and checks that each third-party top-level import is declared by the project itself, in
``dependencies`` or in the ``dev`` extra, whatever else the current environment holds.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Drivers the tests use by URL rather than by import: TEST_DATABASE_URL=postgresql+psycopg://…
USED_BY_URL = {"psycopg"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return normalize(match.group(1))


def imported_modules(path: Path) -> set[str]:
    """Top-level modules imported by ``path``, including ``pytest.importorskip("x.y")``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) in {"importorskip", "import_module"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value).split(".")[0])
    return found


def first_party(module: str) -> bool:
    """A package or module of this repository (app, tests, bench, postman, …)."""
    return (ROOT / module / "__init__.py").is_file() or (ROOT / f"{module}.py").is_file()


def third_party_imports() -> dict[str, set[str]]:
    """{top-level module: {test files importing it}} for modules outside stdlib and the repo."""
    modules: dict[str, set[str]] = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for module in imported_modules(path):
            if module in sys.stdlib_module_names or first_party(module):
                continue
            modules.setdefault(module, set()).add(str(path.relative_to(ROOT)))
    return modules


def distributions(module: str) -> set[str]:
    """The distributions providing ``module`` here; its own name when none is installed."""
    installed = importlib.metadata.packages_distributions().get(module)
    return {normalize(d) for d in installed} if installed else {normalize(module)}


def test_every_package_the_tests_import_is_in_the_dev_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {requirement_name(r) for r in project["dependencies"]}
    declared |= {requirement_name(r) for r in project["optional-dependencies"]["dev"]}

    imports = third_party_imports()
    assert {"pytest", "requests", "playwright"} <= set(imports)  # the scan itself works
    missing = {
        module: sorted(files)
        for module, files in imports.items()
        if not distributions(module) & declared
    }
    assert missing == {}, f"imported by tests but not in dependencies or the dev extra: {missing}"
    assert {normalize(m) for m in USED_BY_URL} <= declared
