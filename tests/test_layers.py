"""The package's layers (docs/dev/ARCHITECTURE.md): imports run one way only, and never in a circle.

    params  <-  network  <-  engine  <-  study  <-  outputs  <-  viz, api  <-  cli

A module may import its own layer and the layers to its left. Checked twice: statically, over
every import statement (deferred imports inside functions included, since those make circles
too), and by importing each module alone in a fresh interpreter and looking at which of the
package's modules came with it.
"""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"

LAYERS = [
    ("base", ["sim", "sim.params", "sim.i18n", "sim.shipped"]),
    ("network", ["sim.network"]),
    ("engine", ["sim.engine"]),
    ("study", ["sim.study"]),
    ("outputs", ["sim.outputs", "sim.evidence"]),
    ("app", ["sim.viz", "sim.api", "sim.workshop"]),
    ("cli", ["sim.cli", "sim.cli_commands", "sim.cli_parser", "sim.cli_tables", "sim.entry"]),
]


def layer_of(module: str) -> int:
    """Index in LAYERS of a ``sim`` module (the longest matching prefix decides)."""
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if prefix == "sim":
                matches = module == "sim"
            if matches and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS and ARCHITECTURE.md"
    return best


def module_name(path: Path) -> str:
    parts = ("sim", *path.relative_to(SIM).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SIM.rglob("*.py")) if "__pycache__" not in p.parts}


def imported_modules(name: str, path: Path) -> set[str]:
    """``sim`` modules that ``name``'s source imports anywhere (top level or inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # ``from sim.engine.rules import push`` imports the module sim.engine.rules.push
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t == "sim" or t.startswith("sim."))
    found.discard(name)
    return found


GRAPH = {name: imported_modules(name, path) for name, path in MODULES.items()}
# The package's own __init__ names BrandModel, load_scenario and run_scenario for Python users,
# loaded on first use (PEP 562 ``__getattr__``), so ``import sim.params`` loads no more than
# that. Its deferred imports reach up by design; test_package_import_loads_nothing checks that
# importing it loads no other module.
GRAPH["sim"] = set()


def test_every_module_has_a_layer():
    for name in MODULES:
        layer_of(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_run_down_the_layers(name):
    mine = layer_of(name)
    upward = sorted(m for m in GRAPH[name] if layer_of(m) > mine)
    assert not upward, f"{name} ({LAYERS[mine][0]}) imports a higher layer: {upward}"


def test_no_import_circle():
    """Depth-first search for a cycle in the import graph (deferred imports included)."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(GRAPH.get(name, ())):
            if target not in MODULES:
                continue
            if state.get(target) == 1:
                circle = stack[stack.index(target) :] + [target]
                pytest.fail("import circle: " + " -> ".join(circle))
            if target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(MODULES):
        if name not in state:
            visit(name)


def test_the_static_check_sees_a_circle(tmp_path):
    """The graph check above is not vacuous: the import that made the old circle is found."""
    source = tmp_path / "jit.py"
    source.write_text("def warm_up():\n    from sim.engine.model import BrandModel\n")
    assert "sim.engine.model" in imported_modules("sim.engine.jit", source)


# One interpreter that loads the third-party libraries once, then forks a child per module of
# the package, in layer order: each child starts with no ``sim`` module loaded (as a fresh
# interpreter would), imports one module, and reports which of the package's modules came
# with it. Forking saves re-importing numpy, numba, Mesa and pandas sixty times (~30 s).
_PROBE = """
import json, os, sys
for library in ("numpy", "scipy.sparse", "scipy.special", "scipy.stats", "scipy.optimize",
                "pandas", "pydantic", "networkx",
                "numba", "mesa", "matplotlib", "matplotlib.pyplot", "tqdm", "solara",
                "mesa.visualization"):
    __import__(library)
assert not any(m == "sim" or m.startswith("sim.") for m in sys.modules)


def probe(name):
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        try:
            __import__(name)
            loaded = sorted(m for m in sys.modules if m == "sim" or m.startswith("sim."))
            payload = json.dumps({"ok": True, "loaded": loaded})
        except BaseException as error:
            payload = json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"})
        os.write(write, payload.encode())
        os._exit(0)
    os.close(write)
    return child, read


def collect(child, read):
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(child, 0)
    return json.loads(b"".join(chunks) or b'{"ok": false, "error": "child died"}')


names = json.loads(sys.argv[1])
base = [n for n in names if n in ("sim", "sim.params")]
results = {name: collect(*probe(name)) for name in base}
# The base layer cannot bring a higher one with it (checked just above), so the rest are
# imported with it already loaded (building its pydantic models takes 0.15 s a child), two
# children at a time.
import sim.params  # noqa: E402,F401
rest = [n for n in names if n not in base]
for i in range(0, len(rest), 2):
    running = [(name, probe(name)) for name in rest[i : i + 2]]
    for name, handle in running:
        results[name] = collect(*handle)
print(json.dumps(results))
"""


def _import_alone(names: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(names)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-800:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@functools.cache
def _every_module_alone() -> dict:
    return _import_alone(sorted(MODULES, key=lambda m: (layer_of(m), m)))


def test_each_module_imports_alone_and_loads_no_higher_layer():
    """Each module imported alone, in layer order; none may bring a higher layer with it."""
    ordered = sorted(MODULES, key=lambda m: (layer_of(m), m))
    results = _every_module_alone()
    problems = []
    for name in ordered:
        result = results[name]
        if not result["ok"]:
            problems.append(f"import {name} alone fails: {result['error']}")
            continue
        higher = [m for m in result["loaded"] if m in MODULES and layer_of(m) > layer_of(name)]
        if higher:
            problems.append(f"{name} loads {higher}")
    assert not problems, "; ".join(problems)


def test_package_import_loads_nothing():
    assert _every_module_alone()["sim"] == {"ok": True, "loaded": ["sim"]}


def test_python_users_names():
    """``from sim import BrandModel`` works (the README's example), without loading the study
    layer first."""
    import sim

    assert sim.BrandModel.__name__ == "BrandModel"
    assert callable(sim.load_scenario) and callable(sim.run_scenario)
    with pytest.raises(AttributeError):
        sim.no_such_name  # noqa: B018


def test_run_scenario_from_python(tmp_path):
    """``run_scenario`` writes the same results folder as ``run_sim.py run`` (tables, summary,
    and with figures the report, drawn by the outputs layer after the study)."""
    import sim

    outcome = sim.run_scenario(
        "default",
        settings={"network.n": 200},
        weeks=4,
        replicates=2,
        out=tmp_path / "res",
        figures=True,
    )
    assert outcome.completed and outcome.out == tmp_path / "res"
    assert outcome.runs_done == outcome.runs_total == 2  # a run is one replicate of every arm
    assert set(outcome.summary["arms"]) == {"none", "push", "dialogue", "mix"}
    for name in ("timeseries.csv", "summary.json", "manifest.json", "report.html"):
        assert (outcome.out / name).is_file(), name
    assert list((outcome.out / "figures").glob("*.png"))
