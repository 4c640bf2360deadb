"""The README says what the code does: its configuration table, its links and the files it names.

The variables the code reads are found in the source itself, not in a list kept by hand: every
module of the installed packages (pyproject.toml) and every script at the top of the repository
is parsed, and each read of the environment is collected with the name it reads. A name the
parser cannot work out fails the test rather than slipping past it.
"""

import ast
import functools
import inspect
import itertools
import re
import tomllib
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

import environ
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
VARIABLE = re.compile(r"[A-Z][A-Z0-9_]*")


def _env_readers() -> dict[str, str | None]:
    """django-environ's readers, and the name each reads when given none (None: one is required).

    Every method whose parameter after ``self`` is ``var`` reads that variable: ``env.str``,
    ``env.db``, ``env(...)`` (``__call__``) and the rest.
    """
    readers = {}
    for name, member in inspect.getmembers(environ.Env, callable):
        try:
            parameters = list(inspect.signature(member).parameters.values())
        except (TypeError, ValueError):
            continue
        if len(parameters) > 1 and parameters[0].name == "self" and parameters[1].name == "var":
            default = parameters[1].default
            readers[name] = None if default is inspect.Parameter.empty else default
    return readers


ENV_READERS = _env_readers()
# ``os.environ`` methods that read a variable. ``setdefault`` is left out: the code uses it only to
# give Django its settings module (DJANGO_SETTINGS_MODULE), which configures nothing of Loyal's.
OS_ENVIRON_READERS = {"get", "pop", "__getitem__", "__contains__"}


class Unresolved(Exception):
    """An expression whose value cannot be known without running the code."""


