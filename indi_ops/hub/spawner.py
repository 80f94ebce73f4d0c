"""The class hub's spawner: LocalProcessSpawner (one process per system user) plus role, content and memory."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from indi_ops.hub.accounts import members
from indi_ops.hub.cgroups import memory_cgroup
from indi_ops.hub.content import deliver_content
from indi_ops.hub.settings import parse_bytes

VENV_BIN = Path(sys.prefix) / "bin"
LISTEN_POLL_S = 0.1  # how often a starting server's port is tried (a refused local connect costs microseconds)


def make_spawner_class(s):
    from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

    class CourseSpawner(LocalProcessSpawner):
        """Instructors get the grader tools and the course folder; students the course pages in their home."""

        def is_instructor(self) -> bool:
            return self.user.name in members(s.grader_group)

        async def start(self):
            name = self.user.name
            instructor = self.is_instructor()
            role = "instructor" if instructor else "student"
            self.environment = {
                **self.environment,
                "JUPYTER_CONFIG_PATH": str(s.config_dir(role)),
                "OMP_NUM_THREADS": "1",  # 30 people share 2 cores: one thread per kernel
                "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
                "INDI_COURSE_ROLE": role,
            }
            if s.data_dir is not None:
                self.environment["INDI_DATA_DIR"] = str(s.data_dir)
            if instructor:
                self.notebook_dir = str(s.course_root)  # formgrader needs the course inside the server root
                self.default_url = "/lab"
            else:
                self.notebook_dir = ""
                self.default_url = f"/lab/tree/{s.content_dir_name}/START_HERE.md"
                # written by a child running as the student (never through their links); off the event loop
                t0 = time.perf_counter()
                n = await asyncio.get_running_loop().run_in_executor(None, deliver_content, s, name)
                self.log.info("course content for %s: %d new files in %.2f s", name, n, time.perf_counter() - t0)
            self._umask = 0o007 if instructor else 0o077
            self._cgroup_procs = None
            limit = parse_bytes(s.instructor_mem_limit) if instructor else self.mem_limit
            if limit:
                self._cgroup_procs = memory_cgroup(s.cgroup_name, name, int(limit))
                if self._cgroup_procs is None:
                    self.log.warning("memory limit for %s not enforced: no writable memory cgroup", name)
            t0 = time.perf_counter()
            url = await super().start()
            await self._wait_listening()
            self.log.info("server of %s listening after %.2f s", name, time.perf_counter() - t0)
            return url

        async def _wait_listening(self) -> None:
            """Return as soon as the new server accepts connections (or has exited).

            The hub then asks it once and finds it up; left to itself, the hub polls with an exponential
            back-off whose random waits grow to 5 s, which added a second or more to every spawn."""
            ip, port = self.ip or "127.0.0.1", self.port
            deadline = time.monotonic() + self.http_timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    _reader, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), 1)
                except (TimeoutError, OSError):
                    await asyncio.sleep(LISTEN_POLL_S)
                    continue
                writer.close()
                return
            # exited or never listened: the hub's own wait reports it as usual

        def make_preexec_fn(self, name):
            drop_privileges = set_user_setuid(name)
            procs = getattr(self, "_cgroup_procs", None)
            umask = getattr(self, "_umask", 0o077)

            def preexec():
                if procs is not None:  # still root here: join the user's memory cgroup, then drop to the user
                    with open(procs, "w") as fh:
                        fh.write(str(os.getpid()))
                os.umask(umask)
                drop_privileges()

            return preexec

    return CourseSpawner
