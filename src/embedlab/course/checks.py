"""Rules an exercise states ("do not use X"), checked on the student's own source code.

A test cell enforces a rule with one call::

    forbid(cosine_similarity, "embedlab.similarity", "scipy")

which fails the question, naming the rule, when the code of the student's cell that defines
``cosine_similarity`` (and of the student cells it relies on) imports or refers to a forbidden
module. Entries are dotted module prefixes (``"sklearn"`` also forbids
``sklearn.decomposition``); an entry starting with a dot, such as ``".neighbours"``, forbids that
attribute or method name anywhere (a reference method of a set-up object). The ways to reach a
module without naming it (``__import__``, ``importlib``, ``exec``, ``eval``, ``sys.modules``,
``builtins``, ...) are refused in any code given to ``forbid``.

The check reads source code, so it works the same in the student's kernel (kind, early
feedback) and in the grader's clean process, where the functions are stand-ins and the
sources come from the submitted notebook (``embedlab.course.verdict``). What it does not
catch: a student who copies the library's code into the answer (that is writing it), or code
that builds a forbidden module's name from strings and reaches it through an object the rules
do not cover; the dynamic-import hatches above make that hard, not impossible.
"""

from __future__ import annotations

import ast
import linecache
from collections.abc import Iterable, Sequence

# Ways to reach code without naming it; never needed by an exercise answer.
HATCH_NAMES = {"__import__", "importlib", "exec", "eval", "compile", "builtins", "__builtins__",
               "globals", "vars", "__dict__", "__subclasses__", "__globals__", "__code__",
               "__loader__", "__spec__", "ctypes", "gc"}
HATCH_ATTRIBUTES = {"modules"}  # sys.modules

# Set by the grader's clean process: the sources of the student's code cells, in order.
# None in a student's kernel, where they come from IPython's history instead.
STUDENT_CELLS: list[str] | None = None


class RuleBroken(AssertionError):
    """A question's stated rule was broken (an AssertionError, so it fails the test cell)."""


def _dotted(node: ast.AST) -> str | None:
    """'a.b.c' for an attribute chain on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _matches(dotted: str, module: str) -> bool:
    return dotted == module or dotted.startswith(module + ".")


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:  # IPython magics and the like: the kernel ran it, we cannot read it
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            return ast.parse("\n".join(lines))
        except SyntaxError:
            return None


def _aliases(trees: Iterable[ast.Module]) -> dict[str, str]:
    """Local name -> the dotted path it stands for, from imports and plain re-namings."""
    aliases: dict[str, str] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    aliases[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                  and isinstance(node.targets[0], ast.Name)):
                value = _dotted(node.value)
                if value:
                    aliases[node.targets[0].id] = value
    return aliases


def _expand(dotted: str, aliases: dict[str, str], depth: int = 0) -> str:
    head, _, rest = dotted.partition(".")
    if head in aliases and aliases[head] != head and depth < 10:
        target = aliases[head] + (f".{rest}" if rest else "")
        return _expand(target, aliases, depth + 1)
    return dotted


def violations(sources: Sequence[str], forbidden: Sequence[str]) -> list[str]:
    """Why ``sources`` (cells of student code) break the rule, one line each; [] if they don't."""
    modules = [f for f in forbidden if not f.startswith(".")]
    attributes = {f[1:] for f in forbidden if f.startswith(".")}
    trees = [(i, t) for i, t in enumerate(_parse(s) for s in sources) if t is not None]
    aliases = _aliases(t for _, t in trees)
    found: list[str] = []
    places: set[tuple[int, int]] = set()

    def note(what: str, node: ast.AST, cell: int) -> None:
        place = (cell, getattr(node, "lineno", -1))
        if place in places:  # one finding per line: `a.b.c` also contains `a.b`
            return
        places.add(place)
        where = f"line {getattr(node, 'lineno', '?')}" + (f" of cell {cell + 1}" if len(sources) > 1 else "")
        found.append(f"{what} ({where})")

    for cell, tree in trees:
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                names = [base] + [f"{base}.{a.name}" for a in node.names]
                if node.level:
                    note("a relative import", node, cell)
                for alias in node.names:  # `from x import name` reaches a forbidden `.name` too
                    if alias.name in attributes:
                        note(f"imports `{alias.name}`", node, cell)
            elif isinstance(node, (ast.Attribute, ast.Name)):
                dotted = _dotted(node)
                if dotted:
                    names = [dotted, _expand(dotted, aliases)]
                if isinstance(node, ast.Attribute):
                    if node.attr in attributes:
                        note(f"uses `.{node.attr}`", node, cell)
                    if node.attr in HATCH_NAMES or (node.attr in HATCH_ATTRIBUTES and dotted and
                                                    _expand(dotted, aliases).startswith("sys.")):
                        note(f"reaches code indirectly through `.{node.attr}`", node, cell)
                elif node.id in HATCH_NAMES:
                    note(f"reaches code indirectly through `{node.id}`", node, cell)
            for name in names:
                hit = next((m for m in modules if _matches(name, m)), None)
                if hit:
                    note(f"uses {hit} (`{name}`)", node, cell)
                    break
                if any(_matches(name, h) for h in ("importlib", "builtins", "ctypes", "gc")):
                    note(f"imports `{name}`", node, cell)
                    break
    return list(dict.fromkeys(found))


