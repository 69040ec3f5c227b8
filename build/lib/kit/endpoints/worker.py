"""The per-session Python interpreter of the local endpoint (runs as its own process).

One worker per Livy session keeps sessions isolated: each has its own namespace and its own Spark
driver, and a crash (``os._exit``, a segfault, an OOM kill) ends only that session. It talks to the
server over two pipes given on the command line (one JSON object per line); its stdout and stderr
are the session log, as a Livy driver's are.

A cancel arrives on a third pipe and is handled on a thread: it cancels the session's Spark jobs
and raises ``KeyboardInterrupt`` in the statement once it is back in Python code (never inside a
Py4J call, which would break the JVM connection), repeating until the statement ends.

Statements run like Livy's PySpark REPL: every top-level statement executes, the value of a final
expression is shown, printed output is the result (``text/plain``); an exception becomes
``status: error`` with ``ename``/``evalue``/``traceback``.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import ctypes
import io
import json
import os
import sys
import threading
import time
import traceback
from typing import Any

_FILENAME = "<stdin>"


def execute_python(code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Run ``code`` in ``namespace`` and return a Livy statement output.

    A last line ``%json EXPR`` or ``%matplot EXPR`` is one of Livy's magics (sparkmagic's
    ``%matplot plt`` sends it): the value as ``application/json``, or the figure as ``image/png``.
    """
    lines = code.rstrip().splitlines()
    if lines and lines[-1].lstrip().startswith("%"):
        output = _execute("\n".join(lines[:-1]), namespace)
        if output["status"] != "ok":
            return output
        return _magic(lines[-1].strip()[1:], namespace, output["data"]["text/plain"])
    return _execute(code, namespace)


def _magic(line: str, namespace: dict[str, Any], printed: str) -> dict[str, Any]:
    name, _, expression = line.partition(" ")
    try:
        if name not in ("json", "matplot"):
            raise NameError(f"Unknown magic command '%{name}'; Livy supports %json and %matplot")
        value = eval(compile(expression.strip() or "None", _FILENAME, "eval"), namespace)
        if name == "json":
            return {"status": "ok", "data": {"application/json": json.loads(json.dumps(value)),
                                             "text/plain": printed}}
        figure = value.gcf() if hasattr(value, "gcf") else value
        png = io.BytesIO()
        figure.savefig(png, format="png")
        encoded = base64.b64encode(png.getvalue()).decode("ascii")
        return {"status": "ok", "data": {"image/png": encoded, "text/plain": printed}}
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001
        return _error(exc)


def _execute(code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    stdout = io.StringIO()
    try:
        tree = ast.parse(code, filename=_FILENAME, mode="exec")
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = tree.body[:-1] if last is not None else tree.body
        with contextlib.redirect_stdout(stdout):
            exec(compile(ast.Module(body=body, type_ignores=[]), _FILENAME, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), _FILENAME, "eval"), namespace)
                if value is not None:
                    namespace["_"] = value
                    print(repr(value))
    except BaseException as exc:  # noqa: BLE001 - user code may raise anything, even SystemExit
        if isinstance(exc, KeyboardInterrupt):
            raise
        return _error(exc)
    return {"status": "ok", "data": {"text/plain": stdout.getvalue().rstrip("\n")}}


