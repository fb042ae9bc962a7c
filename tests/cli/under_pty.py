#!/usr/bin/env python3
"""usage: under_pty.py OUT_FILE COMMAND [ARG...]

Runs COMMAND with its standard output and error on a pseudo-terminal (so it
sees a terminal, as a person's shell gives it), copies every byte it writes
to OUT_FILE, and exits with its exit status."""
import os
import pty
import subprocess
import sys

out_path, command = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
os.close(slave)
captured = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the child closed its end
        break
    if not chunk:
        break
    captured += chunk
with open(out_path, "wb") as out:
    out.write(captured)
sys.exit(child.wait())
