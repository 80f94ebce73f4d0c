"""Catch submissions that switch the grader's tests off from inside the kernel.

nbgrader scores a test cell by its output: no error → full points. Student code runs in the same
kernel before the tests, so it can make failing tests look passed (an IPython input transformer that
blanks every cell with ``assert``, an event hook, a trace function, patched builtins, a replaced
``run_cell``, an exception handler that swallows errors). Three independent checks catch this; each
finding flags the submission for manual grading with the reason (:class:`FlagProblems`):

1. **code scan** (:func:`scan_code`, static): the student's code cells are parsed; uses of the kernel's
   machinery (``get_ipython``, ``ctypes``, ``builtins``, ``sys.settrace``, ``sys.modules``, ``exec`` …)
   are listed. A finding is a reason for a human to look, not a verdict.
2. **canary cells** (behaviour): before every test cell and at the end the grader runs a cell shaped
   like a test that MUST fail with a secret message. If its failure is not seen, tests could not fail
   either.
3. **kernel probe** (state): a cell run before any student code and another after the last cell
   record the kernel's input/AST transformers, event callbacks, trace/profile functions, exception
   handlers, the shell's methods and the builtins; any difference is reported.

The inserted cells (no nbgrader metadata, so never graded) are removed again right after the run;
the kernel does not see cell metadata or ids, only the source.
"""

from __future__ import annotations

import ast
import json
import re
import secrets

from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from indi_ops.grading.metadata import CHECK_CELL_KEY, FLAGS_KEY, KERNEL_DIED

# ----------------------------------------------------------------------------------- 1. code scan
# Modules whose import is a reason to look: they reach the interpreter or the kernel itself.
SUSPECT_MODULES = {"ctypes", "builtins", "importlib", "gc", "IPython", "ipykernel", "traitlets", "inspect",
                   "dis", "marshal", "code", "codeop", "_thread", "sys_monitoring", "cffi"}
ALLOWED_MODULES = {"IPython.display", "IPython.core.display"}  # display(), HTML(), Image() …
# Names / attributes that reach the kernel's or interpreter's machinery.
SUSPECT_NAMES = {
    "get_ipython", "__builtins__", "__import__", "__build_class__", "ctypes", "builtins",
    "settrace", "setprofile", "gettrace", "_getframe", "excepthook", "displayhook", "set_custom_exc",
    "input_transformers_cleanup", "input_transformers_post", "input_transformer_manager", "ast_transformers",
    "run_cell", "run_cell_async", "run_ast_nodes", "run_code", "showtraceback", "_showtraceback",
    "transform_cell", "register_magic_function", "audit", "addaudithook", "monitoring", "_exit",
    "f_back", "f_globals", "f_locals", "f_builtins", "tb_frame", "gi_frame", "cr_frame",
}
SUSPECT_ATTR_PAIRS = {("sys", "modules"), ("events", "register"), ("os", "_exit"), ("os", "kill"),
                      ("os", "abort"), ("signal", "signal")}
SUSPECT_DUNDERS = {"__class__", "__bases__", "__base__", "__mro__", "__subclasses__", "__globals__",
                   "__code__", "__closure__", "__dict__", "__module__", "__builtins__", "__getattribute__",
                   "__loader__", "__spec__", "__reduce__", "__reduce_ex__", "__defaults__", "__kwdefaults__"}
CALLS = {"exec": "runs a string as code", "eval": "evaluates a string as code",
         "compile": "compiles a string as code", "globals": "reads/writes the module namespace",
         "breakpoint": "starts a debugger"}
# Magics a lab may use (IPython turns `%matplotlib inline` into get_ipython().run_line_magic(...)).
ALLOWED_MAGICS = {"matplotlib", "time", "timeit", "who", "whos", "precision", "pprint", "pwd", "pinfo"}


def _ipython_to_python(source: str) -> str:
    """Cell source with IPython syntax (magics, !shell) turned into Python, as the kernel does."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or a broken cell: scan what is there
        return source


def _magic_call(node: ast.Call) -> tuple[str, str] | None:
    """('line'|'cell'|'system', name) for get_ipython().run_line_magic('name', …) and friends."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython"
            and not func.value.args):
        return None
    kinds = {"run_line_magic": "line", "run_cell_magic": "cell", "system": "system", "getoutput": "system"}
    if func.attr not in kinds:
        return None
    name = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else ""
    return kinds[func.attr], str(name)


