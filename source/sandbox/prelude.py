# The REPL's Python side: the API the model's code sees, and the block runner the worker calls.
# Loaded as module `_rlm` before the memory snapshot is taken, so it must not touch JavaScript
# at import time; install() connects it to the worker's bridge after (re)start.
import ast
import builtins
import codecs
import collections
import functools
import itertools
import json
import linecache
import math
import os
import posix
import random
import re
import signal
import string
import sys
import textwrap
import time
import traceback
import types
import inspect

RESERVED = (
    "context",
    "history",
    "answer",
    "llm_query",
    "llm_query_batched",
    "rlm_query",
    "rlm_query_batched",
    "llm_output",
    "FINAL",
    "FINAL_VAR",
    "SHOW_VARS",
)

# What a block's result lists of the user's variables (the parent caps what it shows again): the
# first names, each cut, and the count. A namespace of a million names must not become a message
# of a million names.
LISTED_VARIABLES = 1000
LISTED_NAME_CHARS = 200
LISTED_TYPE_CHARS = 100

# Reserved names that hold data (rather than API functions).
_DATA_NAMES = ("context", "history", "answer")
_MISSING = object()

# Modules that reach JavaScript, processes or raw memory: refused at import time. This is the
# first line only; the host process is the boundary.
BLOCKED_MODULES = frozenset(
    {
        "js",
        "pyodide_js",
        "ctypes",
        "_ctypes",
        "micropip",
        "pyodide.http",
        "pyodide.ffi.wrappers",
        "pyodide._run_js",
        "pyodide._nodesock_transport",
    }
)

_NO_PROCESSES = "processes are not available in the sandbox"


class _Blocker:
    """A meta path finder that refuses the modules above."""

    def find_spec(self, fullname, path=None, target=None):
        for blocked in BLOCKED_MODULES:
            if fullname == blocked or fullname.startswith(blocked + "."):
                raise ModuleNotFoundError(
                    f"module '{fullname}' is not available in the sandbox", name=fullname
                )
        return None

    def find_module(self, fullname, path=None):  # pragma: no cover - legacy protocol
        return None


class _State:
    host = None
    # The last sub-call's or host tool's reply (UTF-8 JSON), written here by the worker.
    reply = None
    ns = {}
    api = {}
    context = None
    context_backup = None
    history = []
    answer = {"content": "", "ready": False}
    # The list `history` was last set to (to tell a rebinding from the real one).
    history_list = None
    # The original RLM's multi-turn names: context_i is the context of this REPL's turn i, history_i
    # the root model's messages of earlier turn i ([{"role", "content"}]).
    contexts = []
    histories = []
    # This run's whole conversation, set when compaction replaced older turns by a summary.
    full_history = None
    # The user's tools (--tools FILE.py): their public functions, restored after every block.
    tools = {}
    # Values the model assigned to reserved data names this turn (restored after each block, but
    # FINAL_VAR of that name still means what the model put there).
    rebound = {}
    final = None
    block = 0
    # An interrupt that came while no block ran (e.g. a cancel just before this block began).
    interrupted = False
    # A context being loaded: (kind, parts, targets), see begin_context.
    loading = None
    probe = None


_st = _State()


