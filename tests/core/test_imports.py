"""The shape of the code, checked with `ast` (no import is executed): no import circle anywhere in salle/, kiosk/,
devices/ (a lazy import inside a function counts: it is still a dependency), and dependencies that run one way —
kiosk/ and devices/ use the core; the core reaches into them only where the app is assembled (salle/web/app.py)
and where the command line is (salle/cli.py: `salle devices …`, `salle serve --devices`)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("salle", "kiosk", "devices")
ASSEMBLY = {"salle.web.app", "salle.cli"}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ours that `name` imports, anywhere in its body, and the packages whose __init__ runs first."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    for target in list(out):  # importing a.b.c runs a/__init__ and a/b/__init__ first
        parts = target.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in known)
    out.discard(name)
    return {t for t in out if not name.startswith(t + ".")}  # a module's own parent packages are already running


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_is_read():
    edges = graph()
    assert "salle.commands.arrivals" in edges["salle.web.arrivals"]
    assert "salle.rules" in edges["salle.commands.arrivals"]
    assert "salle.web" in edges["kiosk.api"]  # a package's __init__ runs before its module


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circle():
    found = circles(graph())
    assert not found, "import circles:\n" + "\n".join(" → ".join(c) for c in found)


def test_the_core_does_not_reach_into_kiosk_or_devices():
    edges = graph()
    wrong = sorted(f"{name} imports {target}" for name, targets in edges.items()
                   if name.startswith("salle") and name not in ASSEMBLY
                   for target in targets if target.split(".")[0] in ("kiosk", "devices"))
    assert not wrong, "the core reaches into kiosk/ or devices/:\n" + "\n".join(wrong)


def test_kiosk_and_devices_do_not_use_the_assembly():
    edges = graph()
    wrong = sorted(f"{name} imports {target}" for name, targets in edges.items()
                   if name.split(".")[0] in ("kiosk", "devices") for target in targets if target in ASSEMBLY)
    assert not wrong, "\n".join(wrong)


def imported_test_modules(path: Path) -> set[str]:
    """The test modules (`tests.<area>.test_*`) a file imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        found.update(n for n in names if n.startswith("tests.") and n.rsplit(".", 1)[-1].startswith("test_"))
    return found


def test_the_test_import_finder_finds_one(tmp_path):
    module = tmp_path / "test_x.py"
    module.write_text("def test_y():\n    from tests.api.test_live_rooms import Listener\n", encoding="utf-8")
    assert imported_test_modules(module) == {"tests.api.test_live_rooms"}


def test_a_test_module_never_imports_another_what_they_share_is_in_tests_helpers():
    offenders = {str(p.relative_to(ROOT)): sorted(found) for p in (ROOT / "tests").rglob("*.py")
                 if (found := imported_test_modules(p))}
    assert offenders == {}