def scan_code(source: str) -> list[str]:
    """What in this code cell reaches the kernel's or interpreter's machinery (empty: nothing found)."""
    try:
        tree = ast.parse(_ipython_to_python(source))
    except (SyntaxError, ValueError):
        return []  # it will fail when run; nothing to hide behind
    found: list[str] = []
    allowed_calls: set[int] = set()  # the get_ipython() inside an allowed magic call

    def add(line: int, what: str) -> None:
        item = f"line {line}: {what}"
        if item not in found:
            found.append(item)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            magic = _magic_call(node)
            if magic:
                kind, name = magic
                if kind == "line" and name in ALLOWED_MAGICS:
                    allowed_calls.add(id(node.func.value))
                elif kind == "system":
                    add(node.lineno, "a shell command (!…)")
                    allowed_calls.add(id(node.func.value))
                else:
                    add(node.lineno, f"the IPython magic %{'%' if kind == 'cell' else ''}{name}")
                    allowed_calls.add(id(node.func.value))
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for mod in mods:
                if mod.split(".")[0] in SUSPECT_MODULES and mod not in ALLOWED_MODULES:
                    add(line, f"imports {mod}")
            if isinstance(node, ast.ImportFrom):
                for a in node.names:
                    if a.name in SUSPECT_NAMES:
                        add(line, f"imports {a.name} from {node.module}")
        elif isinstance(node, ast.Call) and id(node) in allowed_calls:
            continue
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "get_ipython" and id(node) in allowed_calls:
                continue
            if node.func.id in CALLS:
                add(line, f"{node.func.id}() ({CALLS[node.func.id]})")
            elif node.func.id in {"getattr", "setattr", "delattr", "hasattr"} and len(node.args) >= 2:
                arg = node.args[1]
                if not isinstance(arg, ast.Constant):
                    add(line, f"{node.func.id}() with a computed attribute name")
                elif str(arg.value) in SUSPECT_NAMES | SUSPECT_DUNDERS:
                    add(line, f"{node.func.id}(…, {arg.value!r})")
            elif node.func.id == "vars" and not node.args:
                add(line, "vars() (reads/writes the module namespace)")
        if isinstance(node, ast.Name) and node.id in SUSPECT_NAMES:
            if node.id == "get_ipython" and any(id(c) in allowed_calls for c in _parents_calls(tree, node)):
                continue
            add(line, node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr in SUSPECT_NAMES or node.attr in SUSPECT_DUNDERS:
                add(line, f".{node.attr}")
            elif isinstance(node.value, ast.Name) and (node.value.id, node.attr) in SUSPECT_ATTR_PAIRS:
                add(line, f"{node.value.id}.{node.attr}")
            elif isinstance(node.value, ast.Attribute) and (node.value.attr, node.attr) in SUSPECT_ATTR_PAIRS:
                add(line, f".{node.value.attr}.{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # A name spelled as a string (getattr(x, "get_" + "ipython") is caught above; this is
            # the plain case: __import__-free tricks through a dict of names).
            if node.value in SUSPECT_NAMES - {"audit", "monitoring", "run_code", "_exit"}:
                add(line, f"the string {node.value!r}")
    return sorted(found, key=lambda item: int(item.split()[1].rstrip(":")))


def _parents_calls(tree: ast.AST, target: ast.Name) -> list[ast.Call]:
    """The get_ipython() Call nodes whose func is ``target``."""
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.func is target]


def student_code_cells(nb: NotebookNode):
    """(label, cell) for every code cell a student can write: not read-only, not inserted by the grader."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or CHECK_CELL_KEY in cell.metadata:
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta and utils.is_locked(cell):
            continue
        yield meta.get("grade_id") or f"cell {i + 1}", cell


def scan_notebook(nb: NotebookNode) -> list[str]:
    """One line per student cell with findings: "'mean_feed': line 2: get_ipython; …"."""
    out = []
    for label, cell in student_code_cells(nb):
        found = scan_code(cell.source)
        if found:
            out.append(f"'{label}': {', '.join(found[:6])}{' …' if len(found) > 6 else ''}")
    return out


# --------------------------------------------------------------------------- 2. canaries, 3. probes
PROBE_MARK = "INDI-PROBE"

# Runs in the student's kernel; prints one line: PROBE_MARK, the nonce and the state as JSON.
PROBE_SOURCE = r'''
def _indi_probe_NONCE():
    import builtins, json, sys, threading
    ip = get_ipython()

    def names(seq):
        out = []
        for f in list(seq or []):
            mod = getattr(f, "__module__", None) or type(f).__module__
            out.append(f"{mod}:{getattr(f, '__qualname__', type(f).__qualname__)}#{id(f)}")
        return out

    def ident(f):  # a bound method is a new object at every access: compare function and owner
        return f"{id(getattr(f, '__func__', f))}:{id(getattr(f, '__self__', None))}"

    tm = ip.input_transformer_manager
    cls = type(ip)
    methods = {}
    for name in ("run_cell", "run_cell_async", "run_ast_nodes", "run_code", "transform_cell", "transform_ast",
                 "showtraceback", "_showtraceback", "showsyntaxerror", "should_run_async", "_run_cell",
                 "CustomTB", "InteractiveTB", "SyntaxTB", "displayhook", "display_pub", "compile"):
        methods[name] = [name in vars(ip), id(getattr(cls, name, None)), type(getattr(ip, name, None)).__name__]
    kernel = getattr(ip, "kernel", None)
    handlers = getattr(kernel, "shell_handlers", {}) or {}
    state = {
        "input transformers": names(tm.cleanup_transforms) + names(tm.line_transforms)
                              + names(tm.token_transformers) + names(ip.input_transformers_post),
        "AST transformers": names(ip.ast_transformers),
        "event callbacks": {k: names(v) for k, v in ip.events.callbacks.items()},
        "trace function": [repr(sys.gettrace()), repr(threading.gettrace())],
        "profile function": [repr(sys.getprofile()), repr(threading.getprofile())],
        # Exception classes given a custom handler (the indi package shows its own errors briefly).
        "custom exception handler": [f"{e.__module__}.{e.__qualname__}" for e in ip.custom_exceptions],
        "sys hooks": [ident(sys.excepthook), ident(sys.displayhook), ident(sys.breakpointhook)],
        "shell": [cls.__module__ + "." + cls.__qualname__, methods],
        "kernel": [{k: id(getattr(v, "__func__", v)) for k, v in handlers.items()},
                   [n for n in ("do_execute", "execute_request", "send_response") if n in vars(kernel or ip)]],
        # ipykernel swaps input() for every request; _ is the last result.
        "builtins": {k: id(v) for k, v in vars(builtins).items() if k.strip("_") and k not in ("input", "raw_input")},
    }
    print("PROBE_MARK", "NONCE", json.dumps(state, sort_keys=True))
_indi_probe_NONCE()
del _indi_probe_NONCE
'''.strip()

# Canary shapes: they look like tests (an assert with a message) and must fail.
# No assignments: a canary must not change the student's variables.
_CANARIES = [
    "assert {a} == {b}, '{nonce}'",
    "assert len([{a}, {b}]) == 3, '{nonce}'",
    "assert max({a}, {b}) == {a}, '{nonce}'",
    "assert abs({a}.0 - {b}.0) < 1e-9, '{nonce}'",
    "assert sorted([{b}, {a}]) == [{b}, {a}], '{nonce}'",
    "assert str({a}) == '{b}', '{nonce}'",
]

# Exceptions the learner package handles itself (indi.errors.install_notebook_handler).
ALLOWED_EXC_MODULES = ("indi.",)
# Event callbacks that libraries register on their own (matplotlib's inline backend, widgets).
ALLOWED_CALLBACK_MODULES = ("matplotlib", "matplotlib_inline", "ipykernel", "IPython", "ipywidgets")


def _canary_source(nonce: str, rng: secrets.SystemRandom) -> str:
    a = rng.randint(2, 900)
    b = a + rng.randint(1, 50)  # b > a: every shape above fails
    return rng.choice(_CANARIES).format(a=a, b=b, nonce=nonce)


def _check_cell(kind: str, nonce: str, source: str, before: str = "") -> NotebookNode:
    cell = new_code_cell(source)
    cell.metadata[CHECK_CELL_KEY] = {"kind": kind, "nonce": nonce, "before": before}
    return cell


class InsertChecks(NbGraderPreprocessor):
    """Autograde step, right before execution: scan the student's code, insert probes and canaries."""

    def preprocess(self, nb: NotebookNode, resources):
        findings = scan_notebook(nb)
        if findings:
            resources.setdefault(FLAGS_KEY, []).append(
                "code that reaches the kernel or interpreter (check it did not alter grading): "
                + " | ".join(findings))
        rng = secrets.SystemRandom()
        cells = [_check_cell("probe", secrets.token_hex(8), "")]
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if (cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")
                    and cell.source.strip()):
                nonce = secrets.token_hex(8)
                cells.append(_check_cell("canary", nonce, _canary_source(nonce, rng), meta.get("grade_id", "")))
            cells.append(cell)
        nonce = secrets.token_hex(8)
        cells.append(_check_cell("canary", nonce, _canary_source(nonce, rng), "the end of the notebook"))
        cells.append(_check_cell("probe", secrets.token_hex(8), ""))
        for cell in cells:
            info = cell.metadata.get(CHECK_CELL_KEY)
            if info and info["kind"] == "probe":
                cell.source = PROBE_SOURCE.replace("NONCE", info["nonce"]).replace("PROBE_MARK", PROBE_MARK)
            if info:
                cell["id"] = secrets.token_hex(4)  # looks like any cell id
        nb.cells = cells
        return nb, resources


def _probe_state(cell: NotebookNode, nonce: str) -> dict | None:
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    m = re.search(rf"^{PROBE_MARK} {nonce} (.*)$", text, re.M)
    if not m:
        return None
    try:
        return json.loads(m.group(1))
    except ValueError:
        return None


def _callback_ok(entry: str) -> bool:
    return entry.split(":", 1)[0].split(".")[0] in ALLOWED_CALLBACK_MODULES


def compare_probes(start: dict, end: dict) -> list[str]:
    """What student code changed in the kernel, in words (empty: nothing that matters)."""
    changes = []
    for key in ("input transformers", "AST transformers"):
        added = [e for e in end.get(key, []) if e not in start.get(key, [])]
        removed = [e for e in start.get(key, []) if e not in end.get(key, [])]
        if added or removed:
            changes.append(f"{key} changed ({', '.join(e.split('#')[0] for e in added + removed)})")
    cb_start, cb_end = start.get("event callbacks", {}), end.get("event callbacks", {})
    for event in sorted(set(cb_start) | set(cb_end)):
        added = [e for e in cb_end.get(event, []) if e not in cb_start.get(event, []) and not _callback_ok(e)]
        removed = [e for e in cb_start.get(event, []) if e not in cb_end.get(event, [])]
        if added or removed:
            changes.append(f"'{event}' event callbacks changed ({', '.join(e.split('#')[0] for e in added + removed)})")
    for key in ("trace function", "profile function", "sys hooks", "kernel"):
        if start.get(key) != end.get(key):
            changes.append(f"{key} changed")
    handled = [e for e in end.get("custom exception handler", [])
               if e not in start.get("custom exception handler", []) and not e.startswith(ALLOWED_EXC_MODULES)]
    if handled or start.get("custom exception handler") and not end.get("custom exception handler"):
        changes.append(f"custom exception handler changed ({', '.join(handled)})")
    if start.get("shell") != end.get("shell"):
        s, e = start.get("shell", ["", {}]), end.get("shell", ["", {}])
        which = [n for n in e[1] if s[1].get(n) != e[1][n]] if s[0] == e[0] else ["the shell class"]
        changes.append(f"the shell was patched ({', '.join(which)})")
    b_start, b_end = start.get("builtins", {}), end.get("builtins", {})
    touched = sorted(k for k in set(b_start) | set(b_end) if b_start.get(k) != b_end.get(k))
    if touched:
        changes.append(f"builtins changed ({', '.join(touched[:8])}{' …' if len(touched) > 8 else ''})")
    return changes


class CheckChecks(NbGraderPreprocessor):
    """Autograde step, right after execution: read the probes and canaries, remove them, report."""

    def preprocess(self, nb: NotebookNode, resources):
        flags: list[str] = []
        probes: list[dict | None] = []
        silent: list[str] = []
        died = False
        for cell in nb.cells:
            info = cell.metadata.get(CHECK_CELL_KEY)
            if not info:
                continue
            outputs = cell.get("outputs", [])
            if any(o.get("ename") == KERNEL_DIED for o in outputs):
                died = True  # the kernel died before this check: reported by the sandbox already
                continue
            if info["kind"] == "probe":
                probes.append(_probe_state(cell, info["nonce"]))
            elif not any(o.get("output_type") == "error" and o.get("ename") == "AssertionError"
                         and info["nonce"] in str(o.get("evalue", "")) for o in outputs):
                silent.append(f"'{info['before']}'" if info["before"] != "the end of the notebook"
                              else info["before"])
        if silent:
            flags.append("tests may have been switched off: a check the grader runs (shaped like a failing "
                         f"test) did not fail before {', '.join(silent)}")
        if len(probes) == 2 and probes[0] is not None:
            if probes[1] is None:
                flags.append("the kernel check at the end of the notebook did not report (its output "
                             "was hidden or changed)")
            else:
                changes = compare_probes(probes[0], probes[1])
                if changes:
                    flags.append("student code changed the kernel's grading machinery: " + "; ".join(changes))
        elif not died:
            flags.append("the kernel checks did not report (their output was hidden or changed)")
        nb.cells = [c for c in nb.cells if CHECK_CELL_KEY not in c.metadata]
        if flags:
            resources.setdefault(FLAGS_KEY, []).extend(flags)
        return nb, resources