def modules() -> list[Path]:
    """The installed packages' modules (pyproject.toml) and the scripts at the repository's top."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = [
        path
        for path in sorted(ROOT.iterdir())
        if path.is_dir()
        and (path / "__init__.py").exists()
        and any(fnmatch(path.name, p) for p in patterns["include"])
    ]
    return sorted(ROOT.glob("*.py")) + [
        module for package in packages for module in sorted(package.rglob("*.py"))
    ]


def _os_names(tree: ast.Module) -> dict[str, set[str]]:
    """The names the module gives ``os``, ``os.environ`` and ``os.getenv`` (``import os as o`` too)."""
    names = {"os": set(), "environ": set(), "getenv": set()}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names["os"] |= {alias.asname or alias.name for alias in node.names if alias.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name in ("environ", "getenv"):
                    names[alias.name].add(alias.asname or alias.name)
    return names


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


class Reads(ast.NodeVisitor):
    """Every read of the environment in one module: the names read, and the reads not understood.

    Understood: ``env.<reader>(NAME)`` and ``env(NAME)`` on an ``environ.Env()`` of the module;
    ``os.environ.get(NAME)``, ``os.environ[NAME]``, ``NAME in os.environ``, ``os.getenv(NAME)``;
    a function of the module that passes one of its parameters to such a read (``_secret``), at
    each of its calls. NAME is a string, or built from strings (``+``, f-strings, ``.upper()``)
    and from the variables of ``for`` loops and comprehensions over literal sequences (or module
    constants holding one), so ``for key in ("a", "b"): env.int(f"X_{key.upper()}")`` reads
    ``X_A`` and ``X_B``.
    """

    def __init__(self, tree: ast.Module, path: Path):
        self.path = path
        self.constants = _module_constants(tree)
        self.os = _os_names(tree)
        self.envs = {
            target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and _is_environ_env(node.value)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        self.functions: dict[str, tuple[int, str]] = {}
        self._find_reading_functions(tree)
        self.found: dict[str, list[str]] = {}
        self.unresolved: list[str] = []
        self.scopes: list[dict] = [{}]  # every combination of the loop variables in scope
        self.parameters: set[str] = set()  # of the function being visited, when it reads through one
        self.visit(tree)

    # --- what is a read, and of which expression -------------------------------------------------

    def name_of(self, call: ast.Call) -> ast.expr | str | None:
        """The expression naming the variable that ``call`` reads (or the reader's default name)."""
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.envs:
            return _argument(call, 0, "var")
        if isinstance(func, ast.Name) and func.id in self.os["getenv"]:
            return _argument(call, 0, "key")
        if isinstance(func, ast.Name) and func.id in self.functions:
            position, parameter = self.functions[func.id]
            return _argument(call, position, parameter)
        if not isinstance(func, ast.Attribute):
            return None
        if isinstance(func.value, ast.Name) and func.value.id in self.envs and func.attr in ENV_READERS:
            return _argument(call, 0, "var") or ENV_READERS[func.attr]
        if isinstance(func.value, ast.Name) and func.value.id in self.os["os"] and func.attr == "getenv":
            return _argument(call, 0, "key")
        if self.is_os_environ(func.value) and func.attr in OS_ENVIRON_READERS:
            return _argument(call, 0, "key")
        return None

    def is_os_environ(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.os["environ"]
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "environ"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.os["os"]
        )

    def _find_reading_functions(self, tree: ast.Module) -> None:
        """Functions that pass one of their parameters as the name of a read: name -> its position."""
        definitions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        changed = True
        while changed:  # until no new one appears: a function may read through another
            changed = False
            for definition in definitions:
                parameters = [a.arg for a in definition.args.posonlyargs + definition.args.args]
                for call in (n for n in ast.walk(definition) if isinstance(n, ast.Call)):
                    name = self.name_of(call)
                    if (
                        isinstance(name, ast.Name)
                        and name.id in parameters
                        and definition.name not in self.functions
                    ):
                        self.functions[definition.name] = (parameters.index(name.id), name.id)
                        changed = True

    # --- visiting ------------------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer = self.parameters
        self.parameters = {self.functions[node.name][1]} if node.name in self.functions else set()
        self.generic_visit(node)
        self.parameters = outer

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        outer = self.scopes
        self.scopes = self._bound(node.target, node.iter)
        for statement in node.body:
            self.visit(statement)
        self.scopes = outer
        for statement in node.orelse:
            self.visit(statement)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        outer = self.scopes
        for generator in node.generators:
            self.visit(generator.iter)
            self.scopes = self._bound(generator.target, generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        for part in ("elt", "key", "value"):
            if hasattr(node, part):
                self.visit(getattr(node, part))
        self.scopes = outer

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Call(self, node: ast.Call) -> None:
        name = self.name_of(node)
        if name is not None or self._calls_a_reader(node):
            self.record(name, node)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self.is_os_environ(node.value) and isinstance(node.ctx, ast.Load):
            self.record(node.slice, node)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for operator, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(operator, ast.In | ast.NotIn) and self.is_os_environ(right):
                self.record(node.left, node)
        self.generic_visit(node)

    def _calls_a_reader(self, call: ast.Call) -> bool:
        """A read whose name is missing from the call (``env.str(*names)``): not understood either."""
        func = call.func
        return (isinstance(func, ast.Name) and (func.id in self.envs or func.id in self.functions)) or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.envs
            and func.attr in ENV_READERS
        )

    # --- names ---------------------------------------------------------------------------------------

    def record(self, expression: ast.expr | str | None, node: ast.AST) -> None:
        where = f"{self.path.relative_to(ROOT)}:{node.lineno}"
        if isinstance(expression, ast.Name) and expression.id in self.parameters:
            return  # a function that reads through its parameter: its calls name the variable
        try:
            if expression is None:
                raise Unresolved
            names = {expression} if isinstance(expression, str) else self.evaluate_all(expression)
            if not all(isinstance(name, str) for name in names):
                raise Unresolved
        except Unresolved:
            self.unresolved.append(f"{where}: {ast.unparse(node)}")
            return
        for name in names:
            self.found.setdefault(name, []).append(where)

    def evaluate_all(self, expression: ast.expr) -> set:
        return {_evaluate(expression, scope, self.constants) for scope in self.scopes}

    def _bound(self, target: ast.expr, iterable: ast.expr) -> list[dict]:
        """The scopes inside a loop: each outer one, with each item the loop takes bound to its target."""
        try:
            items = _items(iterable, self.constants)
            return [scope | _bind(target, item) for scope in self.scopes for item in items]
        except Unresolved:
            return [scope | dict.fromkeys(_targets(target), Unresolved) for scope in self.scopes]


def _is_environ_env(node: ast.AST) -> bool:
    func = node.func if isinstance(node, ast.Call) else None
    return (isinstance(func, ast.Name) and func.id == "Env") or (
        isinstance(func, ast.Attribute) and func.attr == "Env"
    )


def _module_constants(tree: ast.Module) -> dict[str, object]:
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError):
                continue
    return constants


