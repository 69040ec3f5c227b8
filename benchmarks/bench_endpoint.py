"""Local endpoint figures: session start, and statement round trips through sparkmagic.

Starts kit's local Livy endpoint on 127.0.0.1 (in this process's threads), then sparkmagic's
PySpark kernel (jupyter_client) configured for it, and times cells from submit to result: a
trivial statement, and the example job's transform (orders_by_month) on its sample data.
Run: ``.venv/bin/python -m benchmarks endpoint`` (or ``benchmarks/bench_endpoint.py [REPEATS]``).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


TOKEN = "bench-endpoint-token"
HEADERS = {"Content-Type": "application/json", "X-Requested-By": "bench", "X-Kit-Token": TOKEN}


def _livy(url: str, method: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=60) as resp:
        return json.loads(resp.read())


def _rest_session_start(url: str) -> float:
    """POST /sessions until idle, over plain REST."""
    started = time.perf_counter()
    session = _livy(url, "POST", "/sessions", {"kind": "pyspark"})
    while _livy(url, "GET", f"/sessions/{session['id']}")["state"] != "idle":
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    _livy(url, "DELETE", f"/sessions/{session['id']}")
    return seconds


def _cell(client, code: str) -> float:
    """Seconds from execute to the kernel's reply; raises if the cell failed."""
    started = time.perf_counter()
    reply = client.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
    seconds = time.perf_counter() - started
    if reply["content"]["status"] != "ok":
        raise SystemExit(f"cell failed: {code[:60]!r}: {reply['content'].get('evalue')}")
    return seconds


def main(repeats: int = 10) -> None:
    warnings.simplefilter("ignore")
    import nbformat
    from jupyter_client.manager import start_new_kernel

    from kit.endpoints import server, sparkmagic_conf

    root = Path(tempfile.mkdtemp(prefix="kit-bench-endpoint-"))
    try:
        shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
        shutil.copytree(REPO / "data", root / "data")
        livy = server.make_server(root, port=0, state_dir=root / ".kit", token=TOKEN)
        thread = server.start_in_thread(livy)
        rest_start = _rest_session_start(livy.url)

        conf = sparkmagic_conf.write_config(root / "sparkmagic", livy.url,
                                            {"all_errors_are_fatal": True, "use_auto_viz": False},
                                            token=TOKEN)
        sparkmagic_conf.install_kernels(root / "jupyter" / "kernels")
        os.environ.update(SPARKMAGIC_CONF_DIR=str(conf.parent),
                          JUPYTER_PATH=str(root / "jupyter"))
        manager, client = start_new_kernel(kernel_name="pysparkkernel")
        try:
            first = _cell(client, "spark.version")  # creates the Livy session
            nb = nbformat.read(REPO / "notebooks" / "orders_by_month.ipynb", as_version=4)
            setup = [c.source for c in nb.cells
                     if c.cell_type == "code" and "job" in c.metadata.get("tags", [])][:2]
            for source in setup:
                _cell(client, source)
            _cell(client, "customers = spark.read.csv(args['customers_path'], header=True, "
                          "schema=CUSTOMERS_SCHEMA).cache()\norders = spark.read.csv("
                          "args['orders_path'], header=True, schema=ORDERS_SCHEMA).cache()\n"
                          "customers.count() + orders.count()")
            trivial = [_cell(client, "1 + 1") for _ in range(repeats)]
            transform = [
                _cell(client, "len(monthly_totals(orders_with_country(orders, "
                              "filter_adults(customers))).collect())")
                for _ in range(repeats)
            ]
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=False)
        server.shutdown(livy, thread)
        print("kit endpoint local (127.0.0.1), sparkmagic pysparkkernel, local[*] Spark")
        print(f"  session start, REST (POST -> idle):        {rest_start:6.2f}s")
        print(f"  session start, sparkmagic first cell:      {first:6.2f}s")
        for label, times in (("trivial statement (1 + 1)", trivial),
                             ("example transform (collect)", transform)):
            print(f"  {label:<28} median {statistics.median(times) * 1000:7.0f} ms"
                  f"  min {min(times) * 1000:7.0f} ms  (n={len(times)})")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