def _to_text(value):
    """The answer as text: strings as they are, containers as JSON, the rest through str()."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (dict, list, tuple)):
        try:
            # One line when it is short ("[1, 2, 3]", as the original's str()), indented when not.
            compact = json.dumps(value, ensure_ascii=False, default=str)
            if len(compact) <= 80:
                return compact
            return json.dumps(value, ensure_ascii=False, indent=2, default=str)
        except Exception:
            return repr(value)
    return str(value)


def _answer_text(value):
    """A submitted answer as text; None and an empty container are no answer (""), which the engine
    refuses, while a falsy value that says something (0, False, 0.0) is kept as its text."""
    if value is None:
        return ""
    if isinstance(value, (str, bytes, bytearray, dict, list, tuple, set, frozenset)) and len(value) == 0:
        return ""
    return _to_text(value)


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _bridge(fn, prompts, model):
    if model is not None and not isinstance(model, str):
        raise TypeError(f"model must be a string or None, not {type(model).__name__}")
    if not prompts:
        return []
    _flush()
    host = _st.host
    if host is None:
        return ["Error: sub-calls are not available here"] * len(prompts)
    if _call_host(host.call, json.dumps({"fn": fn, "prompts": prompts, "model": model})) is None:
        raise KeyboardInterrupt("the sub-call was interrupted")
    results = json.loads(_take_reply())
    if not isinstance(results, list) or len(results) != len(prompts):
        return ["Error: the sub-call returned no answer"] * len(prompts)
    return [r if isinstance(r, str) else str(r) for r in results]


def reply_target(size):
    """Called by the worker: room for a reply's `size` UTF-8 bytes, which it writes there (the
    memory ceiling applies: MemoryError when there is no room)."""
    _st.reply = None
    _st.reply = bytearray(size)
    return _st.reply


def refuse_reply(size):
    """Called by the worker for a reply too big to ever fit under the memory ceiling (not sent)."""
    raise MemoryError(f"the reply is {size / 2**20:.0f} MB, too big for the REPL's memory: ask for less at once")


def _call_host(function, *args):
    """A bridge call; a reply with no room under the memory ceiling is a MemoryError raised here,
    without the worker's JavaScript frames (and their file paths) in the model's traceback."""
    try:
        return function(*args)
    except MemoryError as error:
        raise MemoryError(str(error) or "no room for the reply under the REPL's memory limit") from None


def _take_reply():
    reply = _st.reply
    _st.reply = None
    return reply


def _prompt_text(prompt, fn):
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, (bytes, bytearray)):
        return bytes(prompt).decode("utf-8", "replace")
    if prompt is None:
        raise TypeError(f"{fn}() needs a prompt string, got None")
    return str(prompt)


def _prompt_list(prompts, fn):
    if isinstance(prompts, (str, bytes, bytearray)):
        raise TypeError(f"{fn}() takes a list of prompts; for one prompt use {fn.replace('_batched', '')}()")
    try:
        items = list(prompts)
    except TypeError:
        raise TypeError(f"{fn}() takes a list of prompts, not {type(prompts).__name__}") from None
    return [_prompt_text(p, fn) for p in items]


def llm_query(prompt, model=None):
    """Ask a sub-model one question; it sees only `prompt`. Returns its answer as a string."""
    return _bridge("llm_query", [_prompt_text(prompt, "llm_query")], model)[0]


def llm_query_batched(prompts, model=None):
    """Ask several prompts at once (answered concurrently). Returns the answers in order."""
    return _bridge("llm_query_batched", _prompt_list(prompts, "llm_query_batched"), model)


def rlm_query(prompt, model=None):
    """Hand a sub-task to a child RLM with its own REPL. Returns its answer as a string."""
    return _bridge("rlm_query", [_prompt_text(prompt, "rlm_query")], model)[0]


def rlm_query_batched(prompts, model=None):
    """Several child RLMs at once. Returns their answers in order."""
    return _bridge("rlm_query_batched", _prompt_list(prompts, "rlm_query_batched"), model)


def llm_output(answer):
    """Submit the final answer."""
    if answer is _st.answer:
        # llm_output(answer) with the REPL's answer dict: its content is what was meant.
        content = _st.answer.get("content", "")
        if content in ("", None):
            raise ValueError(
                "llm_output(answer): `answer` is the REPL's answer dict and its content is empty. "
                "Pass your result itself, e.g. llm_output(result)."
            )
        answer = content
    text = _answer_text(answer)
    _st.answer["content"] = text
    _st.answer["ready"] = True
    _st.final = text


def FINAL(answer):
    """Submit the final answer (the original RLM's name for llm_output)."""
    llm_output(answer)


def _numbered():
    """The numbered names (context_0..., history_0...) and their values, this turn."""
    out = {}
    for index, value in enumerate(_st.contexts):
        out[f"context_{index}"] = value
    for index, value in enumerate(_st.histories):
        out[f"history_{index}"] = value
    if _st.full_history is not None:
        out["full_history"] = _st.full_history
    out.update(_st.tools)
    return out


def register_tools():
    """After a tools file ran: its public functions become reserved names (restored after every
    block, left out of SHOW_VARS), and their names, signatures and docstrings are printed as JSON."""
    numbered = _numbered()
    tools = {}
    for name, value in list(_st.ns.items()):
        if name.startswith("_") or name in RESERVED or (name in numbered and name not in _st.tools):
            continue
        if isinstance(value, types.FunctionType):
            tools[name] = value
    _st.tools = {**_st.tools, **tools}
    listing = []
    for name, fn in tools.items():
        try:
            signature = str(inspect.signature(fn))
        except (TypeError, ValueError):
            signature = "(...)"
        listing.append({"name": name, "signature": signature, "doc": inspect.getdoc(fn) or ""})
    print(json.dumps(listing))


class ToolError(RuntimeError):
    """A host tool (the library's `tools`) failed; the message says why, in one line."""


def _host_tool(name, description):
    """A Python function whose calls run the host tool `name` in the parent, through the bridge."""

    def tool(*args, **kwargs):
        if len(args) > 1 or (args and kwargs):
            raise TypeError(f"{name}() takes one argument or keyword arguments, not both")
        value = args[0] if args else (kwargs or None)
        try:
            payload = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name}(): its argument must be JSON data (str, int, float, bool, None, list, dict): {error}") from None
        _flush()
        host = _st.host
        if host is None:
            raise ToolError(f"{name}: host tools are not available here")
        if _call_host(host.tool, name, payload) is None:
            raise KeyboardInterrupt(f"the call to {name} was interrupted")
        outcome = json.loads(_take_reply())
        if isinstance(outcome, dict) and outcome.get("ok") is True:
            return outcome.get("value")
        error = outcome.get("error") if isinstance(outcome, dict) else None
        raise ToolError(str(error or f"{name} failed"))

    tool.__name__ = name
    tool.__qualname__ = name
    tool.__doc__ = description
    return tool


