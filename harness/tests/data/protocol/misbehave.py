#!/usr/bin/env python3
"""A protocol program that behaves until it is told not to (test data for protocol_bad_input.rs).

The first argument picks a misbehaviour at start-up (`silent`, `exit-at-start`,
`garbage-hello`, `old-protocol`); otherwise each plan may pick one with a
fixture property MISBEHAVE (`garbage`, `not-a-message`, `exit`, `hang`,
`wrong-id`, `mismatch`, `failed`, `unsupported`, `bad-request`, `chatty`,
`slow`: answer normally after 0.3 s, `fail-once`: answer 0 instead of
1033 the first time, marked by creating the file named by property MARKER).
A plan without it is answered with one event per package step, whose outcome
is the number 1033, and the process id in the log.
"""

import json
import os
import sys
import time

start = sys.argv[1] if len(sys.argv) > 1 else ""


def say(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def log(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


log("misbehave.py %d starting (%s)" % (os.getpid(), start or "well-behaved"))
if start == "silent":
    log("I will never answer the handshake")
    time.sleep(600)
if start == "exit-at-start":
    log("giving up before the handshake")
    sys.exit(3)

for line in sys.stdin:
    message = json.loads(line)
    if message["type"] == "hello":
        if start == "garbage-hello":
            print("hello yourself", flush=True)
            continue
        say({"type": "ready", "protocol": 99 if start == "old-protocol" else 1,
             "name": "misbehave", "version": "1", "contexts": ["package"],
             "operations": ["get-language"]})
    elif message["type"] == "run":
        rid = message["id"]
        plan = message["plan"]
        props = {p["name"]: p["value"] for p in plan["fixture"].get("properties", [])}
        mode = props.get("MISBEHAVE", "")
        if mode:
            log("misbehaving with %s on request %d" % (mode, rid))
        if mode == "garbage":
            print("this is not json {", flush=True)
        elif mode == "not-a-message":
            say({"type": "transcript", "id": rid, "transcript": {"events": "many"}})
        elif mode == "exit":
            sys.exit(7)
        elif mode == "hang":
            time.sleep(600)
        elif mode == "wrong-id":
            say({"type": "transcript", "id": rid + 1000, "transcript": {}})
        elif mode == "mismatch":
            say({"type": "transcript", "id": rid, "transcript": {"events": [
                {"probe": "Nope", "context": "package", "index": 0, "call": "get-language",
                 "outcome": {"number": 1}}]}})
        elif mode in ("failed", "unsupported", "bad-request"):
            say({"type": "error", "id": rid, "kind": mode, "message": "told to answer " + mode})
        else:
            if mode == "slow":
                time.sleep(0.3)
            if mode == "chatty":
                for i in range(20000):
                    sys.stderr.write("chatter line %05d ........................................\n" % i)
                sys.stderr.write("chatter done\n")
                sys.stderr.flush()
            number = 1033
            if mode == "fail-once" and not os.path.exists(props["MARKER"]):
                open(props["MARKER"], "w").close()
                number = 0
            steps = plan.get("package", {}).get("steps", [])
            say({"type": "transcript", "id": rid, "transcript": {"events": [
                {"probe": "@package", "context": "package", "index": i, "call": call,
                 "outcome": {"number": number}} for i, call in enumerate(steps)]}})
    elif message["type"] == "shutdown":
        break
