"""Grader checks: run every lab's tests against alternative correct answers and common mistakes.

A lab's graders are code, so they are tested like code. Beside each lab's text source lives a folder
``lab_sources/<lab_id>_checks/`` with one file per autograded solution cell, named after that cell's
nbgrader grade id: ``<grade_id>.py``. The file holds variants, each starting with a header line::

    # %% correct: make_pipeline with named steps instead of Pipeline([...])
    <the complete code that replaces the solution cell>

    # %% mistake: forgets to scale the features
    <the complete code that replaces the solution cell>

Only comment and blank lines may come before the first header. ``rubrics.yml`` in the same folder holds
the written answers' rubrics (:mod:`indi_ops.grading.rubrics`).

The runner starts ONE kernel per lab (the course kernel ``python3``, working directory ``labs/<id>/``,
``INDI_DATA_DIR`` from the environment) and runs the SOURCE notebook, hidden tests included, cell by
cell. At a solution cell that has a checks file it snapshots the kernel's namespace (and the random
generators' state), then for each variant runs the variant in place of the solution and the cells after
it up to the task's last test cell, recording each test cell (nbgrader ``grade: true, solution: false``,
up to the next code solution cell) as passed or failed, and restores the snapshot. Then the reference
solution and its tests run as usual and the notebook goes on.

Verdicts: a correct variant that fails any of its task's tests is a **false fail**; a mistake that passes
them all is a **false pass**. A variant that hangs fails at the per-cell timeout (the kernel is restarted
and the reference cells run so far are replayed).

Slip isolation ("one slip costs one task"): :func:`slip_leaks` checks statically that no name bound by
a task's solution cell reaches a later task's cells; :func:`blank_check` runs the lab once per task with
that task left as the release's stub and lists the later tests that fail with it (one kernel per task:
the bench runs it on the real labs, CI on the fixture labs).

    python -m indi_ops.labcheck [LAB ...]            grader checks (exit 1 on a false fail / false pass)
    python -m indi_ops.labcheck --blank [LAB ...]    also the behavioural slip check
    python -m indi_ops.labcheck LAB --task GRADE_ID  only that task's variants (the rest runs as reference)
    indi-ops labs check-graders [LAB ...]            the same
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from indi_ops.labs import LABS, SOURCES, lab_ids

HEADER = re.compile(r"^# %% (correct|mistake):[ \t]*(.*?)[ \t]*$")
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # nbgrader's ClearSolutions.code_stub (config.py)
DEFAULT_TIMEOUT_S = 300

# Snapshot and restore of the kernel's user namespace around each variant, so a mistake that mutates a
# shared frame (``df.drop(..., inplace=True)``) or consumes random numbers cannot spoil the rest of the run.
_KERNEL_HELPERS = r'''
def _labcheck_setup():
    import copy, random, sys, types
    ip = get_ipython()
    hidden = set(ip.user_ns_hidden)
    skip_modules = ("matplotlib", "ipywidgets", "IPython", "ipykernel")
    state = {}

    def keep(name):
        return not name.startswith("_") and name not in hidden

    def snapshot():
        shared, data = {}, {}
        for name, value in list(ip.user_ns.items()):
            if not keep(name):
                continue
            plain = isinstance(value, (types.ModuleType, types.FunctionType, type, types.BuiltinFunctionType))
            if plain or type(value).__module__.startswith(skip_modules):
                shared[name] = value
            else:
                data[name] = value
        try:  # one deepcopy of all data keeps objects that two names share shared
            data = copy.deepcopy(data)
        except Exception:
            copied = {}
            for name, value in data.items():
                try:
                    copied[name] = copy.deepcopy(value)
                except Exception:
                    shared[name] = value
            data = copied
        state["ns"] = (shared, data)
        state["random"] = random.getstate()
        np = sys.modules.get("numpy")
        state["numpy"] = np.random.get_state() if np is not None else None

    def restore():
        shared, data = state["ns"]
        for name in [n for n in ip.user_ns if keep(n) and n not in shared and n not in data]:
            del ip.user_ns[name]
        ip.user_ns.update(shared)
        ip.user_ns.update(copy.deepcopy(data))
        random.setstate(state["random"])
        if state["numpy"] is not None:
            sys.modules["numpy"].random.set_state(state["numpy"])

    return snapshot, restore

_labcheck_snapshot, _labcheck_restore = _labcheck_setup()
del _labcheck_setup
'''


class ChecksError(ValueError):
    """A checks file that cannot be read as variants; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Variant:
    kind: str  # "correct" or "mistake"
    label: str
    code: str
    line: int  # line of the header in the checks file


