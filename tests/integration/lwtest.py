# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by the integration tests that run the demo (etc/demo): its scripted provider
server (serve.py) and its configuration (labourwatch.yaml.in)."""

import os
import subprocess
import time

PY = "/usr/bin/python3"


def stop_process(proc):
    """SIGTERM, up to 10 s, then SIGKILL; closes the pipes it was given."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


def start_demo_server(demo, work, token_file, log, stdout=subprocess.PIPE):
    """Starts etc/demo/serve.py on a free port (its --port-file in work) and returns (process, port)."""
    port_file = os.path.join(work, "port")
    proc = subprocess.Popen(
        [PY, os.path.join(demo, "serve.py"), "--data", os.path.join(demo, "data"), "--token-file",
         token_file, "--port-file", port_file, "--log", log],
        stdout=stdout, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not (os.path.exists(port_file) and os.path.getsize(port_file) > 0):
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            err = proc.stderr.read()
            stop_process(proc)
            raise RuntimeError("the demo server did not start: " + err)
        time.sleep(0.05)
    with open(port_file, encoding="utf-8") as f:
        return proc, int(f.read())


def write_demo_config(demo, work, port, source_dir):
    """Writes work/labourwatch.yaml from the demo's template and returns its path."""
    with open(os.path.join(demo, "labourwatch.yaml.in"), encoding="utf-8") as f:
        conf = f.read()
    for k, v in {"@PORT@": str(port), "@DATA@": os.path.join(demo, "data"), "@WORK@": work,
                 "@GOALS@": os.path.join(source_dir, "etc", "goals.d")}.items():
        conf = conf.replace(k, v)
    config = os.path.join(work, "labourwatch.yaml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(conf)
    return config
