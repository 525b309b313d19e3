"""Execute notebooks through Jupyter's nbclient with the tslab kernel.

Usage: python3 scripts/execute_notebook.py [--out DIR] [--timeout S] NOTEBOOK...

Each notebook runs in a fresh kernel whose working directory is the
notebook's folder. On a cell error it prints one line naming the notebook,
the cell index and the error, and exits with status 1. An asynchronous error
that escapes (a timer or promise that throws after its cell finished, which
tslab reports as "UncaughtException: ..." on whatever cell runs then) fails
the notebook too, naming the cell it was reported on. With --out, the
executed notebook (outputs included) is written to DIR under the same name.
A line `TIMING <notebook> <seconds>` is printed for every notebook.
"""
import argparse
import os
import queue
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync

# How tslab reports an error that escaped its cell (process "uncaughtException"
# and "unhandledRejection" handlers in tslab's main.js).
ESCAPED = re.compile(r"^(UncaughtException|UnhandledPromiseRejection): *(.*)$", re.MULTILINE)
# How long to wait after the last cell for late output.
LATE_SECONDS = 1.0


def run(path, out_dir, timeout):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        # tslab compiles TypeScript as it starts; on a busy 2-core machine that
        # can take longer than nbclient's default of 60 s.
        startup_timeout=300,
        kernel_name="tslab",
        allow_errors=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    start = time.time()
    name = os.path.basename(path)
    problem = None
    with client.setup_kernel():
        count = 0
        late = LateOutput(client)
        last = None
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            problem = late.problem(name)
            if problem:
                break
            count += 1
            last = index
            late.cell_index = index
            try:
                client.execute_cell(cell, index, execution_count=count)
            except CellTimeoutError:
                problem = f"{name}: cell {index} ran longer than {timeout} s"
            except DeadKernelError as error:
                problem = f"{name}: cell {index}: the kernel died ({error})"
                escaped = escaped_error(cell.get("outputs", []))
                if escaped:
                    problem += f" after an asynchronous error escaped: {escaped}"
            except CellExecutionError as error:
                problem = f"{name}: cell {index} failed: {describe(cell, error)}"
            if not problem:
                escaped = escaped_error(cell.get("outputs", []))
                if escaped:
                    problem = (f"{name}: cell {index} failed: an asynchronous error escaped while it ran "
                               f"(a timer or promise of this cell or an earlier one threw): {escaped}")
            if problem:
                break
        if not problem and last is not None:
            late.wait(LATE_SECONDS)
            problem = late.problem(name)
    elapsed = time.time() - start
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        nbformat.write(nb, os.path.join(out_dir, name))
    print(f"TIMING {name} {elapsed:.1f}", flush=True)
    return problem


def escaped_error(outputs):
    """The first error tslab reported as escaped from its cell, if any."""
    text = "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")
    match = ESCAPED.search(text)
    return f"{match.group(1)}: {match.group(2)}".strip() if match else None


class LateOutput:
    """Collects stderr that arrives for a cell after it finished (nbclient drops it).

    tslab sends output to the cell that started last, so an error that arrives
    late for cell k came from a timer or promise started by cell k or an
    earlier one. Wraps the kernel client's execute (to learn each cell's
    message id) and get_msg (to see every iopub message).
    """

    def __init__(self, client):
        self.client = client
        self.cell_index = None
        self.cells = {}
        self.current = None
        self.texts = []
        kc = client.kc
        execute = kc.execute
        get_msg = kc.iopub_channel.get_msg

        def execute_and_record(*args, **kwargs):
            msg_id = execute(*args, **kwargs)
            self.cells[msg_id] = self.cell_index
            self.current = msg_id
            return msg_id

        async def get_and_record(*args, **kwargs):
            message = await ensure_async(get_msg(*args, **kwargs))
            parent = message["parent_header"].get("msg_id")
            if parent in self.cells:
                kind = message["msg_type"]
                if parent == self.current and kind == "status":
                    self.finished = message["content"].get("execution_state") == "idle"
                elif (parent != self.current or self.finished) and kind == "stream" and message["content"].get("name") == "stderr":
                    self.texts.append((self.cells[parent], message["content"].get("text", "")))
            return message

        self.finished = False
        kc.execute = execute_and_record
        kc.iopub_channel.get_msg = get_and_record

    def wait(self, seconds):
        """Reads the output that arrives in the next `seconds`."""
        deadline = time.time() + seconds

        async def next_message():
            return await self.client.kc.iopub_channel.get_msg(timeout=max(0.0, deadline - time.time()))

        while True:
            try:
                run_sync(next_message)()
            except queue.Empty:
                return

    def problem(self, name):
        for index in sorted({index for index, _ in self.texts}):
            text = "".join(t for i, t in self.texts if i == index)
            escaped = escaped_error([{"output_type": "stream", "name": "stderr", "text": text}])
            if escaped:
                return (f"{name}: cell {index} failed: an asynchronous error escaped after it finished "
                        f"(a timer or promise of this cell or an earlier one threw): {escaped}")
        return None


def describe(cell, error):
    """The error's name and message; tslab reports type errors on stderr."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            message = f"{output.get('ename')}: {output.get('evalue')}".strip()
            if message not in (":", "<Error>:"):
                return message
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr").strip()
    if stderr:
        lines = stderr.splitlines()
        thrown = [line for line in lines if re.match(r"^[A-Za-z_.]*(Error|Exception)\b", line)]
        return thrown[0] if thrown else lines[0]
    lines = str(error).strip().splitlines()
    return lines[-1] if lines else type(error).__name__


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=None)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("notebooks", nargs="+")
    args = parser.parse_args()
    failures = []
    for path in args.notebooks:
        problem = run(path, args.out, args.timeout)
        if problem:
            print(f"NOTEBOOK FAILED {problem}", flush=True)
            failures.append(problem)
        else:
            print(f"NOTEBOOK OK {os.path.basename(path)}", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
