"""Start, watch and stop the operating-system process of one execution environment."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

LOG = logging.getLogger(__name__)

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
LOG_TAIL_BYTES = 64 * 1024
STOP_GRACE_SECONDS = 2.0


@dataclass
class EnvironmentProcess:
    """A running bootstrap process and the loopback port it accepts invocations on."""

    popen: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def exit_code(self) -> int | None:
        """Return the exit code, or None while the process runs."""
        return self.popen.poll()

    def stop(self) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after a short grace period."""
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        except ProcessLookupError:
            self.popen.wait()

    def log_tail(self) -> str:
        """Return the end of the process's own output (what it wrote outside invocations too)."""
        try:
            with self.log_path.open("rb") as handle:
                handle.seek(max(0, self.log_path.stat().st_size - LOG_TAIL_BYTES))
                return handle.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""


def build_process_env(
    env_vars: dict[str, str], task_root: Path, opt_dir: Path | None, tmp_dir: Path
) -> dict[str, str]:
    """Build the environment of a function process: the function's variables and Lambda's paths.

    LocalStack's own environment is not inherited, so the function gets only its own settings.
    """
    path = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
    env = {"PATH": path, "LANG": "C.UTF-8", "TMPDIR": str(tmp_dir), "HOME": str(tmp_dir)}
    if opt_dir is not None:
        env["PATH"] = f"{opt_dir / 'bin'}:{path}"
        env["LD_LIBRARY_PATH"] = str(opt_dir / "lib")
    env.update({key: str(value) for key, value in env_vars.items()})
    # LocalStack passes the container paths, so point them at the unpacked code on this host.
    env["LAMBDA_TASK_ROOT"] = str(task_root)
    env["LAMBDA_RUNTIME_DIR"] = str(BOOTSTRAP.parent)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def spawn(
    python: str, env: dict[str, str], task_root: Path, opt_dir: Path | None, work_dir: Path
) -> EnvironmentProcess:
    """Start the bootstrap on a fresh loopback socket that it inherits, so no port can be lost."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    command = [python, "-P", str(BOOTSTRAP), "--listen-fd", str(listener.fileno())]
    command += ["--task-root", str(task_root)]
    if opt_dir is not None:
        command += ["--opt-dir", str(opt_dir)]
    log_path = work_dir / "process.log"
    try:
        with log_path.open("ab") as log_file:
            popen = subprocess.Popen(
                command,
                env=env,
                cwd=task_root,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),),
                start_new_session=True,
            )
    finally:
        listener.close()
    # Lets `churnops local down` find processes left behind if LocalStack was killed.
    (work_dir / "pid").write_text(f"{popen.pid}\n")
    LOG.debug("Started function process %d on 127.0.0.1:%d: %s", popen.pid, port, command)
    return EnvironmentProcess(popen=popen, port=port, log_path=log_path)


def remove_dir(path: Path) -> None:
    """Delete a work directory, logging instead of raising, since stop must not fail on it."""
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        LOG.warning("Could not remove environment directory %s: %s", path, exc)
