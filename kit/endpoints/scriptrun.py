"""Run one Glue script inside a warm session interpreter as a cold ``python script.py`` would.

Called by a statement of the warm engine's session (``kit run --warm``), in the session's worker
process, whose Spark driver is already up. Per run the script gets a fresh ``__main__`` module,
its own ``sys.argv``, ``sys.path[0]`` (its folder), working folder and environment; it writes to
its own stdout/stderr files (the client tails them). Afterwards everything is put back: modules
the run imported from outside the installed packages (the project's, the awsglue layer with its
job state) are forgotten, and Spark's session state (temporary views and functions, cached
tables and RDDs, runtime SQL conf) is reset. ``SparkContext()`` hands the script the running
context, as a fresh driver would hand it a new one.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import sys
import sysconfig
import traceback
import types
from collections.abc import Iterator
from typing import Any

# Packages installed with Python (stdlib, site-packages) stay imported between runs.
_KEPT_ROOTS = tuple(
    os.path.join(os.path.realpath(path), "")
    for key in ("stdlib", "platstdlib", "purelib", "platlib")
    if (path := sysconfig.get_paths().get(key))
)


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Run ``request["script"]`` with ``request["argv"]``; returns ``exit`` and ``restart``.

    ``restart`` is true when the script stopped the SparkContext: the driver cannot serve another
    run, so the session should be replaced (the next run is cold).
    """
    script = os.path.abspath(request["script"])
    saved_argv, saved_path, saved_cwd = sys.argv, sys.path[:], os.getcwd()
    saved_env = dict(os.environ)
    saved_modules = set(sys.modules)
    saved_main = sys.modules.get("__main__")
    main = types.ModuleType("__main__")
    main.__dict__.update(__file__=script, __builtins__=builtins, __cached__=None)
    with open(request["stdout"], "w", encoding="utf-8", buffering=1) as out, open(
        request["stderr"], "w", encoding="utf-8", buffering=1
    ) as err:
        try:
            os.chdir(request.get("cwd") or saved_cwd)
            sys.argv = [script, *request.get("argv", [])]
            sys.path[:0] = [os.path.dirname(script), *request.get("python_path", [])]
            sys.modules["__main__"] = main
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                    _reuse_spark_context():
                code = _execute(script, main.__dict__, err)
        finally:
            sys.argv, sys.path[:] = saved_argv, saved_path
            if saved_main is not None:
                sys.modules["__main__"] = saved_main
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
            _forget_modules(saved_modules)
        restart = not _spark_alive()
        if not restart:
            try:
                reset_spark()
            except Exception:  # noqa: BLE001 - a driver that cannot reset must not be reused
                traceback.print_exc(file=err)
                restart = True
    return {"exit": code, "restart": restart}


def _execute(script: str, namespace: dict[str, Any], err: io.TextIOBase) -> int:
    """Exec the script; its exit status as ``python script.py`` would give it."""
    try:
        with open(script, "rb") as source:
            code = compile(source.read(), script, "exec")
        exec(code, namespace)
    except SystemExit as exc:
        return _exit_status(exc.code, err)
    except KeyboardInterrupt:
        traceback.print_exc(file=err)
        return 130
    except BaseException as exc:  # noqa: BLE001 - the script's failure, reported like Python
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next  # this module's frames are not the script's
        traceback.print_exception(type(exc), exc, tb, file=err)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def _exit_status(code: object, err: io.TextIOBase) -> int:
    """``sys.exit(code)``'s status: None is 0, an int is itself, anything else is printed, 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=err)
    return 1


def _forget_modules(before: set[str]) -> None:
    """Drop modules the run imported, except installed packages and kit itself."""
    for name in set(sys.modules) - before:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if name == "kit" or name.startswith("kit."):
            continue
        if path is None or os.path.realpath(path).startswith(_KEPT_ROOTS):
            continue
        del sys.modules[name]


def _spark_alive() -> bool:
    from pyspark import SparkContext

    active = SparkContext._active_spark_context
    return active is not None and active._jsc is not None


def reset_spark() -> None:
    """Temp views and functions, cached data and the runtime SQL conf back to a fresh session's."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    catalog = spark.catalog
    catalog.clearCache()
    for rdd in spark.sparkContext._jsc.getPersistentRDDs().values():
        rdd.unpersist()
    for table in catalog.listTables():
        if table.isTemporary:
            catalog.dropTempView(table.name)
    for table in catalog.listTables("global_temp"):
        if table.isTemporary:
            catalog.dropGlobalTempView(table.name)
    for (name,) in spark.sql("SHOW USER FUNCTIONS").collect():
        if "." not in name:  # temporary; a persistent one is qualified with its database
            spark.sql(f"DROP TEMPORARY FUNCTION IF EXISTS `{name}`")
    spark.sql("RESET")
    # None unsets them (the stubs only say str)
    spark.sparkContext.setLocalProperty("spark.scheduler.pool", None)  # type: ignore[arg-type]
    spark.sparkContext.setJobDescription(None)  # type: ignore[arg-type]


@contextlib.contextmanager
def _reuse_spark_context() -> Iterator[None]:
    """``SparkContext()`` returns the running context (a Glue script builds its own)."""
    from pyspark import SparkContext

    own_new = "__new__" in SparkContext.__dict__
    original_new, original_init = SparkContext.__dict__.get("__new__"), SparkContext.__init__

    def new(cls, *args: Any, **kwargs: Any) -> SparkContext:
        active = SparkContext._active_spark_context
        if cls is SparkContext and active is not None and active._jsc is not None:
            return active
        return object.__new__(cls)

    def init(self: SparkContext, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_jsc", None) is not None:
            return  # the running context, already initialised
        original_init(self, *args, **kwargs)

    SparkContext.__new__ = staticmethod(new)  # type: ignore[method-assign, assignment]
    SparkContext.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        SparkContext.__init__ = original_init  # type: ignore[method-assign]
        if own_new:
            SparkContext.__new__ = original_new  # type: ignore[method-assign, assignment]
        else:
            del SparkContext.__new__
