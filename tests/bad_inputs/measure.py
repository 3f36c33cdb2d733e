"""Run a command and measure its wall time, CPU time and the peak memory of its largest process.

Linux counts in a process's peak RSS the memory of the process it was forked
from (`exec` keeps the old high-water mark), so a command started straight
from a big process (pytest, a benchmark with the pipeline loaded) would
report that process's size.  The command is therefore started from a small
launcher process, and the launcher reports what `wait4` says about it: the
peak RSS of the command or of any of its workers, whichever is largest.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

_LAUNCHER = """
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"exit_code": os.waitstatus_to_exitcode(status), "peak_kb": usage.ru_maxrss,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime}))
"""


@dataclass
class Measured:
    exit_code: int
    peak_mb: float     # the largest process's peak RSS
    seconds: float     # wall time
    cpu_seconds: float  # user and system time of the command and all its workers


def run_measured(command: list[str], **popen: Any) -> Measured:
    """Run `command`: its standard output is discarded, its standard error goes where `popen` says
    (`stderr=`), and `popen` may also set `cwd` and `env`."""
    started = time.perf_counter()
    launcher = subprocess.run([sys.executable, "-c", _LAUNCHER, *command], stdout=subprocess.PIPE,
                              text=True, check=True, **popen)
    report = json.loads(launcher.stdout.strip().splitlines()[-1])
    return Measured(report["exit_code"], report["peak_kb"] / 1024, time.perf_counter() - started,
                    report["cpu_seconds"])
