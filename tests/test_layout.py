"""The layout rules a reader relies on, read from the source with `ast` so
they stay true: views are short and never open the database session
themselves, imports between volunteering and the time bank go one way, and
each domain package exports its blueprint plainly."""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route"}
MAX_VIEW_LINES = 20


def _modules():
    for path in sorted(APP.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_route(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
            return True
    return False


def _views(tree: ast.Module) -> list[ast.FunctionDef]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and _is_route(node)]


def _uses_db_session(tree: ast.AST) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr == "session" and isinstance(node.value, ast.Name)
               and node.value.id == "db" for node in ast.walk(tree))


def test_the_rules_find_views():
    """A guard for the guards: the walk finds the routes it is about."""
    views = [(path.name, view.name) for path, tree in _modules() for view in _views(tree)]
    assert ("views.py", "show_topic") in views and ("manage_views.py", "resident_statement") in views and len(views) > 100


def test_no_view_is_longer_than_20_lines():
    long = [f"{path.relative_to(APP)}:{view.lineno} {view.name} ({view.end_lineno - view.lineno + 1} lines)"
            for path, tree in _modules() for view in _views(tree)
            if view.end_lineno - view.lineno + 1 > MAX_VIEW_LINES]
    assert long == [], "views longer than 20 lines (move the work into a service or a helper):\n" + "\n".join(long)


def test_no_view_module_opens_the_database_session():
    """Views load through scoped loaders and call services; the session is theirs."""
    offenders = [str(path.relative_to(APP)) for path, tree in _modules() if _views(tree) and _uses_db_session(tree)]
    assert offenders == [], f"modules with routes that use db.session: {offenders}"


def test_the_time_bank_never_imports_volunteering():
    """Volunteering credits hours through the ledger, never the other way."""
    imports = []
    for path, tree in _modules():
        if path.parent.name != "timebank":
            continue
        for node in ast.walk(tree):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            imports += [f"{path.name}: {name}" for name in names if name.startswith("app.volunteering")]
    assert imports == []


def test_each_domain_package_exports_its_blueprint():
    """`bp` is defined or imported in the package's __init__.py, not produced on first use."""
    from app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    packages = {name.split(".")[0] for name in app.blueprints} - {"health"}
    for package in packages:
        init = ast.parse((APP / package / "__init__.py").read_text(encoding="utf-8"))
        assert not any(isinstance(node, ast.FunctionDef) and node.name == "__getattr__" for node in init.body), package
        assert any(isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "bp" for t in node.targets)
                   or isinstance(node, ast.ImportFrom) and any(a.name == "bp" for a in node.names)
                   for node in init.body), f"app/{package}/__init__.py does not export bp"


def test_no_template_compares_a_state():
    """Which states allow what is the domain's `actions_for`, asked by the
    page; a template comparing a state or status re-lists a rule."""
    import re

    compare = re.compile(r"\.(state|status)(\.name)?\s*(==|!=|is sameas|(not )?in\s*[\[(])")
    templates = APP.parent / "templates"
    found = [f"{path.relative_to(templates)}:{n}" for path in sorted(templates.rglob("*.html"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if compare.search(line)]
    assert found == [], "templates comparing states:\n" + "\n".join(found)