def register_host_tools(json_text):
    """Called by the sandbox: defines the host tools [{"name", "description"}] and ToolError as
    reserved names (restored after every block, left out of SHOW_VARS), as the --tools functions are."""
    tools = {}
    for spec in json.loads(json_text):
        name = str(spec["name"])
        if not name.isidentifier() or name.startswith("_") or name in RESERVED:
            raise ValueError(f"{name!r} cannot be a host tool's name")
        tools[name] = _host_tool(name, str(spec.get("description", "")))
    # What they raise, so code can catch it by name (`except ToolError`).
    tools["ToolError"] = ToolError
    _st.tools = {**_st.tools, **tools}
    _st.ns.update(tools)


def set_full_history(json_text):
    """Called by the engine after a compaction: the run's every message, as [{"role", "content"}]."""
    _st.full_history = json.loads(json_text)
    _st.ns["full_history"] = _st.full_history


def extend_full_history(json_text):
    """The messages since the last call, appended to full_history."""
    if _st.full_history is None:
        _st.full_history = []
    _st.full_history.extend(json.loads(json_text))
    _st.ns["full_history"] = _st.full_history


def _is_reserved(name):
    return name in RESERVED or name in _numbered()


def _reserved_value(key):
    """FINAL_VAR of a reserved name: what the model assigned to it, never the name itself."""
    current = _st.ns.get(key, _MISSING)
    if current is not _MISSING and current is not _expected(key):
        if key == "answer" and isinstance(current, dict) and "content" in current:
            return current["content"]
        return current
    if key in _st.rebound:
        return _st.rebound[key]
    if key == "answer" and _st.answer.get("content") not in ("", None):
        return _st.answer["content"]
    what = {
        **{name: "an earlier turn's context or messages" for name in _numbered()},
        "context": "the input you were given",
        "history": "the earlier turns of this chat",
        "answer": "the REPL's answer dict, and its content is empty",
    }.get(key, "one of the REPL's functions")
    raise NameError(
        f"FINAL_VAR({key!r}): {key!r} is a reserved name ({what}), not a variable of yours. "
        f"Store your result under another name (result = ...) and call FINAL_VAR('result'), "
        "or submit it directly with llm_output(value)."
    )


