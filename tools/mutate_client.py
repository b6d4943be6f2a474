"""cosmic-ray's test command in ``make mutate``: ask the warm pytest server of tools/mutate.py
(socket ``argv[1]``) to run the tests ``argv[2:]`` on the mutated copy; exit with pytest's
status (0: the mutant survived)."""

import json
import os
import socket
import sys

connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
connection.connect(sys.argv[1])
connection.sendall(json.dumps({"client": os.getpid(), "tests": sys.argv[2:]}).encode())
connection.shutdown(socket.SHUT_WR)
answer = connection.recv(64)
sys.exit(int(answer) if answer else 2)
