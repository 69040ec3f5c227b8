"""The session interpreter's statement loop without Spark: outputs and cancel ordering."""

from __future__ import annotations

import io

from kit.endpoints.worker import Canceller, _run_statement


def _namespace() -> dict:
    return {"__name__": "__main__", "__builtins__": __builtins__}


def test_cancel_that_overtakes_its_statement_still_cancels_it():
    # The server marks a statement running, then the cancel may reach the interpreter's control
    # pipe before the statement itself arrives on the other pipe.
    namespace = _namespace()
    canceller = Canceller(namespace)
    canceller.listen(io.StringIO("cancel 3\n"))
    output = _run_statement({"id": 3, "code": "ran = True\n'done'"}, namespace, canceller)
    assert output == {"status": "cancelled"}
    assert "ran" not in namespace
    # the next statement runs normally
    after = _run_statement({"id": 4, "code": "'next'"}, namespace, canceller)
    assert after == {"status": "ok", "data": {"text/plain": "'next'"}}


def test_late_cancel_of_a_finished_statement_is_ignored():
    namespace = _namespace()
    canceller = Canceller(namespace)
    first = _run_statement({"id": 0, "code": "x = 1"}, namespace, canceller)
    assert first == {"status": "ok", "data": {"text/plain": ""}}
    canceller.listen(io.StringIO("cancel 0\n"))
    second = _run_statement({"id": 1, "code": "x + 1"}, namespace, canceller)
    assert second == {"status": "ok", "data": {"text/plain": "2"}}


def test_sessions_import_this_kit_even_when_the_project_holds_another(tmp_path):
    # e.g. a checkout of kit's own repository used as the project: its ``kit/`` may differ
    import subprocess

    import kit
    from kit.endpoints.interpreter import PYTHON, worker_env

    project = tmp_path / "proj"
    (project / "kit").mkdir(parents=True)
    (project / "kit" / "__init__.py").write_text("raise ImportError('the project copy of kit')\n")
    (project / "helpers.py").write_text("ANSWER = 42\n")
    probe = ("import kit, awsglue.context, helpers\n"
             "print(kit.__file__)\nprint(helpers.ANSWER)")
    done = subprocess.run([*PYTHON, "-c", probe], cwd=project, env=worker_env(project),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    kit_file, answer = done.stdout.split()
    assert kit_file == kit.__file__ and answer == "42"  # and the project's modules still import
