"""`make start` really serves JupyterLab on the course: 127.0.0.1, landing page, no news, our kernel."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from conftest import REPO


@pytest.mark.slow
def test_make_start_serves_the_course(tmp_path):
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "BROWSER": "true"}
    proc = subprocess.Popen(["make", "start"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    output, url = [], None
    try:
        deadline = time.time() + 240
        while time.time() < deadline and url is None:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line)
            m = re.search(r"(http://127\.0\.0\.1:\d+)(/\S*)\?token=(\w+)", line)
            if m:
                url = m
        assert url, "JupyterLab did not start:\n" + "".join(output[-40:])
        base, landing, token = url.groups()
        assert landing == "/lab/tree/START_HERE.md"
        headers = {"Authorization": f"token {token}"}

        def get(path):
            return urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=30)

        for _ in range(30):  # the URL is printed a moment before the socket accepts
            try:
                assert get("/lab/tree/START_HERE.md").status == 200
                break
            except urllib.error.URLError:
                time.sleep(1)
        else:
            raise AssertionError("JupyterLab printed its URL but does not answer:\n" + "".join(output[-20:]))
        import json

        specs = json.load(get("/api/kernelspecs"))
        assert str(REPO / ".venv" / "bin" / "python") in specs["kernelspecs"]["python3"]["spec"]["argv"][0]
        notification = json.load(get("/lab/api/settings/@jupyterlab/apputils-extension:notification"))
        assert notification["schema"]["properties"]["fetchNews"]["default"] == "false"
        assert get("/api/contents/START_HERE.md").status == 200  # served from the repository root
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