@dataclass(frozen=True)
class Task:
    """A code solution cell and the graded test cells after it, up to the next code solution cell."""

    grade_id: str
    index: int
    tests: tuple[int, ...]
    test_ids: tuple[str, ...]
    points: float

    @property
    def end(self) -> int:
        """Index of the task's last test cell (its own cell when it has none)."""
        return self.tests[-1] if self.tests else self.index


@dataclass
class Case:
    """One variant of one task and what the task's tests said about it."""

    lab: str
    task: str
    kind: str  # correct | mistake | reference
    label: str
    passed: dict[str, bool] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def all_pass(self) -> bool:
        return bool(self.passed) and all(self.passed.values())

    @property
    def verdict(self) -> str:
        if self.kind == "mistake":
            return "false pass" if self.all_pass else "ok"
        return "ok" if self.all_pass else "false fail"


@dataclass
class LabReport:
    lab: str
    tasks: list[Task]
    cases: list[Case] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    restarts: int = 0

    def _variants(self) -> list[Case]:
        return [c for c in self.cases if c.kind != "reference"]

    @property
    def false_fails(self) -> list[Case]:
        return [c for c in self._variants() if c.verdict == "false fail"]

    @property
    def false_passes(self) -> list[Case]:
        return [c for c in self._variants() if c.verdict == "false pass"]

    @property
    def ok(self) -> bool:
        refs_fail = [c for c in self.cases if c.kind == "reference" and not c.all_pass]
        return not (self.false_fails or self.false_passes or self.problems or refs_fail)

    def baseline(self) -> dict[str, bool]:
        """Test id → passed in the reference run (every solution in place)."""
        return {gid: ok for c in self.cases if c.kind == "reference" for gid, ok in c.passed.items()}

    def counts(self) -> dict[str, dict[str, int]]:
        """Per autograded task: how many correct variants and mistakes were checked."""
        out = {t.grade_id: {"correct": 0, "mistake": 0} for t in self.tasks if t.tests}
        for c in self._variants():
            out.setdefault(c.task, {"correct": 0, "mistake": 0})[c.kind] += 1
        return out


# ---------------------------------------------------------------------------------------------- reading