def FINAL_VAR(name_or_value):
    """Submit the final answer: the variable with this name, or the value itself."""
    value = name_or_value
    if isinstance(name_or_value, str):
        key = name_or_value.strip()
        if _is_reserved(key):
            value = _reserved_value(key)
        elif key in _st.ns:
            value = _st.ns[key]
        elif key.isidentifier():
            # A typo must not end the run with the variable's name as the answer.
            raise NameError(
                f"FINAL_VAR({key!r}): there is no variable named {key!r}. "
                "SHOW_VARS() lists your variables; to submit text itself, use llm_output(text)."
            )
    llm_output(value)


def _user_variables():
    out = []
    numbered = _numbered()
    for name, value in list(_st.ns.items()):
        if name in RESERVED or name in numbered or (name.startswith("__") and name.endswith("__")):
            continue
        if isinstance(value, types.ModuleType):
            continue
        out.append({"name": name, "type": type(value).__name__})
    return out


def _cut(text, limit):
    return text[:limit] + "…" if isinstance(text, str) and len(text) > limit else text


def _listed_variables():
    """What a block's result says of the user's variables: the first ones, cut, and the count."""
    found = _user_variables()
    listed = [
        {"name": _cut(v["name"], LISTED_NAME_CHARS), "type": _cut(v["type"], LISTED_TYPE_CHARS)}
        for v in found[:LISTED_VARIABLES]
    ]
    return {"variables": listed, "variableCount": len(found)}


def _answer_draft():
    """answer["content"] when it is set and not submitted (the best answer of a stopped run)."""
    try:
        if _st.answer.get("ready"):
            return None
        content = _st.answer.get("content")
        if content is None or content == "":
            return None
        return _to_text(content)
    except BaseException:  # noqa: BLE001 - a draft is optional
        return None


def SHOW_VARS():
    """The names and types of your variables, as text."""
    found = _user_variables()
    if not found:
        return "No variables yet."
    return "Variables: " + ", ".join(f"{v['name']} ({v['type']})" for v in found)


_API_FUNCTIONS = {
    "llm_query": llm_query,
    "llm_query_batched": llm_query_batched,
    "rlm_query": rlm_query,
    "rlm_query_batched": rlm_query_batched,
    "llm_output": llm_output,
    "FINAL": FINAL,
    "FINAL_VAR": FINAL_VAR,
    "SHOW_VARS": SHOW_VARS,
}


def _restore():
    ns = _st.ns
    ns.update(_API_FUNCTIONS)
    if _st.context_backup is not None:
        if isinstance(_st.context, dict):
            _st.context.clear()
            _st.context.update(_st.context_backup)
        else:
            _st.context[:] = _st.context_backup
    ns["context"] = _st.context
    _st.history_list = [{"question": q, "answer": a} for q, a in _st.history]
    ns["history"] = _st.history_list
    ns.update(_numbered())
    ns["answer"] = _st.answer
    ns["__name__"] = "__main__"
    ns["__builtins__"] = builtins


def _expected(name):
    """What a reserved name is bound to between blocks."""
    if name == "context":
        return _st.context
    if name == "history":
        return _st.history_list
    if name == "answer":
        return _st.answer
    if name in _API_FUNCTIONS:
        return _API_FUNCTIONS[name]
    return _numbered().get(name)


def _note_rebinding():
    """Reserved names the block rebound or deleted: their values are kept for FINAL_VAR, and the
    model is told (in the block's output) that the names are restored."""
    ns = _st.ns
    changed = []
    numbered = _numbered()
    for name in (*RESERVED, *numbered):
        current = ns.get(name, _MISSING)
        if current is _expected(name):
            continue
        if name == "answer" and isinstance(current, dict):
            continue  # the original RLM's protocol: answer = {"content": ..., "ready": True}
        changed.append(name)
        if current is not _MISSING and (name in _DATA_NAMES or name in numbered):
            _st.rebound[name] = current
    if not changed:
        return
    names = ", ".join(f"`{name}`" for name in changed)
    kept = [name for name in changed if name in _st.rebound]
    print(
        f"Note: {names} {'is a reserved name' if len(changed) == 1 else 'are reserved names'} of the REPL "
        f"and {'was' if len(changed) == 1 else 'were'} restored after this block. Use other names for your own data"
        + (f"; FINAL_VAR({kept[0]!r}) still submits the value you assigned." if kept else "."),
        file=sys.stderr,
    )


