"""The unsandboxed reference for `npm run bench`: an RLM loop in-process, as the original RLM
(alexzhang13/rlm) and the seed (rlm-rs) run it, written here with the standard library only.

Model-written code runs with `exec` in this very process (no isolation, no timeout), the context
is a plain str in the namespace, and the model is called with plain HTTP (urllib, JSON, no
streaming). It speaks the same OpenAI wire format to the same fake server as rlm-tui, and follows
the same loop: a system prompt, a metadata message with the context's type and size, then per
turn every ```repl block of the reply run in order, its output (capped at 20,000 characters) and
the variable names fed back, until code sets the answer (`answer["ready"] = True`,
`FINAL_VAR(name)` or `llm_output(text)`) or the turns run out.

Usage: reference_rlm.py BASE_URL MODEL PROMPT [CONTEXT_FILE]
Prints the answer on stdout, exits 0; 1 when the turns ran out with no answer.
"""

import contextlib
import io
import json
import re
import sys
import threading
import urllib.request

MAX_ITERATIONS = 30
MAX_OUTPUT_CHARS = 20_000
BLOCK = re.compile(r"```repl[ \t]*\n(.*?)```", re.DOTALL)

SYSTEM_PROMPT = (
    "You answer by writing Python in ```repl blocks. The context is in the variable `context`. "
    "llm_query(prompt) asks a sub-model; llm_query_batched(prompts) asks several at once. "
    'Set answer["content"] and answer["ready"] = True (or FINAL_VAR(name)) to answer.'
)


def chat(base_url, model, messages):
    """One chat completion: POST /chat/completions, JSON in and out; the reply's text."""
    body = json.dumps({"model": model, "messages": messages}).encode("utf-8")
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=body,
        headers={"content-type": "application/json", "authorization": "Bearer none"},
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        reply = json.loads(response.read())
    return reply["choices"][0]["message"]["content"] or ""


def make_namespace(base_url, model, context):
    """The REPL's globals: context, answer, and the sub-call and answer functions."""
    state = {"final": None}
    answer = {"content": "", "ready": False}

    def llm_query(prompt, model_name=None):
        return chat(base_url, model_name or model, [{"role": "user", "content": str(prompt)}])

    def llm_query_batched(prompts, model_name=None):
        results = [None] * len(prompts)

        def one(i, prompt):
            try:
                results[i] = llm_query(prompt, model_name)
            except Exception as error:  # a failing slot holds its error, as in the original
                results[i] = f"Error: {error}"

        threads = [threading.Thread(target=one, args=(i, p)) for i, p in enumerate(prompts[:16])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for i, prompt in enumerate(prompts[16:], start=16):
            one(i, prompt)
        return results

    def FINAL_VAR(name):
        state["final"] = str(namespace[name]) if name in namespace else f"Error: no variable {name}"
        return state["final"]

    def llm_output(text):
        state["final"] = str(text)

    namespace = {
        "__name__": "__main__",
        "context": context,
        "answer": answer,
        "llm_query": llm_query,
        "llm_query_batched": llm_query_batched,
        "FINAL_VAR": FINAL_VAR,
        "llm_output": llm_output,
    }
    return namespace, state, answer


def run_block(code, namespace):
    """exec in the shared namespace; stdout and stderr captured; the error's last line kept."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            exec(compile(code, "<repl>", "exec"), namespace)
        except Exception as error:
            print(f"{type(error).__name__}: {error}")
    text = out.getvalue()
    if len(text) > MAX_OUTPUT_CHARS:
        text = text[:MAX_OUTPUT_CHARS] + f"... + [{len(text) - MAX_OUTPUT_CHARS} chars...]"
    return text


def main():
    base_url, model, prompt = sys.argv[1], sys.argv[2], sys.argv[3]
    if len(sys.argv) > 4:
        with open(sys.argv[4], encoding="utf-8") as file:
            context = file.read()
    else:
        context = prompt
    namespace, state, answer = make_namespace(base_url, model, context)
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": f"Your context is a {type(context).__name__} of {len(context)} total characters.\n"
            f"Question: {prompt}\nTurn 1/{MAX_ITERATIONS}: look at the context first.",
        },
    ]
    for turn in range(1, MAX_ITERATIONS + 1):
        reply = chat(base_url, model, messages)
        messages.append({"role": "assistant", "content": reply})
        feedback = []
        for code in BLOCK.findall(reply):
            output = run_block(code, namespace)
            feedback.append(f"Code executed:\n```python\n{code}\n```\n\nREPL output:\n{output}")
            if state["final"] is not None or answer.get("ready"):
                print(state["final"] if state["final"] is not None else answer["content"])
                return 0
        names = [name for name in namespace if not name.startswith("__") and not callable(namespace[name])]
        feedback.append(f"REPL variables: {names}\nTurn {turn + 1}/{MAX_ITERATIONS}.")
        messages.append({"role": "user", "content": "\n\n".join(feedback)})
    return 1


if __name__ == "__main__":
    sys.exit(main())
