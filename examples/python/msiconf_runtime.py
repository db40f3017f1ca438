#!/usr/bin/env python3
"""An msiconf runtime in Python, with only the standard library.

It speaks the process protocol of docs/protocol.md on stdin and stdout and
implements a real, deliberately small part of the Windows Installer session
API: the package handle and immediate DLL custom actions, with

- properties (MsiGetProperty with its buffer and argument rules, MsiSetProperty
  with its argument rules, deletion by an empty value, case-sensitive names,
  public command-line properties only),
- MsiDoAction on standard actions and on custom actions (probes and type 51),
  matched case-sensitively, with the Windows answers for a NULL name and bad handles,
- run modes (MsiGetMode, MsiSetMode on the reboot flags), MsiGetLanguage and
  MsiSetInstallLevel,
- `%NAME` properties read from the environment,
- records (MsiCreateRecord and the MsiRecord* getters and setters), kept per
  probe run in handle slots,
- the top-level install: ACTION upper-cased or INSTALL, the UI sequence at the
  reduced and full UI levels handing only public properties to the execute
  sequence, the scheduling options 0x100/0x200/0x300, custom-action return
  codes and the termination actions at sequence -1 to -4.

It passes every case of the suite that it can run; tests compare it with the
reference model (harness/tests/protocol_python.rs).

Everything else is declared unsupported in the handshake, so the harness skips
cases that need it; a plan that reaches something unmodelled at run time (a
sequence condition, a deferred action, another custom-action type) is answered
with an `unsupported` error rather than a guess.

Run it as `msiconf run --runtime "cmd:python3 examples/python/msiconf_runtime.py"`.
Its log goes to stderr; set MSICONF_PY_TRACE=1 to log every request.
"""

import json
import os
import sys

PROTOCOL_VERSION = 1
NAME = "msiconf-python-example"
VERSION = "0.1.0"

CONTEXTS = ["package", "immediate-ui", "immediate-before-init", "immediate-after-init"]
OPERATIONS = [
    "do-action",
    "get-property",
    "set-property",
    "get-mode",
    "set-mode",
    "get-language",
    "set-install-level",
    "create-record",
    "record-field-count",
    "record-set-string",
    "record-set-integer",
    "record-get-string",
    "record-get-integer",
    "record-is-null",
    "record-data-size",
    "record-clear-data",
]

# Records.
MAX_RECORD_FIELDS = 65535
NULL_INTEGER = -(2**31)
RECORD_KINDS = {k for k in OPERATIONS if k == "create-record" or k.startswith("record-")}

# Win32 codes.
SUCCESS = 0
ACCESS_DENIED = 5
INVALID_HANDLE = 6
INVALID_PARAMETER = 87
MORE_DATA = 234
NO_MORE_ITEMS = 259
INSTALL_USEREXIT = 1602
INSTALL_FAILURE = 1603
INSTALL_SUSPEND = 1604
FUNCTION_NOT_CALLED = 1626
FUNCTION_FAILED = 1627

# Run modes this runtime can answer.
REBOOTATEND, REBOOTNOW = 6, 7
SETTABLE_MODES = (REBOOTATEND, REBOOTNOW)

# Action results as the install log records them.
LOG_NOT_EXECUTED, LOG_SUCCESS, LOG_USER_EXIT, LOG_FAILURE, LOG_SUSPEND, LOG_FINISHED = 0, 1, 2, 3, 4, 5

AMPLE_BUFFER = 1024

# Standard actions that only read or cost: DoAction runs them anywhere, without effect here.
NON_SYSTEM_ACTIONS = {
    "AppSearch", "CCPSearch", "CostInitialize", "FileCost", "CostFinalize",
    "InstallValidate", "LaunchConditions", "FindRelatedProducts", "ValidateProductID",
    "ResolveSource", "RMCCPSearch", "IsolateComponents", "MigrateFeatureStates",
    "InstallInitialize", "InstallFinalize", "InstallExecute", "InstallExecuteAgain",
    "PublishProduct", "PublishFeatures", "RegisterProduct", "RegisterUser",
    "ProcessComponents", "ScheduleReboot", "ForceReboot", "AllocateRegistrySpace",
}
# Standard actions that change the system: outside a real script they succeed without effect.
SYSTEM_ACTIONS = {
    "InstallFiles", "RemoveFiles", "MoveFiles", "DuplicateFiles", "RemoveDuplicateFiles",
    "WriteRegistryValues", "RemoveRegistryValues", "WriteIniValues", "RemoveIniValues",
    "CreateShortcuts", "RemoveShortcuts", "CreateFolders", "RemoveFolders",
    "RegisterClassInfo", "UnregisterClassInfo", "RegisterTypeLibraries",
    "UnregisterTypeLibraries", "InstallServices", "StartServices", "StopServices",
    "DeleteServices", "RemoveExistingProducts", "WriteEnvironmentStrings",
    "RemoveEnvironmentStrings",
}