def _reset_answer():
    _st.answer.clear()
    _st.answer["content"] = ""
    _st.answer["ready"] = False
    _st.final = None


# ---- called by the worker -------------------------------------------------------------------


def _sleep(seconds):
    seconds = float(seconds)
    if seconds != seconds or seconds < 0:
        raise ValueError("sleep length must be non-negative")
    _flush()
    host = _st.host
    if host is not None and not host.sleep(seconds):
        raise KeyboardInterrupt


def _refuse(*args, **kwargs):
    raise OSError(_NO_PROCESSES)


def _no_input(*args, **kwargs):
    raise EOFError("input() is not available: there is no one at the keyboard in this REPL")


def _harden():
    if not any(isinstance(f, _Blocker) for f in sys.meta_path):
        sys.meta_path.insert(0, _Blocker())
    for name in list(sys.modules):
        root = name.split(".")[0]
        if root in ("js", "pyodide_js", "ctypes", "_ctypes"):
            del sys.modules[name]
    for mod in (os, posix):
        for attr in ("system", "popen", "execv", "execve", "execl", "execle", "execlp", "execvp",
                     "execvpe", "spawnv", "spawnve", "fork", "forkpty", "posix_spawn", "posix_spawnp"):
            if hasattr(mod, attr):
                setattr(mod, attr, _refuse)
    time.sleep = _sleep
    builtins.input = _no_input
    os.environ.pop("_", None)  # the host's script path: nothing Python needs


def _defer_interrupt(signum, frame):
    """Between blocks an interrupt is only noted: the next block starts by raising it."""
    _st.interrupted = True


def clear_interrupt():
    """Called by the worker before a block when no interrupt is waiting for it."""
    _st.interrupted = False


def install(host):
    """Connects the REPL to the worker (after a cold start or a snapshot restore)."""
    _st.host = host
    signal.signal(signal.SIGINT, _defer_interrupt)
    _harden()
    random.seed()
    if not _st.ns:
        _st.ns = {}
    _restore()


# Bytes before the characters of a compact ASCII str (CPython's PyASCIIObject): getsizeof counts
# the header, the characters and a NUL. An ASCII part of the context is written there directly by
# the worker, so a 100 MB context takes 100 MB of Python's memory, not a buffer and a str.
_ASCII_HEADER = sys.getsizeof("ab") - 3


def ascii_probe(text):
    """The heap address of a fresh ASCII str's characters (the worker checks it reads `text`)."""
    _st.probe = text
    return id(text) + _ASCII_HEADER


def _drop_context():
    # Drop the old context first, so loading a big one never holds both.
    _st.context = None
    _st.context_backup = None
    _st.loading = None
    _st.ns["context"] = None


def begin_context(kind, parts_json, ascii_in_place):
    """Makes room for the context's parts ([name, UTF-8 bytes, ASCII] each): an ASCII text of two
    or more characters is a str of that length whose characters the worker overwrites (nothing
    else has seen it yet); anything else a bytearray decoded by end_context. Returns each part's
    character address, or -1 for a bytearray (the worker takes its buffer)."""
    _drop_context()
    _st.probe = None
    parts = json.loads(parts_json)
    targets = []
    for _name, size, ascii in parts:
        if ascii_in_place and ascii and size >= 2 and kind in ("str", "dict"):
            targets.append(" " * size)
        else:
            targets.append(bytearray(size))
    _st.loading = (kind, parts, targets)
    return json.dumps([id(t) + _ASCII_HEADER if isinstance(t, str) else -1 for t in targets])


def context_target(index):
    return _st.loading[2][index]


def abandon_context():
    _st.loading = None