def parse_checks(path: Path) -> list[Variant]:
    """The variants of one checks file, in order."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    variants: list[Variant] = []
    current: tuple[str, str, int] | None = None
    body: list[str] = []

    def close():
        if current is None:
            return
        code = "\n".join(body).strip("\n")
        if not code.strip():
            raise ChecksError(f"{path}:{current[2]}: variant '{current[1]}' has no code: put the complete "
                              "cell that replaces the solution under its header")
        variants.append(Variant(current[0], current[1], code, current[2]))

    for number, line in enumerate(lines, 1):
        match = HEADER.match(line)
        if match:
            close()
            kind, label = match.groups()
            if not label:
                raise ChecksError(f"{path}:{number}: say what the variant is: '# %% {kind}: <what it is>'")
            current, body = (kind, label, number), []
        elif line.startswith("# %%"):
            raise ChecksError(f"{path}:{number}: unknown header {line!r}: use '# %% correct: …' or "
                              "'# %% mistake: …'")
        elif current is None:
            if line.strip() and not line.lstrip().startswith("#"):
                raise ChecksError(f"{path}:{number}: code before the first '# %% correct:' or "
                                  "'# %% mistake:' header")
        else:
            body.append(line)
    close()
    if not variants:
        raise ChecksError(f"{path}: no variants: start each with '# %% correct: …' or '# %% mistake: …'")
    return variants


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader") or {}


def is_code_solution(cell) -> bool:
    return cell.cell_type == "code" and bool(_nbg(cell).get("solution"))


def is_test(cell) -> bool:
    meta = _nbg(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_manual_answer(cell) -> bool:
    meta = _nbg(cell)
    return cell.cell_type == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


def tasks_of(nb) -> list[Task]:
    """Every code solution cell of a source notebook with its graded test cells."""
    cells = nb.cells
    starts = [i for i, c in enumerate(cells) if is_code_solution(c)]
    out = []
    for k, start in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(cells)
        tests = tuple(i for i in range(start + 1, stop) if is_test(cells[i]))
        out.append(Task(_nbg(cells[start]).get("grade_id", f"cell{start}"), start, tests,
                        tuple(_nbg(cells[i]).get("grade_id", f"cell{i}") for i in tests),
                        float(sum(_nbg(cells[i]).get("points", 0) for i in tests))))
    return out


def stub_solution(source: str) -> str:
    """The cell as the student release shows it: each BEGIN/END SOLUTION block becomes the code stub."""
    lines, out, inside = source.splitlines(), [], False
    for line in lines:
        if "### BEGIN SOLUTION" in line:
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUB.splitlines())
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def checks_dir(lab: str, sources: Path = SOURCES) -> Path:
    return Path(sources) / f"{lab}_checks"


def notebook_path(lab: str, labs: Path = LABS) -> Path:
    return Path(labs) / lab / f"{lab}.ipynb"


def labs_with_checks(sources: Path = SOURCES) -> list[str]:
    return [lab for lab in lab_ids(sources) if checks_dir(lab, sources).is_dir()]


# -------------------------------------------------------------------------------------------- running


def _error_text(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            value = str(out.get("evalue", ""))
            value = re.sub(r"\x1b\[[0-9;]*m", "", value)
            return f"{out.get('ename', 'Error')}: {value}"[:300]
    return None


class _Kernel:
    """One course kernel running a notebook's cells one at a time; restarts (and replays) after a hang."""

    def __init__(self, nb, cwd: Path, timeout: float):
        import shutil
        import tempfile

        # The kernel works in a throw-away copy of the lab folder: a lab that writes files (an example
        # CSV, a plot) must not leave them in labs/<id>/, which nbgrader copies into the release.
        self._scratch = Path(tempfile.mkdtemp(prefix="indi-labcheck-"))
        self.cwd = self._scratch / Path(cwd).name
        shutil.copytree(cwd, self.cwd, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        self.nb, self.timeout = nb, timeout
        self.history: list[str] = []  # reference sources run so far, to replay after a restart
        self.restarts = 0
        self._ctx = None
        self.client = None

    def __enter__(self):
        self._start()
        return self

    def __exit__(self, *exc):
        import shutil

        self._stop()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _start(self):
        from nbclient import NotebookClient

        from indi_ops.nbclient_fixes import without_widget_echo

        without_widget_echo()
        self.client = NotebookClient(
            self.nb, timeout=self.timeout, kernel_name="python3", allow_errors=True,
            interrupt_on_timeout=False, resources={"metadata": {"path": str(self.cwd)}})
        self._ctx = self.client.setup_kernel()
        self._ctx.__enter__()
        self._raw(_KERNEL_HELPERS)

    def _stop(self):
        if self._ctx is not None:
            try:
                self._ctx.__exit__(None, None, None)
            except Exception:  # a kernel that died already: nothing left to shut down
                pass
            self._ctx = None

    def _raw(self, source: str, index: int = 0) -> str | None:
        import nbformat

        cell = nbformat.v4.new_code_cell(source)
        saved = self.nb.cells[index]
        self.nb.cells[index] = cell
        try:
            self.client.execute_cell(cell, index, store_history=False)
        finally:
            self.nb.cells[index] = saved
        return _error_text(cell)

    def run(self, source: str, index: int, record: bool = False) -> str | None:
        """Run one cell's source; the error it raised (None if none). ``record``: part of the reference run."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        try:
            error = self._raw(source, index)
        except (CellTimeoutError, DeadKernelError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {'no reply within the cell timeout' if not isinstance(exc, DeadKernelError) else 'the kernel died'}"
            self._restart()
        if record:
            self.history.append(source)
        return error

    def _restart(self):
        self.restarts += 1
        self._stop()
        self._start()
        for source in self.history:
            self._raw(source)

    def snapshot(self):
        error = self._raw("_labcheck_snapshot()")
        if error:
            raise RuntimeError(f"namespace snapshot failed: {error}")
        self.history.append("_labcheck_snapshot()")

    def restore(self):
        error = self._raw("_labcheck_restore()")
        if error:
            raise RuntimeError(f"namespace restore failed: {error}")


def _read(lab: str, labs: Path):
    import nbformat

    path = notebook_path(lab, labs)
    if not path.is_file():
        raise FileNotFoundError(f"no source notebook {path}: run `make labs`")
    return nbformat.read(path, as_version=4)


def check_lab(lab: str, sources: Path = SOURCES, labs: Path = LABS, timeout: float = DEFAULT_TIMEOUT_S,
              log=None, only: list[str] | None = None) -> LabReport:
    """Run one lab's grader checks in one kernel (``only``: just these tasks' variants)."""
    t0 = time.perf_counter()
    nb = _read(lab, labs)
    tasks = tasks_of(nb)
    report = LabReport(lab, tasks)
    by_id = {t.grade_id: t for t in tasks}
    variants: dict[str, list[Variant]] = {}
    folder = checks_dir(lab, sources)
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        if only and path.stem not in only:
            continue
        task = by_id.get(path.stem)
        if task is None:
            report.problems.append(f"{path.name}: no code solution cell has grade_id '{path.stem}' in {lab} "
                                   f"(solution cells: {', '.join(by_id) or 'none'})")
            continue
        if not task.tests:
            report.problems.append(f"{path.name}: solution cell '{path.stem}' has no graded test cell after it")
            continue
        try:
            variants[path.stem] = parse_checks(path)
        except ChecksError as exc:
            report.problems.append(str(exc))
    task_at = {t.index: t for t in tasks}
    test_owner = {i: t for t in tasks for i in t.tests}
    reference: dict[str, Case] = {}
    with _Kernel(nb, notebook_path(lab, labs).parent, timeout) as kernel:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            task = task_at.get(i)
            if task is not None and task.grade_id in variants:
                kernel.snapshot()
                for variant in variants[task.grade_id]:
                    case = _run_variant(kernel, nb, lab, task, variant)
                    report.cases.append(case)
                    if log:
                        log(_row(case))
                    kernel.restore()
            error = kernel.run(cell.source, i, record=True)
            if task is not None and task.tests:
                reference[task.grade_id] = Case(lab, task.grade_id, "reference", "the source's solution")
                if error:
                    reference[task.grade_id].errors[task.grade_id] = error
            owner = test_owner.get(i)
            if owner is not None:
                ref = reference[owner.grade_id]
                gid = _nbg(cell).get("grade_id")
                ref.passed[gid] = error is None
                if error:
                    ref.errors[gid] = error
        report.restarts = kernel.restarts
    for task in tasks:
        ref = reference.get(task.grade_id)
        if ref is not None:
            report.cases.append(ref)
            if not ref.all_pass:
                report.problems.append(f"{task.grade_id}: the source's own solution fails "
                                       f"{[k for k, v in ref.passed.items() if not v]}: {ref.errors}")
    report.seconds = time.perf_counter() - t0
    return report


def _run_variant(kernel: _Kernel, nb, lab: str, task: Task, variant: Variant) -> Case:
    t0 = time.perf_counter()
    case = Case(lab, task.grade_id, variant.kind, variant.label)
    error = kernel.run(variant.code, task.index)
    if error:
        case.errors[task.grade_id] = error
    for i in range(task.index + 1, task.end + 1):
        cell = nb.cells[i]
        if cell.cell_type != "code":
            continue
        error = kernel.run(cell.source, i)
        if is_test(cell):
            gid = _nbg(cell).get("grade_id")
            case.passed[gid] = error is None
            if error:
                case.errors[gid] = error
    case.seconds = time.perf_counter() - t0
    return case


# ------------------------------------------------------------------------------------- slip isolation


@dataclass(frozen=True)
class Leak:
    task: str  # the task whose answer leaks
    name: str  # the name that carries it
    cell: str  # grade id (or "cell <n>") of the later cell that uses it
    via: str  # the chain of names from the answer to the use


def _bound_names(node: ast.AST) -> set[str]:
    """Names a top-level statement binds in the notebook's namespace."""
    names: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    for sub in ast.walk(node):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(sub.id)
        elif isinstance(sub, (ast.Global,)):
            names.update(sub.names)
    return names