DLL_PROBE_SOURCE = "probe"
# The scheduling options of immediate custom actions share bits 0x100 and 0x200.
SCHEDULING_MASK, FIRST_SEQUENCE, ONCE_PER_PROCESS, CLIENT_REPEAT = 0x300, 0x100, 0x200, 0x300
IN_SCRIPT = 0x400
CONTINUE = 0x40
BASIC_MASK = 0x3F
TYPE_DLL = 1
TYPE_SET_PROPERTY = 51


def log(*parts):
    print("msiconf_runtime.py:", *parts, file=sys.stderr, flush=True)


class Unsupported(Exception):
    """The plan needs something this runtime does not model."""


class Session:
    """One install session: a property table, run-mode flags, and the package's tables."""

    def __init__(self, runner, properties, in_install):
        self.runner = runner
        self.properties = dict(properties)
        self.modes = {REBOOTATEND: False, REBOOTNOW: False}
        self.in_install = in_install

    def get(self, name):
        if name.startswith("%"):
            # %NAME reads the process environment, the variable's name matched without case.
            wanted = name[1:].upper()
            return next((v for k, v in os.environ.items() if k.upper() == wanted), "")
        return self.properties.get(name, "")

    def set(self, name, value):
        if value:
            self.properties[name] = value
        else:
            # An empty value removes the property (it then reads as "").
            self.properties.pop(name, None)


