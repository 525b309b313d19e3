"""Drives one tslab kernel through jupyter_client, for the kernel tests.

Usage: python3 test/helpers/kernel_driver.py SCRIPT.json

SCRIPT.json holds {"cwd": DIR, "steps": [...]} where each step is one of
  {"run": CODE, "timeout": S}                 execute a cell and wait for its reply
  {"start": CODE}                             execute a cell without waiting
  {"interrupt_after": S, "timeout": S}        wait S seconds, interrupt the kernel
                                              (SIGINT), then wait for the started
                                              cell's reply
  {"interrupt_when": TEXT, "after": S, "wait": S, "timeout": S}
                                              wait (up to "wait" s, 300 by default) until
                                              the started cell printed TEXT, then "after"
                                              s more, interrupt, and wait for its reply
                                              (robust on a loaded machine, where a fixed
                                              delay can land before the cell even ran)
  {"interrupt_idle": true}                    interrupt the kernel while no cell runs
  {"sleep": S}                                wait, collecting output

Prints one JSON object: {"cells": [{"code", "status", "stdout", "stderr",
"error", "seconds", "interrupted_at"}...], "late": OUTPUT-AFTER-REPLIES}. The
kernel's working directory is "cwd"; the kernel is the one named "tslab" on
JUPYTER_PATH.
"""
import json
import queue
import sys
import time

from jupyter_client.manager import KernelManager


class Cell:
    def __init__(self, code):
        self.code = code
        self.msg_id = None
        self.status = None
        self.stdout = ""
        self.stderr = ""
        self.error = None
        self.started = time.time()
        self.seconds = None
        self.interrupted_at = None

    def report(self):
        return {"code": self.code, "status": self.status, "stdout": self.stdout, "stderr": self.stderr,
                "error": self.error, "seconds": self.seconds, "interrupted_at": self.interrupted_at}


def main():
    with open(sys.argv[1]) as handle:
        script = json.load(handle)
    manager = KernelManager(kernel_name="tslab")
    manager.start_kernel(cwd=script.get("cwd"))
    client = manager.client()
    client.start_channels()
    cells = []
    by_id = {}
    late = []
    try:
        client.wait_for_ready(timeout=120)

        def pump(until, cell=None):
            """Collects iopub and shell messages until `cell` has its reply and its
            output went idle, or until the deadline."""
            while time.time() < until:
                if cell is not None and cell.status is not None and cell.idle:
                    return True
                try:
                    message = client.get_iopub_msg(timeout=0.05)
                    handle_iopub(message)
                except queue.Empty:
                    pass
                try:
                    reply = client.get_shell_msg(timeout=0.01)
                    target = by_id.get(reply["parent_header"].get("msg_id"))
                    if target is not None:
                        target.status = reply["content"].get("status")
                        target.seconds = time.time() - target.started
                except queue.Empty:
                    pass
            return cell is None

        def handle_iopub(message):
            parent = message["parent_header"].get("msg_id")
            target = by_id.get(parent)
            kind = message["msg_type"]
            content = message["content"]
            if target is None:
                return
            if kind == "status" and content.get("execution_state") == "idle":
                target.idle = True
                return
            text = None
            if kind == "stream":
                text = content.get("text", "")
                if target.status is not None and target.idle:
                    late.append({"cell": cells.index(target), "name": content.get("name"), "text": text})
                if content.get("name") == "stderr":
                    target.stderr += text
                else:
                    target.stdout += text
            elif kind == "error":
                target.error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind in ("execute_result", "display_data"):
                data = content.get("data", {})
                target.stdout += data.get("text/plain", "") + "\n"

        def start(code):
            cell = Cell(code)
            cell.idle = False
            cell.msg_id = client.execute(code)
            by_id[cell.msg_id] = cell
            cells.append(cell)
            return cell

        current = None
        for step in script["steps"]:
            if "run" in step:
                cell = start(step["run"])
                if not pump(time.time() + step.get("timeout", 120), cell):
                    cell.status = "timeout"
                    raise TimeoutError(f"cell did not finish in {step.get('timeout', 120)} s: {cell.code[:80]}")
                if cell.status != "ok":
                    # tslab aborts requests queued in the 200 ms after a failed cell.
                    pump(time.time() + 0.5)
            elif "start" in step:
                current = start(step["start"])
            elif "interrupt_after" in step:
                pump(time.time() + step["interrupt_after"])
                current.interrupted_at = time.time() - current.started
                manager.interrupt_kernel()
                if not pump(time.time() + step.get("timeout", 60), current):
                    current.status = "timeout"
                pump(time.time() + 0.5)
            elif "interrupt_when" in step:
                deadline = time.time() + step.get("wait", 300)
                while step["interrupt_when"] not in current.stdout and time.time() < deadline:
                    if current.status is not None and current.idle:
                        break
                    pump(time.time() + 0.05)
                if step["interrupt_when"] not in current.stdout:
                    raise TimeoutError(f"the cell never printed {step['interrupt_when']!r}: {current.stderr[-400:]}")
                pump(time.time() + step.get("after", 0))
                current.interrupted_at = time.time() - current.started
                manager.interrupt_kernel()
                if not pump(time.time() + step.get("timeout", 60), current):
                    current.status = "timeout"
                pump(time.time() + 0.5)
            elif "interrupt_idle" in step:
                manager.interrupt_kernel()
            elif "sleep" in step:
                pump(time.time() + step["sleep"])
    finally:
        print(json.dumps({"cells": [cell.report() for cell in cells], "late": late}), flush=True)
        client.stop_channels()
        manager.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
