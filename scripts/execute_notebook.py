"""Execute notebooks through Jupyter's nbclient with the tslab kernel.

Usage: python3 scripts/execute_notebook.py [--out DIR] [--timeout S] NOTEBOOK...

Each notebook runs in a fresh kernel whose working directory is the
notebook's folder. On a cell error it prints one line naming the notebook,
the cell index and the error, and exits with status 1. With --out, the
executed notebook (outputs included) is written to DIR under the same name.
A line `TIMING <notebook> <seconds>` is printed for every notebook.
"""
import argparse
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def run(path, out_dir, timeout):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="tslab",
        allow_errors=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    start = time.time()
    name = os.path.basename(path)
    problem = None
    with client.setup_kernel():
        count = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            try:
                client.execute_cell(cell, index, execution_count=count)
            except CellTimeoutError:
                problem = f"{name}: cell {index} ran longer than {timeout} s"
            except DeadKernelError as error:
                problem = f"{name}: cell {index}: the kernel died ({error})"
            except CellExecutionError as error:
                problem = f"{name}: cell {index} failed: {describe(cell, error)}"
            if problem:
                break
    elapsed = time.time() - start
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        nbformat.write(nb, os.path.join(out_dir, name))
    print(f"TIMING {name} {elapsed:.1f}", flush=True)
    return problem


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