def _part_text(targets, index):
    target = targets[index]
    targets[index] = None  # a decoded buffer is freed before the next part is decoded
    if isinstance(target, str):
        return target
    return codecs.utf_8_decode(target, "strict", True)[0]


def end_context():
    """Sets `context` from the parts the worker filled: a str, a dict of text, or JSON text (any
    JSON value). A dict's or a list's items are restored after every block."""
    kind, parts, targets = _st.loading
    _st.loading = None
    if kind == "str":
        value = _part_text(targets, 0)
        backup = None
    elif kind == "dict":
        value = {name: _part_text(targets, i) for i, (name, _size, _ascii) in enumerate(parts)}
        backup = dict(value)
    elif kind == "json":
        value = json.loads(_part_text(targets, 0))
        backup = dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else None
    else:
        value = None
        backup = None
    _st.context = value
    _st.context_backup = backup
    _restore()


def _turn_messages(entry):
    """An earlier turn's messages as the original's history_i holds them (role and content); a
    question and its answer when the messages are not known (a resumed or an API client's turn)."""
    messages = entry.get("messages")
    if isinstance(messages, list):
        return [{"role": str(m.get("role", "")), "content": str(m.get("content", ""))} for m in messages if isinstance(m, dict)]
    return [
        {"role": "user", "content": str(entry.get("question", ""))},
        {"role": "assistant", "content": str(entry.get("answer", ""))},
    ]


def begin_turn(history_json):
    entries = json.loads(history_json)
    _st.history = [(str(e.get("question", "")), str(e.get("answer", ""))) for e in entries]
    # Built once per turn (not at every restore): the names are rebound after each block, as the
    # original does, but in-place edits of an earlier turn's list are the model's own business.
    _st.histories = [_turn_messages(e) for e in entries]
    _st.full_history = None
    _st.ns.pop("full_history", None)
    _st.contexts.append(_st.context)
    _st.rebound = {}
    _reset_answer()
    _restore()


def _display(value):
    if value is None:
        return
    if isinstance(value, str):
        print(value)
    else:
        print(repr(value))


class _CycleFrames(traceback.StackSummary):
    """Frames in which a cycle of 2 to 8 of them (a calls b calls a) repeated more than twice in a
    row is written once, then counted, as Python counts one frame repeated: mutual recursion would
    fill the traceback with the same lines before the cut below. Words as sandbox/repeated-frames.ts.
    One frame repeated is counted here too, as Python words it, before the standard formatting sees
    the run: it formats every frame before it skips a repeat (3.13+: caret positions parsed per
    frame), which took about 8 s for the 100,000 frames of sys.setrecursionlimit(100000)."""

    def format(self, **kwargs):
        frames = list(self)
        key = [(frame.filename, frame.lineno, frame.name) for frame in frames]
        out, start, i, n = [], 0, 0, len(frames)
        while i < n:
            same = 1
            while i + same < n and key[i + same] == key[i]:
                same += 1
            if same > 3:
                more = same - 3
                out.extend(traceback.StackSummary.from_list(frames[start:i + 3]).format(**kwargs))
                out.append(f"  [Previous line repeated {more} more time{'s' if more > 1 else ''}]\n")
                i += same
                start = i
                continue
            found = None
            if i + 1 < n and key[i] != key[i + 1]:
                for k in range(2, 9):
                    if i + 3 * k > n:
                        break
                    r = 1
                    while i + (r + 1) * k <= n and key[i + r * k:i + (r + 1) * k] == key[i:i + k]:
                        r += 1
                    if r >= 3:
                        found = (k, r)
                        break
            if found is None:
                i += 1
                continue
            k, r = found
            out.extend(traceback.StackSummary.from_list(frames[start:i + k]).format(**kwargs))
            out.append(f"  [Previous {k} frames repeated {r - 1} more times]\n")
            i += k * r
            start = i
        out.extend(traceback.StackSummary.from_list(frames[start:]).format(**kwargs))
        return out


def _cycles_counted(te, seen):
    if te is None or id(te) in seen:
        return
    seen.add(id(te))
    te.stack = _CycleFrames(te.stack)
    _cycles_counted(te.__cause__, seen)
    _cycles_counted(te.__context__, seen)
    for inner in getattr(te, "exceptions", None) or ():
        _cycles_counted(inner, seen)