def _items(iterable: ast.expr, constants: dict) -> list:
    """What a loop over ``iterable`` takes, when the source alone says it."""
    if isinstance(iterable, ast.Name):
        if iterable.id not in constants:
            raise Unresolved
        value = constants[iterable.id]
    elif (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Attribute)
        and iterable.func.attr in ("items", "keys", "values")
        and not iterable.args
    ):
        mapping = _literal(iterable.func.value, constants)
        if not isinstance(mapping, dict):
            raise Unresolved
        return list(getattr(mapping, iterable.func.attr)())
    else:
        value = _literal(iterable, constants)
    if isinstance(value, dict | list | tuple | set | frozenset | str):
        return list(value)
    raise Unresolved


def _literal(node: ast.expr, constants: dict):
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError) as error:
        raise Unresolved from error


def _targets(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _targets(element)


def _bind(target: ast.expr, item) -> dict:
    if isinstance(target, ast.Name):
        return {target.id: item}
    if (
        isinstance(target, ast.Tuple | ast.List)
        and isinstance(item, tuple | list)
        and len(item) == len(target.elts)
    ):
        return dict(
            itertools.chain.from_iterable(_bind(t, i).items() for t, i in zip(target.elts, item, strict=True))
        )
    return dict.fromkeys(_targets(target), Unresolved)


def _evaluate(node: ast.expr, scope: dict, constants: dict):
    """The value of a name's expression: strings, ``+``, f-strings, ``.upper()``, loop variables."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        value = scope.get(node.id, constants.get(node.id, Unresolved))
        if value is Unresolved:
            raise Unresolved
        return value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                if part.format_spec is not None or part.conversion not in (-1, ord("s")):
                    raise Unresolved
                parts.append(str(_evaluate(part.value, scope, constants)))
            else:
                parts.append(_evaluate(part, scope, constants))
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _evaluate(node.left, scope, constants), _evaluate(node.right, scope, constants)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("upper", "lower")
        and not node.args
        and not node.keywords
    ):
        value = _evaluate(node.func.value, scope, constants)
        if isinstance(value, str):
            return getattr(value, node.func.attr)()
    raise Unresolved


def reads(source: str, path: Path = ROOT / "example.py") -> Reads:
    return Reads(ast.parse(source), path)


@functools.cache
def variables_read() -> tuple[dict[str, list[str]], list[str]]:
    """Every variable the code reads, with where; and every read whose name is not understood."""
    found: dict[str, list[str]] = {}
    unresolved: list[str] = []
    for path in modules():
        module = reads(path.read_text(), path)
        for name, places in module.found.items():
            found.setdefault(name, []).extend(places)
        unresolved += module.unresolved
    return found, unresolved


def section(title: str) -> str:
    text = README.read_text()
    assert f"\n## {title}\n" in text, f"README has no '## {title}' section"
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def documented() -> set[str]:
    """The names in backticks in the first column of the configuration table."""
    rows = [line for line in section("Configuration").splitlines() if line.startswith("|")]
    header, separator, *body = rows
    assert header.split("|")[1].strip() == "variable" and set(separator) <= set("|-: ")
    names = set()
    for row in body:
        cell = row.split("|")[1]
        found = re.findall(r"`([^`]*)`", cell)
        assert found, f"a row names no variable: {row}"
        assert all(VARIABLE.fullmatch(name) for name in found), f"not a variable name: {cell}"
        names |= set(found)
    return names


# --- the configuration table --------------------------------------------------------------------------


def test_the_configuration_table_lists_every_variable_the_code_reads_and_no_other():
    found, unresolved = variables_read()
    table = documented()

    missing = {name: found[name] for name in sorted(set(found) - table)}
    extra = sorted(table - set(found))

    assert unresolved == [], f"reads of the environment whose name the test cannot tell: {unresolved}"
    assert not missing and not extra, (
        f"README's configuration table lacks {missing} (variable: where the code reads it) "
        f"and lists {extra}, which no code reads"
    )


def test_the_source_reads_the_settings_that_matter():
    """The parser sees through ``_secret`` and both configuration files: it cannot pass by finding nothing."""
    found, _unresolved = variables_read()

    assert {"SECRET_KEY", "LOYAL_ENCRYPTION_KEYS", "LOYAL_BLIND_INDEX_KEY", "LOYAL_STATIC_BUILD"} <= set(
        found
    )
    assert {place.split(":")[0] for place in found["LOG_FORMAT"]} == {"crm/settings.py", "gunicorn.conf.py"}


def test_the_parser_knows_every_way_of_reading_a_variable():
    module = reads(
        """
import os
import os as system
from os import environ as ENVIRONMENT, getenv
import environ

env = environ.Env()
PREFIXES = ("north", "south")
DAYS = {"q": 1, "r": 2}
A = env.str("A", default="")
B = env("B")
C = env.db()
D = os.environ.get("D")
E = os.environ["E"]
F = os.getenv("F", "x")
G = "G" in os.environ


def _secret(name, make):
    return env.str(name, default="") or make()


def _wrapped(label):
    return _secret(label, str)


H = _secret("H", str)
I = _wrapped("I")
J = {key: env.int(f"J_{key.upper()}", default=1) for key in ("one", "two")}
for prefix in PREFIXES:
    env.bool(prefix.upper() + "_K")
for key, default in (("l", 1), ("m", 2)):
    env.int("LOYAL_" + key.upper(), default=default)
for key, default in DAYS.items():
    env.int(f"{key.upper()}_DAYS", default=default)
N = system.environ.get("N")
O = ENVIRONMENT["O"]
P = getenv("P")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
"""
    )

    assert module.unresolved == []
    assert set(module.found) == {
        *"ABDEFGHINOP",
        "DATABASE_URL",
        "J_ONE",
        "J_TWO",
        "NORTH_K",
        "SOUTH_K",
        "LOYAL_L",
        "LOYAL_M",
        "Q_DAYS",
        "R_DAYS",
    }


@pytest.mark.parametrize(
    "source",
    [
        "env.str(name_from_somewhere())",
        "env.int(f'X_{unknown}')",
        "for name in names(): env.str(name)",
        "env.str(*NAMES)",
        "import os\nos.environ[key]",
    ],
)
def test_a_name_the_parser_cannot_tell_fails_rather_than_passes(source):
    module = reads(f"import environ\nenv = environ.Env()\n{source}\n")

    assert module.found == {}
    assert len(module.unresolved) == 1


# --- links and paths ----------------------------------------------------------------------------------


def test_the_readme_links_the_rules_and_the_design():
    text = README.read_text()
    links = {target.split("#")[0] for target in re.findall(r"\]\(([^)\s]+)\)", text)}

    assert {"docs/rules.md", "docs/design.md"} <= links
    assert "../" not in text, "the README names a file outside the repository"


def test_every_python_file_the_readme_names_exists():
    named = set(re.findall(r"`([\w./*-]+\.py)`", README.read_text()))

    missing = sorted(path for path in named if not list(ROOT.glob(path)))

    assert named and missing == []
