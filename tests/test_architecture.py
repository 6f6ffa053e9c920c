"""The shape the code keeps (docs/architecture.md), read from the source: states and API routes
never touch the database themselves, event handlers that reach a service are async, and the
app package's modules import each other without a cycle."""

import ast
from collections.abc import Iterator
from pathlib import Path

from oneclass.settings import PROJECT_ROOT

CALLERS = ("state", "oneclass/api", "pages", "components")
SESSION_WORDS = ("tenant_session", "platform_session", "owner_session", "unit_of_work", "platform_unit_of_work")


def python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((PROJECT_ROOT / folder).rglob("*.py"))


def imported_modules(tree: ast.AST) -> Iterator[tuple[str, list[str]]]:
    """(module, names) for every import in a module, lazy ones inside functions included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [alias.name for alias in node.names]


def test_states_and_routes_never_open_a_session_or_commit() -> None:
    offenders = []
    for path in python_files(*CALLERS):
        tree = ast.parse(path.read_text())
        where = path.relative_to(PROJECT_ROOT)
        for module, names in imported_modules(tree):
            if module == "oneclass.db" or (module == "oneclass" and "db" in names):
                offenders.append(f"{where}: imports oneclass.db")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("commit", *SESSION_WORDS):
                offenders.append(f"{where}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.Name) and node.id in SESSION_WORDS:
                offenders.append(f"{where}:{node.lineno}: {node.id}")
    assert offenders == [], "states, pages and API routes call services; services own sessions:\n" + "\n".join(offenders)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_app_package_has_no_import_cycle() -> None:
    """A cycle hidden by a lazy import inside a function counts: it is still a cycle."""
    modules = {_module_name(path): path for path in python_files("oneclass", "models")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for module, names in imported_modules(ast.parse(path.read_text())):
            targets = {f"{module}.{imported}" for imported in names} | {module}
            graph[name] |= {target for target in targets if target in modules and target != name}
    # A package's __init__ re-exporting its own modules is not a cycle between them.
    for name in graph:
        graph[name] = {target for target in graph[name] if not name.startswith(target + ".")}

    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def service_names(tree: ast.AST) -> set[str]:
    """The names a module binds to service modules (`from oneclass.services import students`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "oneclass.services":
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.asname for alias in node.names if alias.name.startswith("oneclass.services.") and alias.asname}
    return names


def test_states_call_services_only_off_the_event_loop() -> None:
    """A service called on the loop (not through `await offload(service, ...)`) makes every
    other tab of the worker wait for its queries."""
    offenders = []
    for path in python_files("state"):
        tree = ast.parse(path.read_text())
        services = service_names(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in services
                and f"{node.func.value.id}.{node.func.attr}" not in PURE_FUNCTIONS
            ):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.func.value.id}.{node.func.attr}(...)")
    assert offenders == [], "call services with `await offload(service, ...)`:\n" + "\n".join(offenders)


# Service-module functions that touch neither the database nor Redis: fine on the loop.
PURE_FUNCTIONS = {"exports.rows_to_csv", "exports.rows_to_xlsx", "paging.page_count", "paging.every_row"}
