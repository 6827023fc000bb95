#!/usr/bin/python3
"""A stand-in for journald's native socket, for the CRI-O suite on a host without
systemd: binds SOCKET (a datagram socket), and appends every datagram it receives
to OUT as one JSON object per line ({"FIELD": "value", ...}, the journal's
KEY=VALUE lines). Runs until killed; prints "ready" on stdout once bound."""
import json
import os
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s.bind(path)
    os.chmod(path, 0o666)
    print("ready", flush=True)
    with open(out, "a", encoding="utf-8") as f:
        while True:
            data = s.recv(1 << 20).decode("utf-8", "replace")
            rec = {}
            for line in data.split("\n"):
                if "=" in line:
                    k, v = line.split("=", 1)
                    rec[k] = v
            f.write(json.dumps(rec) + "\n")
            f.flush()


if __name__ == "__main__":
    main()
