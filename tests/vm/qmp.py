#!/usr/bin/env python3
"""qmp.py SOCKET FILE: the test VM's hands on its own hardware.  Follows
FILE (the guest's stdout) and, for each line

    PTHOOK_QMP add DRIVER ID BUS [K=V...]
                                    device_add driver=DRIVER,id=ID,bus=BUS,K=V...
    PTHOOK_QMP del ID               device_del ID

sends the command to qemu's QMP socket, so scenarios can plug devices in
and out of the running guest.  Runs until qemu closes the socket."""
import json
import os
import socket
import sys
import time

sock_path, out_path = sys.argv[1], sys.argv[2]
for _ in range(600):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock_path)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("qmp.py: no QMP socket at " + sock_path)
f = s.makefile("rw")
f.readline()                                    # greeting
f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
f.flush()
f.readline()
while not os.path.exists(out_path):
    time.sleep(0.1)
out = open(out_path)
buf = ""
while True:
    chunk = out.readline()
    if not chunk:
        time.sleep(0.1)
        continue
    buf += chunk
    if not buf.endswith("\n"):
        continue
    line, buf = buf.strip().replace("\r", ""), ""
    if not line.startswith("PTHOOK_QMP "):
        continue
    w = line.split()[1:]
    if w[0] == "add":
        args = {"driver": w[1], "id": w[2], "bus": w[3]}
        args.update(kv.split("=", 1) for kv in w[4:])
        cmd = {"execute": "device_add", "arguments": args}
    else:
        cmd = {"execute": "device_del", "arguments": {"id": w[1]}}
    try:
        f.write(json.dumps(cmd) + "\n")
        f.flush()
        print("qmp:", json.dumps(cmd), "->", f.readline().strip(), file=sys.stderr, flush=True)
    except OSError:
        break