class Runner:
    """Runs one plan and builds its transcript."""

    def __init__(self, plan):
        self.plan = plan
        fixture = plan.get("fixture", {})
        self.fixture = fixture
        self.custom_actions = {row["action"]: row for row in fixture.get("custom-actions", [])}
        self.probes = plan.get("probes", {})
        self.events = []
        self.runs = []
        self.actions = []
        self.ran = set()  # custom actions that have run, for the scheduling options
        self.in_ui = False
        self.ui_ran = False

    # -- the plan -----------------------------------------------------------

    def check_supported(self):
        scripts = list(self.probes.items())
        if "package" in self.plan:
            scripts.append(("@package", self.plan["package"]))
        for name, script in scripts:
            if script["context"] not in CONTEXTS:
                raise Unsupported("probe `%s` runs in context `%s`" % (name, script["context"]))
            for step in script.get("steps", []):
                kind = op_kind(step)
                if kind not in OPERATIONS:
                    raise Unsupported("probe `%s` calls `%s`" % (name, kind))

    def run(self):
        self.check_supported()
        table = {row["name"]: row["value"] for row in self.fixture.get("properties", [])}
        if "package" in self.plan:
            session = Session(self, table, in_install=False)
            self.perform("@package", self.plan["package"], session)
        transcript = {}
        install = self.plan.get("install")
        if install is not None:
            properties = dict(table)
            for name, value in install.get("properties", {}).items():
                # Only public (all upper-case) properties come from the command line.
                if name == name.upper():
                    properties[name] = value
            session = Session(self, properties, in_install=True)
            transcript["install-result"] = self.install(session, install.get("ui", "none"))
        if self.events:
            transcript["events"] = self.events
        if self.runs:
            transcript["runs"] = self.runs
        if self.actions:
            transcript["actions"] = self.actions
        return transcript

    # -- the top-level install ---------------------------------------------

    def install(self, session, ui):
        action = (session.get("ACTION") or "INSTALL").upper()
        if action in ("ADMIN", "ADVERTISE"):
            raise Unsupported("the %s top-level action and its sequences are not modelled" % action)
        record = {"name": action}
        self.actions.append(record)
        if action == "INSTALL":
            result = self.install_sequences(session, ui)
        elif action in self.custom_actions or action in NON_SYSTEM_ACTIONS or action in SYSTEM_ACTIONS:
            result = log_result(self.do_action(session, action, top_level=True))
        else:
            # An unknown top-level action is not executed and fails the install.
            record["result"] = LOG_NOT_EXECUTED
            return INSTALL_FAILURE
        record["result"] = result
        return {
            LOG_SUCCESS: SUCCESS,
            LOG_NOT_EXECUTED: SUCCESS,
            LOG_USER_EXIT: INSTALL_USEREXIT,
            LOG_SUSPEND: INSTALL_SUSPEND,
        }.get(result, INSTALL_FAILURE)

    def install_sequences(self, session, ui):
        if ui in ("reduced", "full") and self.fixture.get("ui-sequence"):
            self.in_ui = True
            try:
                return self.sequence(session, self.fixture.get("ui-sequence", []))
            finally:
                self.in_ui = False
        return self.sequence(session, self.fixture.get("execute-sequence", []))

    def execute_phase(self, client):
        """ExecuteAction from the UI sequence: the execute sequence runs on the server's
        properties, which are the client's public ones and the package's private ones."""
        table = {row["name"]: row["value"] for row in self.fixture.get("properties", [])}
        server = {k: v for k, v in client.properties.items() if k == k.upper()}
        server.update({k: v for k, v in table.items() if k != k.upper() and v})
        session = Session(self, server, in_install=True)
        session.modes = client.modes
        self.in_ui, self.ui_ran = False, True
        try:
            return self.sequence(session, self.fixture.get("execute-sequence", []))
        finally:
            self.in_ui = True

    def sequence(self, session, rows):
        """Runs a sequence table's rows; returns the log result of the whole sequence."""
        ordered = sorted((r for r in rows if r["sequence"] > 0), key=lambda r: r["sequence"])
        result = LOG_SUCCESS
        for row in ordered:
            if row.get("condition") is not None:
                raise Unsupported("sequence conditions are not modelled (row `%s`)" % row["action"])
            name = row["action"]
            if self.skipped_by_scheduling_option(name):
                continue
            record = {"name": name}
            self.actions.append(record)
            if name == "ExecuteAction" and self.in_ui:
                outcome = self.execute_phase(session)
            elif name == "ExecuteAction":
                outcome = self.sequence(session, self.fixture.get("execute-sequence", []))
            else:
                outcome = log_result(self.do_action(session, name, top_level=True))
            if self.skip_rest:
                # "Skip the remaining actions": logged as finished, and the install still succeeds.
                self.skip_rest = False
                record["result"] = LOG_FINISHED
                break
            record["result"] = outcome
            if outcome == LOG_NOT_EXECUTED:
                continue
            if outcome != LOG_SUCCESS:
                result = outcome
                break
        # The termination actions: -1 after success, -2 user exit, -3 failure, -4 suspend.
        terminal = {LOG_SUCCESS: -1, LOG_USER_EXIT: -2, LOG_FAILURE: -3, LOG_SUSPEND: -4}.get(result)
        for row in rows:
            if row["sequence"] == terminal:
                record = {"name": row["action"]}
                self.actions.append(record)
                record["result"] = log_result(self.do_action(session, row["action"], top_level=True))
        return result

    skip_rest = False

    def skipped_by_scheduling_option(self, name):
        row = self.custom_actions.get(name)
        if row is None or row["type"] & IN_SCRIPT:
            return False
        option = row["type"] & SCHEDULING_MASK
        if option == FIRST_SEQUENCE:
            # Skipped in the execute sequence whenever the UI sequence ran, listed there or not.
            return not self.in_ui and self.ui_ran
        if option == ONCE_PER_PROCESS:
            return name in self.ran
        if option == CLIENT_REPEAT:
            return not self.in_ui and not self.ui_ran
        return False

    # -- actions ------------------------------------------------------------

    def do_action(self, session, name, top_level=False):
        """Runs an action by its exact name; returns the Win32 code MsiDoAction reports."""
        if name in self.custom_actions:
            return self.custom_action(session, self.custom_actions[name], top_level)
        if name == "INSTALL":
            if session.in_install and not top_level:
                raise Unsupported("INSTALL through DoAction inside an install is not modelled")
            if getattr(self, "running_install", False):
                raise Unsupported("INSTALL sequenced inside its own sequence is not modelled")
            self.running_install = True
            try:
                return log_to_code(self.sequence(session, self.fixture.get("execute-sequence", [])))
            finally:
                self.running_install = False
        if name == "ExecuteAction":
            target = session.get("EXECUTEACTION")
            if target:
                return self.do_action(session, target)
            return log_to_code(self.sequence(session, self.fixture.get("execute-sequence", [])))
        if name in NON_SYSTEM_ACTIONS or name in SYSTEM_ACTIONS:
            return SUCCESS
        return FUNCTION_NOT_CALLED

    def custom_action(self, session, row, top_level=False):
        kind = row["type"]
        self.ran.add(row["action"])
        if kind & IN_SCRIPT:
            raise Unsupported("in-script custom action `%s` (type %d)" % (row["action"], kind))
        basic = kind & BASIC_MASK
        if basic == TYPE_SET_PROPERTY:
            session.set(row.get("source", ""), self.format(session, row.get("target") or ""))
            return SUCCESS
        if basic == TYPE_DLL and row.get("source") == DLL_PROBE_SOURCE:
            script = self.probes.get(row["action"])
            returned = SUCCESS
            if script is not None:
                self.perform(row["action"], script, session)
                returned = script.get("returns", 0)
            if kind & CONTINUE:
                return SUCCESS
            if returned == NO_MORE_ITEMS:
                if not top_level:
                    # Through MsiDoAction, "skip the remaining actions" comes back as ERROR_MORE_DATA.
                    return MORE_DATA
                self.skip_rest = True
                return SUCCESS
            if returned in (SUCCESS, FUNCTION_NOT_CALLED, INSTALL_USEREXIT, INSTALL_SUSPEND):
                return returned
            return INSTALL_FAILURE
        raise Unsupported("custom action `%s` of type %d" % (row["action"], kind))

    def format(self, session, text):
        """[Property] substitution, the only formatting this runtime models."""
        out, i = [], 0
        while i < len(text):
            if text[i] == "[":
                end = text.find("]", i)
                if end < 0:
                    out.append(text[i:])
                    break
                name = text[i + 1:end]
                if not name or not (name[0].isalpha() or name[0] == "_"):
                    raise Unsupported("formatting `[%s]` is not modelled" % name)
                out.append(session.get(name))
                i = end + 1
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    # -- probes and their calls ---------------------------------------------

    def perform(self, probe, script, session):
        context = script["context"]
        self.runs.append({"probe": probe, "context": context, "first-event": len(self.events)})
        records = Records()
        for index, call in enumerate(script.get("steps", [])):
            if op_kind(call) in RECORD_KINDS:
                outcome = records.call(op_kind(call), op_args(call))
            else:
                outcome = self.call(session, context, call)
            self.events.append(
                {"probe": probe, "context": context, "index": index, "call": call, "outcome": outcome}
            )

    def call(self, session, context, call):
        kind, args = op_kind(call), op_args(call)
        bad_handle = args.get("handle", "session") != "session"
        in_ca = context != "package"
        if kind == "get-property":
            return get_property(session, args, bad_handle, in_ca)
        if kind == "set-property":
            name, value = args.get("name"), args.get("value")
            # The handle is checked before the name (MsiSetProperty(0, NULL, NULL) is 6).
            if bad_handle:
                return {"rc": INVALID_HANDLE}
            if name is None:
                return {"rc": INVALID_PARAMETER}
            if name == "":
                return {"rc": FUNCTION_FAILED if value else SUCCESS}
            session.set(name, value)
            return {"rc": SUCCESS}
        if kind == "do-action":
            action = args.get("action")
            if action is None:
                # What Windows does; the documentation promises the ACTION fallback.
                return {"rc": INVALID_PARAMETER}
            if bad_handle:
                return {"rc": INVALID_HANDLE}
            known = (
                action in self.custom_actions
                or action in NON_SYSTEM_ACTIONS
                or action in SYSTEM_ACTIONS
                or action in ("INSTALL", "ExecuteAction")
            )
            if not (session.in_install and known):
                return {"rc": self.do_action(session, action)}
            # While an install runs, the log records the action's start and its result.
            record = {"name": action}
            self.actions.append(record)
            code = self.do_action(session, action)
            record["result"] = LOG_FINISHED if code == MORE_DATA else log_result(code)
            return {"rc": code}
        if kind == "get-mode":
            return get_mode(session, context, args["mode"], bad_handle)
        if kind == "set-mode":
            mode = args["mode"]
            if mode not in SETTABLE_MODES:
                return {"rc": ACCESS_DENIED}
            session.modes[mode] = bool(args["state"])
            return {"rc": SUCCESS}
        if kind == "get-language":
            language = session.get("ProductLanguage")
            return {"number": int(language) if language.isdigit() else 0}
        if kind == "set-install-level":
            session.set("INSTALLLEVEL", str(args["level"]))
            return {"rc": SUCCESS}
        return {"unsupported": "`%s` is not implemented by %s" % (kind, NAME)}


