"""An agent that acts: it wakes on a timer, asks a model through the port, keeps the answer
and publishes it as an HTML page (docs/guide/agent.md).

A sandboxed Python actor (spec chapter 9): each transition is one run of this file. Its
state is the directory it runs in (/core): the workspace's data (`model_url`, `model`,
`question`, `board`, `delay`) and what it keeps (`answer`, `status`, `page.html`). It
reads its messages from /input/transition.json and declares what it sends in
/out/sends.json. It never sees the API key: the request's header names the operator's
secret, `${secret:model_key}`, and the port puts the value in on the wire (PORT-009.2).

- its genesis (TIM-002): it asks the timer party to wake it `delay` ms later;
- the fire (`wake`, TIM-003.1): it asks the port for a chat completion (PORT-001.2),
  its answer as one blob (PORT-008.3);
- `port-response` (PORT-008.1): it keeps the model's text, or the status of a refusal;
- `port-failed` (PORT-008.2): it keeps the failure's class;
- `ask` from anyone: the message's text is the new question, asked at the next wake.

After each answer it sends its page, an HTML document with every text escaped, to the
`board` actor (a `requester` test actor, WIT-026), whose query `answer` a service serves
as `text/html` (HTTP-006.1): a Python actor answers no query itself (SBX-014.1).
"""

import base64
import html
import json
import os

TIMER = "11823c2f8ea7156efb8fcc261c72d5c254584cd3fcdecd1f6bb93d2d755bcada"  # TIM-001.1
PORT = "a216feef0c53c321039fdc5f0c77a0e99bbb6e7bcca962e8ce2d5c19341a3754"  # PORT-001.1


def read(name, default=""):
    """A file of the core as text, ``default`` when it is absent."""
    if not os.path.exists(name):
        return default
    with open(name, encoding="utf-8") as file:
        return file.read().strip()


def write(name, text):
    with open(name, "w", encoding="utf-8") as file:
        file.write(text)


def encoded(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def wake_me():
    """A timer to this actor, `delay` ms after the timer party reads it (TIM-002)."""
    headers = {"mt": "timer-set", "timer-mt": "wake", "timer-after": read("delay", "1000")}
    return {"to": TIMER, "headers": headers}


def ask_the_model():
    """A port request: POST of a chat-completions body, the key by reference (PORT-009.2)."""
    body = {
        "model": read("model", "gpt-4o-mini"),
        "messages": [
            {"role": "system", "content": "Answer in one short paragraph."},
            {"role": "user", "content": read("question", "What is an actor?")},
        ],
    }
    headers = {
        "mt": "port-request",
        "port-method": "POST",
        "port-url": read("model_url"),
        "port-answer": "blob",  # the body as one blob, which a Python actor reads (PORT-008.3)
        "port-time-limit": "30000",
    }
    request_headers = {
        "authorization": "Bearer ${secret:model_key}",
        "content-type": "application/json",
    }
    tree = {
        "headers": {"headers": request_headers},
        "body": {"data": encoded(json.dumps(body))},
    }
    return {"to": PORT, "headers": headers, "tree": tree}  # a tree content (SBX-012.5)


def the_models_text(message):
    """The answer's text from a chat-completions response, or why there is none."""
    status = message["headers"].get("port-status", "")
    data = base64.b64decode(message["data"] or "")
    if status != "200":
        return "error", f"the model answered status {status}"
    try:
        return "ok", json.loads(data)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return "error", "the model's answer is not a chat completion"


def page(status, answer):
    """The HTML document of the last answer; every text escaped."""
    question = html.escape(read("question", "What is an actor?"))
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>The agent\'s answer</title>'
        "</head><body>\n"
        f"<h1>{question}</h1>\n"
        f'<p id="status">{html.escape(status)}</p>\n'
        f'<p id="answer">{html.escape(answer)}</p>\n'
        "</body></html>\n"
    )


with open("/input/transition.json", encoding="utf-8") as transition:
    messages = json.load(transition)["messages"]
sends = []
answered = None
for message in messages:
    mt, sender = message["headers"].get("mt"), message["from"]
    if mt == "genesis":
        sends.append(wake_me())
    elif mt == "wake" and sender == TIMER:
        sends.append(ask_the_model())
    elif mt == "ask" and message["data"] is not None:
        write("question", base64.b64decode(message["data"]).decode("utf-8", "replace"))
        sends.append(wake_me())
    elif mt == "port-response" and sender == PORT:
        answered = the_models_text(message)
    elif mt == "port-failed" and sender == PORT:
        answered = ("failed", message["headers"].get("error", "port-failed"))

if answered is not None:
    status, answer = answered
    write("status", status)
    write("answer", answer)
    write("page.html", page(status, answer))
    if read("board"):
        published = encoded(read("page.html"))
        sends.append({"to": read("board"), "headers": {"mt": "echo"}, "data": published})

if sends:
    with open("/out/sends.json", "w") as file:
        json.dump(sends, file)