def _defined_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
    return names


def _used_names(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def cells_behind(name: str, cells: Sequence[str]) -> list[str]:
    """The code behind ``name``: the cells that define it and, transitively, the names its code
    uses. A name bound by an import brings only that import statement, not the rest of its
    cell (``np`` from the set-up cell's ``import numpy as np`` is not the set-up cell)."""
    parsed = [t for t in (_parse(s) for s in cells) if t is not None]
    wanted, chosen, seen = [name], [], set()
    while wanted:
        current = wanted.pop()
        if current in seen:
            continue
        seen.add(current)
        for tree in parsed:
            imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
                       and current in {(a.asname or a.name).split(".")[0] for a in node.names}]
            if current in _defined_names(ast.Module(body=[n for n in tree.body if n not in imports],
                                                     type_ignores=[])):
                source = ast.unparse(tree)
                if source not in chosen:
                    chosen.append(source)
                    wanted.extend(_used_names(tree) - seen)
            for node in imports:
                source = ast.unparse(node)
                if source not in chosen:
                    chosen.append(source)
    return chosen


def student_name(func) -> str:
    """The name the student gave ``func`` (a function, or the grader's stand-in for one)."""
    return getattr(func, "__embedlab_name__", None) or getattr(func, "__name__", None) or str(func)


def _kernel_cells(func) -> list[str]:
    """In a student's kernel: the cells run so far (IPython's history), else func's own source."""
    try:
        history = get_ipython().user_ns.get("In", [])  # type: ignore[name-defined]  # noqa: F821
        cells = [c for c in history if c and "forbid(" not in c]  # not the test cells
    except NameError:
        cells = []
    code = getattr(func, "__code__", None)
    if code is not None:
        own = "".join(linecache.getlines(code.co_filename))
        if own.strip() and own.strip() not in {c.strip() for c in cells}:
            cells.append(own)
    return cells


def latest_definitions(cells: Sequence[str]) -> list[str]:
    """The cells as Python sees them after running them in order: a top-level definition that a
    later cell makes again is dropped (a student who rewrote an answer is judged on the rewrite,
    not on an earlier try still in the kernel's history). Imports stay: their names stay bound."""
    kept, later = [], set()
    for source in reversed(cells):
        tree = _parse(source)
        if tree is None:
            kept.append(source)
            continue
        body, defined = [], set()
        for node in tree.body:
            names = set() if isinstance(node, (ast.Import, ast.ImportFrom)) else \
                _defined_names(ast.Module(body=[node], type_ignores=[]))
            if not names or not names <= later:
                body.append(node)
            defined |= names
        kept.append(ast.unparse(ast.Module(body=body, type_ignores=[])) if len(body) < len(tree.body) else source)
        later |= defined
    return kept[::-1]


def forbid(func, *forbidden: str) -> None:
    """Fail (RuleBroken) if the student code behind ``func`` uses a forbidden module or name."""
    if not forbidden:
        raise ValueError("forbid(func, 'module', ...): name at least one forbidden module")
    name = student_name(func)
    cells = STUDENT_CELLS if STUDENT_CELLS is not None else _kernel_cells(func)
    behind = cells_behind(name, latest_definitions(cells))
    if not behind:
        raise RuleBroken(f"could not find the code that defines {name}: define it in an answer cell")
    problems = violations(behind, forbidden)
    if problems:
        rule = ", ".join(f.lstrip(".") for f in forbidden)
        raise RuleBroken(f"rule broken: {name} must be written without {rule}; it "
                         + "; it ".join(problems))