def _format_error(exc, filename):
    tb = exc.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith("<block"):
        tb = tb.tb_next
    if isinstance(exc, SyntaxError) and tb is None:
        lines = traceback.format_exception_only(type(exc), exc)
    else:
        # Source lines are read for the frames shown (FrameSummary.line), not for every frame.
        te = traceback.TracebackException(type(exc), exc, tb, lookup_lines=False)
        _cycles_counted(te, set())
        lines = te.format()
    text = "".join(lines).rstrip()
    if len(text) > 6000:
        # The head holds the traceback and the exception's type; the tail the innermost frames or
        # the end of a long message.
        text = f"{text[:3000]}\n... [{len(text) - 6000:,} characters cut] ...\n{text[-3000:]}"
    return text


def _drop_traceback(exc):
    """Frees a traceback one frame at a time, the innermost first, each while its caller's frame is
    still held. Freed as one chain, each frame (through f_back) and traceback entry frees the next
    from inside its own deallocation: past tens of thousands of frames (sys.setrecursionlimit(100000))
    that overflows the Wasm engine's stack and crashes the interpreter (CPython's guard against deep
    deallocation measures a C stack that is not the one that runs out here). No other name may hold
    an entry meanwhile: the one it holds would free all the frames above it at once."""
    entries = []
    tb = exc.__traceback__
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    exc.__traceback__ = None
    for index in range(len(entries)):
        entries[index].tb_next = None
    while entries:
        entries.pop()


def run(code):
    """Runs one block in the persistent namespace. Returns a JSON summary for the worker."""
    _st.block += 1
    filename = f"<block {_st.block}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    stale = f"<block {_st.block - 64}>"
    linecache.cache.pop(stale, None)
    _st.final = None
    ns = _st.ns
    ok = True
    error = None
    error_type = None
    try:
        # Interrupts (timeouts) reach the block only: a block that ignored SIGINT gets the
        # default back, and the bookkeeping after it cannot be interrupted half-way.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            if _st.interrupted:
                raise KeyboardInterrupt("interrupted before the block started")
            tree = ast.parse(code, filename, "exec")
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, filename, "exec"), ns)
            if last is not None:
                _display(eval(compile(last, filename, "eval"), ns))
        finally:
            signal.signal(signal.SIGINT, _defer_interrupt)
    except BaseException as exc:  # noqa: BLE001 - everything is reported to the model
        ok = False
        error_type = type(exc).__name__
        error = _format_error(exc, filename)
        try:
            _drop_traceback(exc)
        except BaseException:  # noqa: BLE001 - out of memory, say: the traceback is freed as before
            pass
    finally:
        _flush()
    final = _st.final
    current = ns.get("answer")
    if final is None and isinstance(current, dict) and current.get("ready"):
        final = _answer_text(current.get("content", ""))
    if current is not _st.answer and isinstance(current, dict):
        _st.answer["content"] = current.get("content", "")
        _st.answer["ready"] = bool(current.get("ready"))
    try:
        _note_rebinding()
        _flush()
    except BaseException:  # noqa: BLE001 - a note must never fail the block
        pass
    try:
        _restore()
        listed = _listed_variables()
    except BaseException as exc:  # noqa: BLE001
        listed = {"variables": [], "variableCount": 0}
        if ok:
            ok = False
            error_type = type(exc).__name__
            error = f"{error_type}: {exc}"
    return json.dumps(
        {"ok": ok, "error": error, "errorType": error_type, "final": final, **listed,
         "answerDraft": None if final is not None else _answer_draft()},
        ensure_ascii=False,
    )


def recover(message):
    """After run() itself failed (an interrupt in its bookkeeping): put the namespace back."""
    signal.signal(signal.SIGINT, _defer_interrupt)
    _restore()
    return json.dumps(
        {"ok": False, "error": message, "errorType": "KeyboardInterrupt", "final": None,
         **_listed_variables(), "answerDraft": _answer_draft()},
        ensure_ascii=False,
    )