def _used_names(node: ast.AST) -> set[str]:
    """Global names a statement reads (names local to a function or comprehension inside it excluded)."""
    used: set[str] = set()

    def visit(n: ast.AST, local: frozenset[str]):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = n.args
            params = {a.arg for a in args.args + args.posonlyargs + args.kwonlyargs}
            params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
            body = n.body if isinstance(n.body, list) else [n.body]
            inner = set(params)
            for stmt in body:
                for sub in ast.walk(stmt):
                    if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                        inner.add(sub.id)
            for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
                visit(default, local)
            for dec in getattr(n, "decorator_list", []):
                visit(dec, local)
            for stmt in body:
                visit(stmt, local | inner)
            return
        if isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            targets = {s.id for g in n.generators for s in ast.walk(g.target) if isinstance(s, ast.Name)}
            for child in ast.iter_child_nodes(n):
                visit(child, local | targets)
            return
        if isinstance(n, (ast.For, ast.AsyncFor)):
            # The loop variable is bound before the body reads it: a tainted name of the same spelling
            # from earlier is not what the body sees.
            targets = {s.id for s in ast.walk(n.target) if isinstance(s, ast.Name)}
            visit(n.iter, local)
            for stmt in n.body + n.orelse:
                visit(stmt, local | targets)
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local:
            used.add(n.id)
        for child in ast.iter_child_nodes(n):
            visit(child, local)

    visit(node, frozenset())
    return used


