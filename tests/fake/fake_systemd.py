#!/usr/bin/python3
"""A fake systemd private socket for tests: a peer-to-peer D-Bus server (no bus
daemon, no Hello), like /run/systemd/private, that answers
org.freedesktop.systemd1.Manager.SetUnitProperties on /org/freedesktop/systemd1.

Usage: fake_systemd.py SOCKET_PATH LOG_FILE

Every call is appended to LOG_FILE as one JSON line:
  {"unit": ..., "runtime": true, "props": {"AllowedCPUs": [15, 1], "CPUWeight": 49}}
The reply depends on the unit name, so that one server covers every case:
  refuse-*    an error reply org.freedesktop.systemd1.NoSuchUnit
  slow-*      no reply for 3 s (the client's deadline passes first)
  silent-*    never a reply
  odd-*       a method return carrying a string
  hangup-*    the connection is closed without a reply
  anything else: the empty method return systemd gives
"""
import json
import os
import sys

import dbus
import dbus.lowlevel
import dbus.mainloop.glib
import dbus.server
from gi.repository import GLib

sock, log_path = sys.argv[1], sys.argv[2]
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)


def plain(v):
    if isinstance(v, dbus.Array):
        return [plain(x) for x in v]
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.UInt64, dbus.Int64, dbus.UInt32, dbus.Int32)):
        return int(v)
    return str(v)


def on_message(conn, msg):
    if not isinstance(msg, dbus.lowlevel.MethodCallMessage):
        return dbus.lowlevel.HANDLER_RESULT_NOT_YET_HANDLED
    if (msg.get_interface(), msg.get_member(), msg.get_path()) != (
            "org.freedesktop.systemd1.Manager", "SetUnitProperties",
            "/org/freedesktop/systemd1"):
        conn.send_message(dbus.lowlevel.ErrorMessage(
            msg, "org.freedesktop.DBus.Error.UnknownMethod", "fake systemd: unknown method"))
        return dbus.lowlevel.HANDLER_RESULT_HANDLED
    args = msg.get_args_list()
    unit, runtime, props = args[0], args[1], args[2]
    entry = {"unit": str(unit), "runtime": bool(runtime), "signature": msg.get_signature(),
             "destination": msg.get_destination(),
             "props": {str(k): plain(v) for k, v in props}}
    with open(log_path, "a") as f:
        f.write(json.dumps(entry) + "\n")
    if unit.startswith("refuse-"):
        conn.send_message(dbus.lowlevel.ErrorMessage(
            msg, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded." % unit))
    elif unit.startswith("slow-"):
        def late():
            conn.send_message(dbus.lowlevel.MethodReturnMessage(msg))
            return False
        GLib.timeout_add(3000, late)
    elif unit.startswith("silent-"):
        pass
    elif unit.startswith("odd-"):
        reply = dbus.lowlevel.MethodReturnMessage(msg)
        reply.append("surprise", signature="s")
        conn.send_message(reply)
    elif unit.startswith("hangup-"):
        conn.close()
    else:
        conn.send_message(dbus.lowlevel.MethodReturnMessage(msg))
    return dbus.lowlevel.HANDLER_RESULT_HANDLED


connections = []  # a connection nobody references is closed


def on_connection(conn):
    connections.append(conn)
    conn.add_message_filter(on_message)


server = dbus.server.Server("unix:path=" + sock)
server.on_connection_added.append(on_connection)
open(sock + ".ready", "w").close()
GLib.MainLoop().run()
