# INDI Lab — the course's commands. Thin wrappers: each target says what it runs.
#   make start   set up (venv, packages, kernel, data check), then JupyterLab on the course
#   make test    the same set-up plus test packages, then the whole pytest suite (CI runs this)
#   make book    the HTML book in _build/html, Swedish edition in _build/html/sv (warnings are errors)
#   make bench   performance table, written to _build/bench.json (CLASS=30: the full class)
#   make hub     a class JupyterHub on 127.0.0.1 (see hub/README.md)
#   make labs    write labs/<id>/<id>.ipynb from the text sources lab_sources/<id>.md (after editing a lab)
# Teacher's path (nbgrader, configured in nbgrader_config.py): release, collect | collect-folder, autograde,
#   feedback, return-feedback, export (book/start/teachers.md).

SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Every recipe sees the venv's tools first (jupyter, nbgrader, pytest…).
export PATH := $(BIN):$(PATH)
# Jupyter as root (CI, containers) needs --allow-root; a normal user must not get it.
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB ?=

.PHONY: help setup setup-test start test book bench hub labs lint lock system-deps data-check \
        release release-hub collect collect-folder autograde feedback return-feedback export clean

help:
	@sed -n '2,9p' Makefile | sed 's/^# //'

# ---------------------------------------------------------------- set-up (idempotent: stamps)
# After every install into the venv:
# - rfc3987-syntax (pulled in by jsonschema[format-nongpl]) builds ~35 Earley parsers whenever jsonschema is
#   imported: 1.3 s of CPU in every Jupyter server, nbgrader and book command. No Jupyter schema uses the
#   "iri" formats it checks; without it jsonschema skips them (pip check stays clean).
# - bytecode for everything users import, written now: on a hub the venv and the course are root's, so a
#   student's process can neither write a missing .pyc nor reuse one (it would recompile at every import).
define slim_venv
$(BIN)/pip uninstall --quiet --disable-pip-version-check -y rfc3987-syntax
$(BIN)/python -m compileall -q -j 0 $(VENV)/lib indi
endef

$(VENV)/.runtime: requirements.txt constraints.txt pyproject.toml hub/lab-overrides.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	# The kernel notebooks ask for ("python3") must be this venv's Python, whatever else is installed.
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (INDI Lab)" >/dev/null
	# JupyterLab defaults for the course: no news prompt, Markdown opens rendered.
	install -D -m 644 hub/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(slim_venv)
	@touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-test.txt
	$(slim_venv)
	@touch $@

setup: $(VENV)/.runtime

setup-test: $(VENV)/.test

data-check: setup
	@$(BIN)/indi-data check || echo "WARNING: some data is not available yet (see above); labs that need it will say so."

# ---------------------------------------------------------------- the two commands
start: setup data-check
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/START_HERE.md $(ALLOW_ROOT)

# Every core (pytest-xdist); tests that share a resource run in one worker (tests/conftest.py).
TEST_WORKERS ?= auto
test: setup-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

# ---------------------------------------------------------------- book, benchmark, hub
book: setup
	$(BIN)/indi-ops book build

# CLASS=30: the full class (30 students × every lab graded, 30 hub users); default a small class (≤ 20 min).
CLASS ?=
bench: setup-test
	$(if $(CLASS),INDI_BENCH_CLASS=$(CLASS)) $(BIN)/indi-ops bench

hub: setup
	$(BIN)/indi-ops hub serve

# A lab's source of truth is its text notebook; the .ipynb nbgrader reads is written from it.
labs: setup
	$(BIN)/indi-ops labs sync

lint: setup-test
	$(BIN)/ruff check .

# Rewrite the full lock from a fresh venv (maintainers only; commit the result).
lock:
	rm -rf /tmp/indi-lock && $(PYTHON) -m venv /tmp/indi-lock
	/tmp/indi-lock/bin/pip install --quiet -r requirements.txt -r requirements-test.txt
	/tmp/indi-lock/bin/pip freeze --exclude-editable > constraints.txt

# Debian packages for the browser and database tests (CI, a fresh machine; needs root).
system-deps:
	bash .ci/system-deps.sh

# ---------------------------------------------------------------- teacher's path (nbgrader)
# One command per step; book/start/teachers.md explains them. Students' code is graded in a sandbox
# (indi_ops/grading/sandbox.py: bubblewrap, no network, own folder, CPU/memory limits).
FOLDER ?=
ROSTER ?=
TO ?=
lab_required = @test -n "$(LAB)" || { echo "usage: make $@ LAB=<lab id, a folder in labs/>"; exit 2; }

# Release also computes what the lab caches (image features) once, not in every student's grading sandbox.
release: setup
	$(lab_required)
	$(BIN)/nbgrader generate_assignment $(LAB) --force
	@$(BIN)/indi-ops grade prepare $(LAB) || echo "WARNING: the release is made, but the lab's notebook did not run "\
	  "(see above): fix it before grading; until then each grading sandbox computes what the lab needs itself."
	@echo "student version in grading/release/$(LAB)/ (upload it to your platform, or: make release-hub LAB=$(LAB))"

release-hub: release
	$(BIN)/nbgrader release_assignment $(LAB) --force

collect: setup
	$(lab_required)
	$(BIN)/nbgrader collect $(LAB)

collect-folder: setup
	$(lab_required)
	@test -n "$(FOLDER)" -a -n "$(ROSTER)" || { echo "usage: make collect-folder LAB=<id> FOLDER=<download folder> ROSTER=<roster.csv>"; exit 2; }
	$(BIN)/indi-ops grade collect-folder $(LAB) "$(FOLDER)" "$(ROSTER)"

# WORKERS: students graded at once (default: one per core, fewer if the kernels' memory does not fit).
WORKERS ?=
autograde: setup
	$(lab_required)
	$(BIN)/indi-ops grade autograde $(LAB) $(if $(WORKERS),--workers $(WORKERS))

feedback: setup
	$(lab_required)
	$(BIN)/indi-ops grade feedback $(LAB) $(if $(WORKERS),--workers $(WORKERS))

return-feedback: setup
	$(lab_required)
	$(BIN)/indi-ops grade return-feedback $(LAB) $(if $(TO),--to "$(TO)")

export: setup
	$(BIN)/nbgrader export --to grading/grades.csv
	@echo "grades written to grading/grades.csv"

clean:
	rm -rf _build