def _statements(source: str) -> list[ast.stmt]:
    # IPython magics and shell escapes are not Python: leave those lines out of the analysis.
    clean = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        return ast.parse(clean).body
    except SyntaxError:
        return []


def _answer_taint(source: str) -> dict[str, str]:
    """Names a solution cell leaves depending on the student: those bound by the statements holding the
    solution block, and what the cell's later (released) statements compute from them."""
    lines = source.splitlines()
    begin = next((k for k, line in enumerate(lines, 1) if "### BEGIN SOLUTION" in line), None)
    end = next((k for k, line in enumerate(lines, 1) if "### END SOLUTION" in line), None)
    if begin is None:
        return {}
    end = end or len(lines)
    tainted: dict[str, str] = {}
    statements = _statements(source)
    for stmt in statements:
        if stmt.lineno <= end and (stmt.end_lineno or stmt.lineno) >= begin:
            tainted.update({name: name for name in _bound_names(stmt)})
    _flow([s for s in statements if s.lineno > end], tainted, lambda hits: None)
    return tainted


def _names_in(target: ast.AST) -> set[str]:
    return {s.id for s in ast.walk(target) if isinstance(s, ast.Name)}


def _flow(stmts: list[ast.stmt], tainted: dict[str, str], use) -> None:
    """Follow tainted names through statements in order (compound statements: header, then body in order;
    an approximation that ignores a loop's second pass). ``use(hits)`` gets each statement's tainted reads."""

    def bind(names: set[str], hits: list[str]):
        for name in names:
            if hits:
                tainted[name] = f"{tainted[hits[0]]} → {name}"
            else:
                tainted.pop(name, None)

    def reads(node) -> list[str]:
        hits = sorted(_used_names(node) & set(tainted)) if node is not None else []
        if hits:
            use(hits)
        return hits

    for stmt in stmts:
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            bind(_names_in(stmt.target), reads(stmt.iter))
            _flow(stmt.body + stmt.orelse, tainted, use)
        elif isinstance(stmt, (ast.If, ast.While)):
            reads(stmt.test)
            _flow(stmt.body + stmt.orelse, tainted, use)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                hits = reads(item.context_expr)
                if item.optional_vars is not None:
                    bind(_names_in(item.optional_vars), hits)
            _flow(stmt.body, tainted, use)
        elif isinstance(stmt, ast.Try):
            _flow(stmt.body, tainted, use)
            for handler in stmt.handlers:
                _flow(handler.body, tainted, use)
            _flow(stmt.orelse + stmt.finalbody, tainted, use)
        else:
            bind(_bound_names(stmt), reads(stmt))


