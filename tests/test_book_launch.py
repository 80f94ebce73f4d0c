"""Launch that works or is absent, and a self-learner install path without `make`.

From the self-learner's side: every command on book/start/self_learners.md names files that exist and
installs exactly what the Makefile installs; the built book (session fixture ``built_book``) shows no
launch button, placeholder or made-up address while _config.yml names no public repository.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "start" / "self_learners.md"


def _blocks(lang: str) -> list[list[str]]:
    text = PAGE.read_text(encoding="utf-8")
    return [[ln for ln in b.strip().split("\n") if ln.strip()]
            for b in re.findall(rf"^```{lang}\n(.*?)^```", text, re.M | re.S)]


def _ext():
    spec = importlib.util.spec_from_file_location("indi_book", REPO / "book" / "_ext" / "indi_book.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _makefile_pip_lines() -> list[list[str]]:
    """The Makefile's set-up pip installs, without its quiet/progress flags and venv prefix."""
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    runtime = make.split("$(VENV)/.runtime:", 1)[1].split("@touch", 1)[0]
    noise = {"--quiet", "--disable-pip-version-check"}
    return [[a for a in shlex.split(ln.split("pip install", 1)[1]) if a not in noise]
            for ln in runtime.splitlines() if "pip install" in ln]


def _pip_args(line: str) -> list[str]:
    return shlex.split(line.split("pip install", 1)[1])


def test_the_pip_path_installs_what_make_start_installs():
    linux, conda = _blocks("bash")[:2]
    windows = _blocks("powershell")[0]
    expected = _makefile_pip_lines()
    assert len(expected) == 2, "the Makefile's set-up changed: update self_learners.md and this test"
    assert [_pip_args(ln) for ln in linux if "pip install" in ln] == expected
    assert [_pip_args(ln) for ln in windows if "pip install" in ln] == expected
    # conda/mamba gets the requirements from environment.yml, then installs the course package the same way
    assert [_pip_args(ln) for ln in conda if "pip install" in ln] == expected[1:]
    # Windows runs the same steps as Linux, with the Windows venv layout
    assert len(windows) == len(linux)
    for lin, win in zip(linux[1:], windows[1:], strict=True):
        assert win.replace(".venv\\Scripts\\", ".venv/bin/") == lin


def test_every_file_and_command_the_page_names_exists():
    text = PAGE.read_text(encoding="utf-8")
    for name in ("constraints.txt", "requirements.txt", "environment.yml", "START_HERE.md"):
        assert name in text and (REPO / name).is_file(), name
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    assert f"activate {env['name']}" in text, "mamba activate must name the environment.yml environment"
    scripts = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'indi-data = "indi.data:main"' in scripts
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    kernel = next(ln.strip() for ln in make.splitlines() if "ipykernel install" in ln)
    kernel = kernel.split(" >", 1)[0].replace("$(BIN)/python", "").strip()
    for block in _blocks("bash")[:2] + _blocks("powershell"):
        assert any(ln.endswith(kernel) for ln in block), f"kernel line differs from the Makefile's: {kernel}"
    assert "--LabApp.default_url=/lab/tree/START_HERE.md" in make


@pytest.mark.parametrize("options, wrong", [
    ({"launch_buttons": {"jupyterhub_url": "https://hub.indi-lab.example"},
      "repository_url": "https://github.com/a/b"}, "not a real https address"),
    ({"launch_buttons": {"binderhub_url": "https://mybinder.org"}, "repository_url": ""}, "need the public repository"),
    ({"launch_buttons": {"jupyterhub_url": "https://hub.school.se"}, "repository_url": "<the course repository>"},
     "need the public repository"),
])
def test_incoherent_launch_settings_stop_the_build_with_a_message(options, wrong):
    assert wrong in _ext().launch_problem(options)


def test_coherent_launch_settings_pass():
    ext = _ext()
    assert ext.launch_problem({"launch_buttons": {"binderhub_url": "", "jupyterhub_url": ""},
                               "repository_url": ""}) is None
    assert ext.launch_problem({"launch_buttons": {"binderhub_url": "https://mybinder.org"},
                               "repository_url": "https://github.com/org/course"}) is None


def test_the_repository_default_is_unset():
    cfg = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert not cfg["repository"]["url"] and not any(
        v for k, v in cfg["launch_buttons"].items() if k.endswith("_url")), \
        "the shipped book names no hub or repository until a real public one exists"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.urls: list[str] = []
        self.classes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        self.urls += [attrs[k] for k in ("href", "src") if attrs.get(k)]
        self.classes += (attrs.get("class") or "").split()

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


# "<the course repository>" stands in for something missing; "<lab>.ipynb" or "report_<year>.md" is a
# file-name template (the angle brackets touch a path or name), which is fine.
PLACEHOLDER = re.compile(r"(?<![/_.\w])<(?:the |your |a )?[a-z][a-z _-]{2,40}>(?![/_.\w])", re.I)


def test_built_book_has_no_launch_button_placeholder_made_up_address_or_machine_path(built_book):
    problems = []
    for page in sorted(built_book.rglob("*.html")):
        if "_static" in page.parts:
            continue
        p = _Page()
        p.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(built_book).as_posix()
        text = " ".join(p.text)
        for m in PLACEHOLDER.finditer(text):
            problems.append(f"{name}: placeholder {m.group(0)!r}")
        for url in p.urls:
            if ".example" in url or "indi-lab/indi-lab" in url or "/v2/gh/" in url or "git-pull" in url:
                problems.append(f"{name}: link {url}")
        for m in re.finditer(r"(?<![\w.])/(?:tmp|work|home|root)/\S+", text):
            problems.append(f"{name}: a machine path {m.group(0)!r}")
        if ".example" in text:
            problems.append(f"{name}: '.example' address in the text")
        if any("launch" in c for c in p.classes):
            problems.append(f"{name}: a launch button although no repository is set")
    assert not problems, "\n".join(problems[:30])
    launch = (built_book / "book" / "start" / "launch.html").read_text(encoding="utf-8")
    assert "No launch buttons: this copy names no public repository" in launch
