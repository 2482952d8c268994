"""The house rules: no upward imports between domain packages."""
from __future__ import annotations

import ast
from pathlib import Path

LMS = Path(__file__).resolve().parents[1] / "lms"
LAYERS = ["core", "accounts", "catalog", "learning", "assessment", "certification",
          "reporting"]
# content turns files into catalog and assessment rows; nothing but the app wiring uses it.
MAY_IMPORT = {"content": {"core", "accounts", "catalog", "assessment"}}


def _allowed(package: str) -> set[str]:
    if package in MAY_IMPORT:
        return MAY_IMPORT[package] | {package}
    return set(LAYERS[: LAYERS.index(package) + 1])


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def test_no_upward_imports():
    problems = []
    for package in [p for p in LMS.iterdir() if p.is_dir() and (p / "__init__.py").exists()]:
        if package.name not in LAYERS and package.name not in MAY_IMPORT:
            continue
        for path in package.rglob("*.py"):
            for lineno, module in _imports(path):
                parts = module.split(".")
                if parts[0] != "lms" or len(parts) < 2:
                    continue
                target = parts[1]
                if (target in LAYERS or target in MAY_IMPORT) and \
                        target not in _allowed(package.name):
                    problems.append(f"{path.relative_to(LMS.parent)}:{lineno}: "
                                    f"{package.name} imports {module}")
    assert not problems, "\n".join(problems)


def test_services_never_commit():
    offenders = []
    for path in LMS.rglob("services.py"):
        text = path.read_text()
        if "session.commit(" in text or "flash(" in text or "from flask import request" in text:
            offenders.append(str(path))
    assert not offenders
