"""The permission matrix and the code agree, read from the source: every permission the code asks
for is granted to some role, and every grant in the matrix is asked for somewhere (outside the
domains `permissions.RESERVED_DOMAINS` keeps for the coming teaching and fees work).

A permission is "asked for" when it reaches one of the checks: `require`, `can`, `role_can`,
`require_class`, a state's `_actor`, an API route's `school_user_with`, a page's
`signed_in_page(permission=...)`, or the navigation (`routes.NAVIGATION`, which
`AuthState.nav_items` checks with `role_can`). Literals, module constants (`MANAGE_CLASSES`,
`imports.PERMISSIONS`) and f-strings (`f"dashboard.{role.value}"`, read as a pattern) count.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from oneclass import routes
from oneclass.permissions import PERMISSIONS, RESERVED_DOMAINS, grant_allows
from oneclass.settings import PROJECT_ROOT

SOURCES = ("oneclass", "state", "pages", "components")
CHECKS = {
    "require", "can", "role_can", "require_class", "_actor", "_user_with", "admin_user", "school_user_with", "guard",
    "signed_in_page",
}
PERMISSION = re.compile(r"[a-z_]+\.(?:[a-z_]+|\*)")
# The platform's own permissions are the super admin's, whose one grant is `*`: asked for at the
# root domain only (the guard keeps `platform.*` there).
PLATFORM = "platform"


def python_files() -> Iterator[Path]:
    for folder in SOURCES:
        yield from sorted((PROJECT_ROOT / folder).rglob("*.py"))


def _assigned(tree: ast.AST) -> dict[str, list[ast.expr]]:
    """Every value assigned to each plain name in a module (at any level), tuples paired up; a
    name imported from a project module stands for that module's `module.NAME`."""
    values: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (PROJECT_ROOT / node.module.replace(".", "/")).with_suffix(".py").exists():
            for alias in node.names:
                stem = node.module.rsplit(".", 1)[-1]
                values.setdefault(alias.asname or alias.name, []).append(ast.Attribute(value=ast.Name(id=stem), attr=alias.name))
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        value = getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                values.setdefault(target.id, []).append(value)
            elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
                for name, element in zip(target.elts, value.elts, strict=True):
                    if isinstance(name, ast.Name):
                        values.setdefault(name.id, []).append(element)
    return values


class Reader:
    """Resolves a check's arguments to the permission strings (and f-string patterns) they hold."""

    def __init__(self) -> None:
        self.modules = {path: ast.parse(path.read_text()) for path in python_files()}
        self.by_module = {path: _assigned(tree) for path, tree in self.modules.items()}
        # `imports.PERMISSIONS`: the constant of every module named `imports`.
        self.by_stem: dict[tuple[str, str], list[ast.expr]] = {}
        for path, values in self.by_module.items():
            for name, found in values.items():
                self.by_stem.setdefault((path.stem, name), []).extend(found)

    def strings(self, node: ast.AST, local: dict[str, list[ast.expr]], seen: frozenset[str] = frozenset()) -> Iterator[str]:
        """Each string `node` can be; an f-string as a regular expression (its holes: `.+`)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield re.escape(node.value)
        elif isinstance(node, ast.JoinedStr):
            yield "".join(re.escape(part.value) if isinstance(part, ast.Constant) else ".+" for part in node.values)
        elif isinstance(node, ast.Name) and node.id not in seen:
            for value in local.get(node.id, []):
                yield from self.strings(value, local, seen | {node.id})
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (node.value.id, node.attr) in self.by_stem:
            key = f"{node.value.id}.{node.attr}"
            for value in self.by_stem[(node.value.id, node.attr)] if key not in seen else []:
                yield from self.strings(value, local, seen | {key})
        else:
            for child in ast.iter_child_nodes(node):
                yield from self.strings(child, local, seen)

    def asked_for(self) -> dict[str, set[str]]:
        """Each permission pattern the code asks for, with where."""
        found: dict[str, set[str]] = {}
        for path, tree in self.modules.items():
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name not in CHECKS:
                    continue
                for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
                    for pattern in self.strings(argument, self.by_module[path]):
                        if PERMISSION.fullmatch(pattern.replace("\\", "").replace(".+", "x")):
                            found.setdefault(pattern, set()).add(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
        for _label, _href, _icon, permission in routes.NAVIGATION:
            if permission:
                found.setdefault(re.escape(permission), set()).add("oneclass/routes.py NAVIGATION")
        return found


def _instances(pattern: str, grant: str) -> bool:
    """Does the grant allow some permission the pattern stands for?"""
    if re.fullmatch(pattern, grant):
        return True
    return grant.endswith(".*") and re.fullmatch(pattern, grant[:-1] + "x") is not None


def test_every_permission_asked_for_is_granted_to_someone() -> None:
    asked = Reader().asked_for()
    grants = {grant for role_grants in PERMISSIONS.values() for grant in role_grants if grant != "*"}
    ungranted = {
        pattern: sorted(where)
        for pattern, where in asked.items()
        if not pattern.startswith(re.escape(PLATFORM + "."))
        and not any(_instances(pattern, grant) or grant_allows(grant, pattern.replace("\\", "")) for grant in grants)
    }
    assert ungranted == {}, f"asked for, granted to nobody: {ungranted}"


def test_every_grant_is_asked_for() -> None:
    asked = Reader().asked_for()
    unused = sorted(
        {
            f"{role.value}: {grant}"
            for role, role_grants in PERMISSIONS.items()
            for grant in role_grants
            if grant != "*"
            and grant.split(".")[0] not in RESERVED_DOMAINS
            and not any(_instances(pattern, grant) or grant_allows(grant, pattern.replace("\\", "")) for pattern in asked)
        }
    )
    assert unused == [], f"granted, asked for nowhere (remove the grant, or reserve its domain with a reason): {unused}"


def test_the_reader_finds_the_checks_it_names() -> None:
    """So the two tests above cannot pass by reading nothing: a literal (`require`), a module
    constant (`_actor(MANAGE_CLASSES)`), a constant of another module (`imports.PERMISSIONS`),
    an f-string (the dashboards), a page guard and the navigation are all found."""
    asked = Reader().asked_for()
    for permission in ("classes.manage", "classes.read", "subjects.manage", "users.create", "students.create", "child.read"):
        assert re.escape(permission) in asked, permission
    assert any(where.startswith("state/") for where in asked[re.escape("classes.manage")])
    assert any(where.startswith("pages/") for where in asked[re.escape("users.read")])
    assert re.escape("dashboard.") + ".+" in asked
    assert re.escape("platform.schools") in asked