def slip_leaks(nb) -> list[Leak]:
    """Uses of a task's answer by any later task's cells (solution or test), directly or through names
    computed from it. The task's own cells (up to the next code solution cell) may use it; what they
    compute from it is followed. Rebinding a name from clean inputs ends the trail."""
    tasks = tasks_of(nb)
    leaks: list[Leak] = []
    for k, task in enumerate(tasks):
        later_start = tasks[k + 1].index if k + 1 < len(tasks) else len(nb.cells)
        tainted = _answer_taint(nb.cells[task.index].source)
        seen: set[str] = set()
        for i in range(task.index + 1, len(nb.cells)):
            cell = nb.cells[i]
            if cell.cell_type != "code":
                continue
            where = _nbg(cell).get("grade_id") or f"cell {i}"
            report = i >= later_start and (is_test(cell) or is_code_solution(cell))

            def use(hits, where=where, report=report, seen=seen, tainted=tainted, task=task):
                if report and where not in seen:
                    seen.add(where)
                    name = min(hits, key=lambda n: (tainted[n].count("→"), n))  # the shortest trail
                    leaks.append(Leak(task.grade_id, name, where, tainted[name]))

            _flow(_statements(cell.source), tainted, use)
    return leaks


@dataclass
class BlankResult:
    task: str
    own_failed: list[str]  # the task's own tests that fail when it is left blank
    collateral: list[str]  # other tests that fail only because this task is blank

    @property
    def isolated(self) -> bool:
        return not self.collateral


def _run_all(nb, cwd: Path, timeout: float, blank: Task | None = None) -> dict[str, bool]:
    """Run a whole notebook in a fresh kernel (one task stubbed as in the release): test id → passed."""
    results: dict[str, bool] = {}
    with _Kernel(nb, cwd, timeout) as kernel:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            source = stub_solution(cell.source) if blank is not None and i == blank.index else cell.source
            error = kernel.run(source, i, record=True)
            if is_test(cell):
                results[_nbg(cell).get("grade_id", f"cell{i}")] = error is None
    return results


def blank_check(lab: str, labs: Path = LABS, timeout: float = DEFAULT_TIMEOUT_S,
                tasks: list[str] | None = None, log=None, baseline: dict[str, bool] | None = None,
                workers: int | None = None) -> list[BlankResult]:
    """For each autograded task: leave it as the release's stub, run the whole lab, list what else fails.

    ``baseline``: test id → passed with every reference solution in place (e.g. :meth:`LabReport.baseline`
    of the same lab's grader check); run here when not given. The runs are independent (a kernel and a
    scratch folder each), so ``workers`` of them run at once (default: one per core)."""
    import copy
    import os
    from concurrent.futures import ThreadPoolExecutor

    nb = _read(lab, labs)
    cwd = notebook_path(lab, labs).parent
    baseline = baseline if baseline is not None else _run_all(nb, cwd, timeout)
    todo = [task for task in tasks_of(nb) if task.tests and (not tasks or task.grade_id in tasks)]
    workers = workers or len(os.sched_getaffinity(0))

    def run_blank(task: Task) -> dict[str, bool]:
        return _run_all(copy.deepcopy(nb), cwd, timeout, blank=task)  # _Kernel swaps cells in its notebook

    out = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
        for task, results in zip(todo, pool.map(run_blank, todo), strict=True):
            own = [t for t in task.test_ids if not results.get(t, False)]
            collateral = [t for t, ok in results.items() if not ok and baseline.get(t) and t not in task.test_ids]
            out.append(BlankResult(task.grade_id, own, collateral))
            if log:
                log(f"{lab:<20} blank {task.grade_id:<28} own tests failing {len(own)}/{len(task.test_ids)}"
                    + (f"; ALSO FAILS {', '.join(collateral)}" if collateral else "; nothing else fails"))
    return out


