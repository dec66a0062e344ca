#!/usr/bin/env python3
"""journald.py SOCKET OUT: stand in for journald's native socket.  Each
datagram (KEY=value lines) is appended to OUT followed by a line "--".
Prints "ready" once bound; runs until killed."""
import socket
import sys

sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
print("ready", flush=True)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(sock.recv(65536) + b"--\n")