def execute_sql(code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Run ``code`` as Spark SQL (Livy's ``sql`` kind): rows as ``application/json``."""
    try:
        frame = namespace["spark"].sql(code)
        rows = [list(row) for row in frame.collect()]
        table = {"schema": json.loads(frame.schema.json()), "data": rows}
        return {"status": "ok", "data": {"application/json": table, "text/plain": repr(rows)}}
    except Exception as exc:  # noqa: BLE001
        return _error(exc)


def _error(exc: BaseException) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)
    user = [f for f in frames if f.filename != __file__]
    lines = traceback.format_list(user) + traceback.format_exception_only(type(exc), exc)
    return {
        "status": "error",
        "ename": type(exc).__name__,
        "evalue": str(exc),
        "traceback": ["Traceback (most recent call last):\n", *lines],
    }


def _start_spark(namespace: dict[str, Any], app_name: str) -> dict[str, Any]:
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName(app_name).getOrCreate()
    sc = spark.sparkContext
    namespace.update(spark=spark, sc=sc, sqlContext=spark)
    return {"appId": sc.applicationId, "sparkUiUrl": sc.uiWebUrl}


class Canceller:
    """Cancels the running statement on request, from a thread reading the control pipe."""

    def __init__(self, namespace: dict[str, Any]):
        self.namespace = namespace
        self.lock = threading.Lock()
        self.current: int | None = None
        self.requested: int | None = None
        self.finished = -1  # the last statement id that ended (ids only grow)
        self.early: set[int] = set()  # cancels that arrived before their statement began
        self.main = threading.main_thread().ident or 0

    def listen(self, control: io.TextIOBase) -> None:
        for line in control:
            try:
                statement_id = int(line.split()[1])
            except (IndexError, ValueError):
                continue
            with self.lock:
                if self.current != statement_id:
                    # The server marks a statement running before this process reads it: a
                    # cancel may overtake it on this pipe. Keep it for ``begin``.
                    if statement_id > self.finished:
                        self.early.add(statement_id)
                    continue
                self.requested = statement_id
            threading.Thread(target=self._cancel, args=(statement_id,), daemon=True).start()

    def begin(self, statement_id: int) -> bool:
        """Statement starts; False when it was cancelled before it began (do not run it)."""
        with self.lock:
            if statement_id in self.early:
                self.early.discard(statement_id)
                self.finished = max(self.finished, statement_id)
                return False
            self.current, self.requested = statement_id, None
            return True

    def end(self) -> bool:
        """Statement over: drop any interrupt still pending; True if a cancel was requested."""
        with self.lock:
            self._async_raise(None)
            cancelled = self.requested is not None and self.requested == self.current
            if self.current is not None:
                self.finished = max(self.finished, self.current)
            self.early = {i for i in self.early if i > self.finished}
            self.current = self.requested = None
            return cancelled

    def _cancel(self, statement_id: int) -> None:
        while True:
            with self.lock:
                if self.current != statement_id:
                    return
                if not self._in_py4j():
                    self._async_raise(KeyboardInterrupt)
            sc = self.namespace.get("sc")
            if sc is not None:
                try:
                    sc.cancelAllJobs()
                except Exception:  # noqa: BLE001 - best effort; the loop retries
                    pass
            time.sleep(0.1)

    def _in_py4j(self) -> bool:
        frame = sys._current_frames().get(self.main)
        while frame is not None:
            if f"{os.sep}py4j{os.sep}" in frame.f_code.co_filename:
                return True
            frame = frame.f_back
        return False

    def _async_raise(self, exc: type[BaseException] | None) -> None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(self.main), ctypes.py_object(exc) if exc else ctypes.c_void_p(0)
        )


def _run_statement(request: dict[str, Any], namespace: dict[str, Any],
                   canceller: Canceller) -> dict[str, Any]:
    run = execute_sql if request.get("kind") == "sql" else execute_python
    if not canceller.begin(request["id"]):
        return {"status": "cancelled"}
    try:
        output = run(request["code"], namespace)
    except KeyboardInterrupt:
        output = {"status": "cancelled"}
    while True:
        try:
            cancelled = canceller.end()
            break
        except KeyboardInterrupt:  # delivered just as the statement ended
            output = {"status": "cancelled"}
    if cancelled and output.get("status") == "error":
        output = {"status": "cancelled"}  # e.g. the Spark job failed because it was cancelled
    return output


def serve(reader: io.TextIOBase, writer: io.TextIOBase, control: io.TextIOBase,
          app_name: str) -> int:
    """Start Spark, report ``ready``, then answer ``execute`` requests until the pipe closes."""

    def send(message: dict[str, Any]) -> None:
        writer.write(json.dumps(message, default=str) + "\n")
        writer.flush()

    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        info = _start_spark(namespace, app_name)
    except Exception:  # noqa: BLE001 - reported to the server, which marks the session dead
        traceback.print_exc()
        send({"event": "failed", "error": traceback.format_exc(limit=3)})
        return 1
    canceller = Canceller(namespace)
    threading.Thread(target=canceller.listen, args=(control,), daemon=True).start()
    print(f"kit local endpoint: session {app_name} ready, Spark {namespace['spark'].version}, "
          f"application {info['appId']}", flush=True)
    send({"event": "ready", **info})
    while True:
        line = reader.readline()
        if not line:
            return 0
        request = json.loads(line)
        output = _run_statement(request, namespace, canceller)
        send({"event": "result", "id": request["id"], "output": output})


def main(argv: list[str]) -> int:
    read_fd, write_fd, control_fd, app_name = int(argv[1]), int(argv[2]), int(argv[3]), argv[4]
    with os.fdopen(read_fd, "r", encoding="utf-8") as reader, os.fdopen(
        write_fd, "w", encoding="utf-8"
    ) as writer, os.fdopen(control_fd, "r", encoding="utf-8") as control:
        return serve(reader, writer, control, app_name)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