class Records:
    """The records one probe run holds, by slot. A field is None (Null), an int or a str."""

    def __init__(self):
        self.slots = {}
        self.seen = 0

    def call(self, kind, args):
        if kind == "create-record":
            count = args["fields"]
            if count > MAX_RECORD_FIELDS:
                self.slots.pop(args.get("into", "rec"), None)
                return {"handle": 0}
            self.seen += 1
            self.slots[args.get("into", "rec")] = (self.seen, [None] * (count + 1))
            return {"handle": self.seen}
        held = self.slots.get(args.get("record", "rec"))
        fields = held[1] if held else None
        field = args.get("field", 0)
        value = fields[field] if fields is not None and field < len(fields) else None
        if kind == "record-field-count":
            return {"number": len(fields) - 1 if fields is not None else -1}
        if kind == "record-get-integer":
            return {"number": record_integer(value)}
        if kind == "record-is-null":
            # Windows answers FALSE for a handle that is no record.
            return {"number": int(value is None) if fields is not None else 0}
        if kind == "record-data-size":
            if isinstance(value, int):
                return {"number": 4}
            return {"number": len(value.encode("utf-16-le")) // 2 if value else 0}
        if fields is None:
            return {"rc": INVALID_HANDLE}
        if kind == "record-clear-data":
            fields[:] = [None] * len(fields)
            return {"rc": SUCCESS}
        if kind in ("record-set-string", "record-set-integer"):
            if field >= len(fields):
                return {"rc": INVALID_PARAMETER}
            new = args.get("value")
            if kind == "record-set-integer":
                fields[field] = None if new == NULL_INTEGER else new
            else:
                fields[field] = new or None
            return {"rc": SUCCESS}
        if kind == "record-get-string":
            text = "" if value is None else str(value)
            return string_result(text, args.get("buffer", "ample"))
        return {"unsupported": "`%s` is not implemented by %s" % (kind, NAME)}


def record_integer(value):
    """MsiRecordGetInteger: a plain decimal string wraps modulo 2^32; anything else is Null."""
    if isinstance(value, int):
        return value
    if not value:
        return NULL_INTEGER
    digits = value[1:] if value.startswith("-") else value
    if not digits or not all("0" <= c <= "9" for c in digits):
        return NULL_INTEGER
    n = int(digits) % 2**32
    if value.startswith("-"):
        n = (-n) % 2**32
    return n - 2**32 if n >= 2**31 else n


def string_result(value, buffer):
    """The string-getter buffer rules, in UTF-16 code units."""
    length = len(value.encode("utf-16-le")) // 2
    if buffer == "null-size":
        return {"rc": INVALID_PARAMETER}
    if buffer == "null-both":
        return {"rc": SUCCESS}
    if isinstance(buffer, dict) and "null-buffer" in buffer:
        return {"rc": SUCCESS, "size": length}
    capacity = buffer["sized"] if isinstance(buffer, dict) else AMPLE_BUFFER
    if capacity > length:
        return {"rc": SUCCESS, "value": value, "size": length}
    outcome = {"rc": MORE_DATA, "size": length}
    if capacity > 0:
        outcome["value"] = value[: capacity - 1]
    return outcome


def get_property(session, args, bad_handle, in_ca):
    name = args.get("name")
    if name is None:
        return {"rc": INVALID_PARAMETER}
    buffer = args.get("buffer", "ample")
    if buffer == "null-size":
        return {"rc": INVALID_PARAMETER}
    if bad_handle:
        return {"rc": INVALID_HANDLE}
    if buffer == "null-both":
        return {"rc": SUCCESS}
    value = session.get(name)
    ansi = args.get("ansi", False)
    length = len(value.encode("utf-16-le")) // 2 if not ansi else len(value)
    # Inside a custom action the A getters report required sizes in bytes.
    required = 2 * length if ansi and in_ca else length
    if isinstance(buffer, dict) and "null-buffer" in buffer:
        return {"rc": SUCCESS, "size": required}
    capacity = buffer["sized"] if isinstance(buffer, dict) else AMPLE_BUFFER
    if ansi and in_ca and "\0" in value:
        # The A bridge copies only up to the first NUL; the rest of the buffer is NULs.
        cut = value.index("\0")
        value = value[:cut] + "\0" * (len(value) - cut)
    if capacity > length:
        return {"rc": SUCCESS, "value": value, "size": length}
    outcome = {"rc": MORE_DATA, "size": required}
    if capacity > 0:
        outcome["value"] = value[: capacity - 1]
    return outcome


def get_mode(session, context, mode, bad_handle):
    if bad_handle:
        return {"number": 0}
    if mode in session.modes:
        return {"number": int(session.modes[mode])}
    if mode in (16, 17, 18):
        # SCHEDULED, ROLLBACK and COMMIT are all false outside the script.
        return {"number": 0}
    if mode in (0, 1, 2):
        # Not an administrative install, not advertising, not installed before.
        return {"number": 0}
    if mode == 3 and context != "package":
        return {"number": 0 if session.get("DISABLEROLLBACK") else 1}
    return {"unsupported": "run mode %d is not modelled by %s" % (mode, NAME)}


def log_result(code):
    return {
        SUCCESS: LOG_SUCCESS,
        FUNCTION_NOT_CALLED: LOG_NOT_EXECUTED,
        INSTALL_USEREXIT: LOG_USER_EXIT,
        INSTALL_SUSPEND: LOG_SUSPEND,
    }.get(code, LOG_FAILURE)


def log_to_code(result):
    return {
        LOG_SUCCESS: SUCCESS,
        LOG_NOT_EXECUTED: FUNCTION_NOT_CALLED,
        LOG_USER_EXIT: INSTALL_USEREXIT,
        LOG_SUSPEND: INSTALL_SUSPEND,
    }.get(result, INSTALL_FAILURE)


def op_kind(call):
    """An operation is `"name"` or `{"name": {arguments}}`."""
    if isinstance(call, str):
        return call
    (name,) = call.keys()
    return name


def op_args(call):
    return {} if isinstance(call, str) else next(iter(call.values()))


def answer(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main():
    trace = os.environ.get("MSICONF_PY_TRACE") == "1"
    greeted = False
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            kind = request["type"]
        except (ValueError, KeyError, TypeError) as e:
            answer({"type": "error", "kind": "bad-request", "message": "unreadable request: %s" % e})
            continue
        if trace:
            log("request", kind, request.get("id", ""))
        if kind == "hello":
            if request.get("protocol") != PROTOCOL_VERSION:
                answer({"type": "error", "kind": "bad-request",
                        "message": "this runtime speaks protocol %d" % PROTOCOL_VERSION})
                continue
            greeted = True
            answer({"type": "ready", "protocol": PROTOCOL_VERSION, "name": NAME, "version": VERSION,
                    "contexts": CONTEXTS, "operations": OPERATIONS})
        elif kind == "run":
            rid = request.get("id")
            if not greeted or not isinstance(rid, int) or "plan" not in request:
                answer({"type": "error", "id": rid, "kind": "bad-request",
                        "message": "a run needs a hello first, an integer id and a plan"})
                continue
            try:
                transcript = Runner(request["plan"]).run()
            except Unsupported as e:
                answer({"type": "error", "id": rid, "kind": "unsupported", "message": str(e)})
                continue
            except Exception as e:  # the implementation's own failure, reported as such
                log("plan %s failed: %r" % (rid, e))
                answer({"type": "error", "id": rid, "kind": "failed", "message": repr(e)})
                continue
            answer({"type": "transcript", "id": rid, "transcript": transcript})
        elif kind == "shutdown":
            return
        else:
            answer({"type": "error", "id": request.get("id"), "kind": "bad-request",
                    "message": "unknown message type `%s`" % kind})


if __name__ == "__main__":
    main()
