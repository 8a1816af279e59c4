"""Figures about the shape of the code: import cycles, imports inside functions, the largest classes.

    .venv/bin/python tools/architecture_figures.py [SRC]      (default: src/counterdesk)

Import cycles are strongly connected components of the graph of internal imports, counted once
with module-level imports only and once with the imports inside functions too, between modules and
between packages (a package = a folder, the top-level modules each their own).
"""
from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(node: ast.ImportFrom, current: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]], int, int]:
    """(module-level edges, all edges, imports inside functions, all internal imports)."""
    modules = {module_name(p, root): p for p in root.rglob("*.py")}
    top = root.name
    level0: dict[str, set[str]] = defaultdict(set)
    every: dict[str, set[str]] = defaultdict(set)
    inner = total = 0
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        in_function: set[int] = set()
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                for sub in ast.walk(fn):
                    if sub is not fn:
                        in_function.add(id(sub))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = resolve(node, name, is_package)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            targets = [t for t in targets if t == top or t.startswith(top + ".")]
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target == name or target not in modules:
                    continue
                total += 1
                every[name].add(target)
                if id(node) in in_function:
                    inner += 1
                else:
                    level0[name].add(target)
    return level0, every, inner, total


def sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one member."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def package_of(module: str, root: Path) -> str:
    parts = module.split(".")
    path = root.parent.joinpath(*parts)
    if path.is_dir():
        return module
    return ".".join(parts[:-1]) if len(parts) > 2 else module


def packages(graph: dict[str, set[str]], root: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for a, targets in graph.items():
        for b in targets:
            pa, pb = package_of(a, root), package_of(b, root)
            # a package and its own subpackages are one unit here (an __init__ or a module beside
            # the subpackages is not a cycle between siblings)
            if pa != pb and not pb.startswith(pa + ".") and not pa.startswith(pb + "."):
                out[pa].add(pb)
    return out


def largest_classes(root: Path, n: int = 5) -> list[tuple[int, str]]:
    sizes = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                sizes.append((node.end_lineno - node.lineno + 1, f"{path.relative_to(root)}:{node.name}"))
    return sorted(sizes, reverse=True)[:n]


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "src/counterdesk").resolve()
    level0, every, inner, total = imports(root)
    top_modules = [p for p in root.glob("*.py") if p.name != "__init__.py"]
    print(f"internal imports: {total}, inside functions: {inner} ({100 * inner / max(total, 1):.0f} %)")
    for label, graph in (("module level", level0), ("with imports in functions", every)):
        mod, pkg = sccs(graph), sccs(packages(graph, root))
        print(f"cycles, {label}: {len(mod)} between modules (largest {max((len(c) for c in mod), default=0)}), "
              f"{len(pkg)} between packages (largest {max((len(c) for c in pkg), default=0)})")
        for comp in pkg:
            print("   packages:", " ↔ ".join(c.removeprefix(root.name + ".") for c in comp))
    print(f"top-level modules: {len(top_modules)}; ui files: {len(list((root / 'ui').rglob('*.py')))}")
    for size, where in largest_classes(root):
        print(f"class {where}: {size} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