# ------------------------------------------------------------------------------------------- report


def _row(case: Case) -> str:
    failed = [k for k, v in case.passed.items() if not v]
    detail = f"fails {', '.join(failed)}" if failed else "passes all"
    if case.verdict != "ok" and case.errors:
        detail += f" ({next(iter(case.errors.values()))[:120]})"
    return (f"{case.lab:<20} {case.task:<28} {case.kind:<9} {case.verdict.upper() if case.verdict != 'ok' else 'ok':<10}"
            f" {case.seconds:6.1f}s  {case.label[:60]:<60} {detail}")


def print_report(report: LabReport, out=sys.stdout) -> None:
    print(f"\n{report.lab}: {len(report._variants())} variants, {len(report.false_fails)} false fails, "
          f"{len(report.false_passes)} false passes, {report.seconds:.1f} s"
          + (f", {report.restarts} kernel restarts" if report.restarts else ""), file=out)
    for task, n in report.counts().items():
        short = " (needs ≥ 1 correct and ≥ 2 mistakes)" if n["correct"] < 1 or n["mistake"] < 2 else ""
        print(f"  {task:<28} correct {n['correct']}  mistakes {n['mistake']}{short}", file=out)
    for problem in report.problems:
        print(f"  PROBLEM: {problem}", file=out)


def summarise(report: LabReport, leaks: list[Leak], out=sys.stdout) -> int:
    """Print a lab's summary, problems and slips; 1 if any variant disagrees with the graders, else 0."""
    print_report(report, out)
    for leak in leaks:
        print(f"  SLIP: {leak.task}'s answer reaches {leak.cell} through {leak.via}", file=out)
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m indi_ops.labcheck", description=__doc__.split("\n\n")[0])
    ap.add_argument("labs", nargs="*", help="lab ids (default: every lab with a lab_sources/<id>_checks/ folder)")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="per-cell timeout in seconds")
    ap.add_argument("--blank", action="store_true",
                    help="also leave each task blank in turn and list later tests that fail (one kernel per task)")
    ap.add_argument("--sources", type=Path, default=SOURCES, help="folder of text sources and *_checks folders")
    ap.add_argument("--labs-dir", type=Path, default=LABS, help="folder of lab notebooks (<id>/<id>.ipynb)")
    ap.add_argument("--task", action="append", help="only this task's variants (a solution grade id; repeatable)")
    args = ap.parse_args(argv)
    chosen = args.labs or labs_with_checks(args.sources)
    if not chosen:
        print(f"no lab has a checks folder in {args.sources} (<lab_id>_checks/<grade_id>.py)", file=sys.stderr)
        return 2
    status = 0
    log = functools.partial(print, flush=True)  # rows appear while a long lab runs
    for lab in chosen:
        try:
            report = check_lab(lab, args.sources, args.labs_dir, args.timeout, log=log, only=args.task)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        status |= summarise(report, slip_leaks(_read(lab, args.labs_dir)))
        if args.blank:
            results = blank_check(lab, args.labs_dir, args.timeout, log=log, baseline=report.baseline())
            share = sum(r.isolated for r in results) / max(len(results), 1)
            print(f"  slip isolation: {share:.2f} of {len(results)} tasks cost only their own points")
    return status


if __name__ == "__main__":
    sys.exit(main())
