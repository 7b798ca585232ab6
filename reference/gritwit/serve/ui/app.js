// The status page of a gritwit service (spec/10-http.md, HTTP-014.3).
//
// Plain JavaScript, no build step, nothing from another origin.  It reads:
//   /ui/actors.json          the actors, with their pending counts (the page's own list)
//   /metrics                 the totals (HTTP-014.1), if the service serves them
//   /v1                      the protocol and spec version (HTTP-001.6)
//   /v1/actors/{a}, …/history, /v1/objects/{id}   one actor's page (HTTP-007, HTTP-009.1)
//   /v1/events               lifecycle events as they happen (HTTP-008)
// Every text it shows goes in through textContent: nothing from the store is parsed as HTML.
"use strict";

const REFRESH_MS = 2000;
const EVENTS_KEPT = 100;
const HISTORY_SHOWN = 20;
const TREE_DEPTH = 3; // levels of the head's core fetched at once; deeper ones on opening
const BLOB_SHOWN = 2048; // bytes of a blob shown

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function short(id) {
  return id ? id.slice(0, 12) : "—";
}

async function getJson(path) {
  const answer = await fetch(path, { headers: { accept: "application/json" } });
  if (!answer.ok) throw new Error(`${path}: ${answer.status}`);
  return answer.json();
}

// --- totals, from /metrics (the Prometheus text format) ------------------------------

function parseMetrics(text) {
  const sums = {};
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    sums[match[1]] = (sums[match[1]] || 0) + Number(match[3]);
  }
  return sums;
}

async function renderTotals(listed) {
  const totals = document.getElementById("totals");
  const shown = [
    ["actors", listed.total],
    ["failed", listed.failed],
  ];
  try {
    const answer = await fetch("/metrics");
    if (answer.ok) {
      const sums = parseMetrics(await answer.text());
      shown.push(
        ["transitions", sums.gritwit_transitions_total],
        ["failed attempts", sums.gritwit_failures_total],
        ["pending messages", sums.gritwit_pending_messages],
        ["resident", sums.gritwit_resident_actors],
        ["fuel", sums.gritwit_fuel_consumed_total],
      );
    }
  } catch (error) {
    // no metrics: the list's own totals only
  }
  totals.replaceChildren(
    ...shown.map(([label, value]) =>
      el("div", { class: "total", "data-total": label },
        el("b", {}, value === undefined ? "—" : Number(value).toLocaleString("en")),
        el("span", {}, label)))
  );
}

// --- the list -------------------------------------------------------------------------

function statusOf(actor) {
  if (actor.failed) return "failed";
  return actor.pending > 0 ? "busy" : "ok";
}

async function renderList(main) {
  const listed = await getJson("/ui/actors.json");
  renderTotals(listed);
  const rows = listed.actors.map((actor) => {
    const status = statusOf(actor);
    return el("tr", { class: status, "data-actor": actor.actor, "data-status": status },
      el("td", { class: "status", title: status, "aria-label": status }),
      el("td", {}, el("a", { class: "id", href: `#/actor/${actor.actor}` }, short(actor.actor))),
      el("td", {}, (actor.names || []).join(", ")),
      el("td", { class: "id" }, short(actor.head)),
      el("td", { class: "num" }, actor.pending),
      // null: an actor of another share, which this service does not run
      el("td", {}, actor.resident === null ? "—" : actor.resident ? "yes" : "no"),
      el("td", {}, actor.failed ? el("span", { class: "mark" }, actor.failed.class) : ""));
  });
  const head = el("tr", {}, ...["", "actor", "names", "head", "pending", "resident", "failed"]
    .map((title) => el("th", {}, title)));
  const more = listed.total > listed.actors.length
    ? el("p", { class: "note" }, `${listed.actors.length} of ${listed.total} actors shown`)
    : null;
  main.replaceChildren(...[
    el("h2", {}, "Actors"),
    rows.length ? el("table", { id: "actors" }, el("thead", {}, head), el("tbody", {}, ...rows))
      : el("p", { class: "note" }, "No actor has a head yet."),
    more].filter((node) => node !== null));
}

// --- one actor ------------------------------------------------------------------------

function blobText(description) {
  const hex = description.data || "";
  const bytes = new Uint8Array(Math.min(hex.length / 2, BLOB_SHOWN));
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) text = null;
  } catch (error) {
    text = null;
  }
  const size = hex.length / 2;
  const cut = size > BLOB_SHOWN ? ` … (${size} bytes)` : "";
  return (text === null ? hex.slice(0, BLOB_SHOWN * 2) : text) + cut;
}

async function objectNode(id, depth) {
  let description;
  try {
    description = await getJson(`/v1/objects/${id}`);
  } catch (error) {
    return el("span", { class: "note" }, `${short(id)} (${error.message})`);
  }
  if (description.type === "blob") {
    return el("pre", { class: "blob", "data-object": id }, blobText(description));
  }
  if (description.type !== "tree") {
    return el("span", { class: "id" }, `${description.type} ${short(id)}`);
  }
  const list = el("ul", { class: "tree", "data-object": id });
  for (const [name, child] of Object.entries(description.entries)) {
    const item = el("li", {}, el("span", { class: "entry-name" }, name), " ", el("span", { class: "id note" }, short(child)));
    if (depth > 1) {
      item.append(await objectNode(child, depth - 1));
    } else {
      const more = el("details", {}, el("summary", {}, "open"));
      more.addEventListener("toggle", async () => {
        if (more.open && more.children.length === 1) more.append(await objectNode(child, TREE_DEPTH));
      }, { once: true });
      item.append(more);
    }
    list.append(item);
  }
  return list;
}

async function renderActor(main, actor) {
  const entry = await getJson(`/v1/actors/${actor}`);
  // an actor failed at its genesis has no head, so no history (HTTP-007.9)
  const history = entry.head
    ? await getJson(`/v1/actors/${actor}/history?limit=${HISTORY_SHOWN}`)
    : { steps: [], next: null };
  const failed = entry.failed
    ? el("span", { class: "mark" }, `${entry.failed.class}: ${entry.failed.reason}`) : "no";
  const facts = el("dl", { class: "entry" },
    el("dt", {}, "actor"), el("dd", { class: "id" }, entry.actor),
    el("dt", {}, "names"), el("dd", {}, entry.names.length ? entry.names.join(", ") : "—"),
    el("dt", {}, "head"), el("dd", { class: "id" }, entry.head || "— (no step: its genesis failed)"),
    el("dt", {}, "time"), el("dd", {}, entry.time || "—"),
    el("dt", {}, "code"), el("dd", { class: "id" }, entry.code || "—"),
    el("dt", {}, "failed"), el("dd", {}, failed),
    el("dt", {}, "busy"), el("dd", {}, entry.busy ? "yes" : "no"),
    el("dt", {}, "share"), el("dd", {}, entry.share === null ? "—" : entry.share));
  const steps = history.steps.map((step, index) =>
    el("tr", {},
      el("td", { class: "num" }, index === 0 ? "head" : `-${index}`),
      el("td", { class: "id" }, short(step.step)),
      el("td", { class: "id" }, short(step.core)),
      el("td", { class: "id" }, short(step.inbox)),
      el("td", { class: "id" }, short(step.outbox))));
  const head = el("tr", {}, ...["", "step", "core", "inbox", "outbox"].map((t) => el("th", {}, t)));
  const core = history.steps.length ? await objectNode(history.steps[0].core, TREE_DEPTH) : "";
  main.replaceChildren(
    el("p", {}, el("a", { href: "#/", id: "back" }, "← all actors")),
    el("section", { class: "panel" }, el("h2", {}, `Actor ${short(actor)}`), facts),
    el("section", { class: "panel" }, el("h2", {}, "State: the head step's core"), core),
    el("section", { class: "panel" }, el("h2", {}, "Recent steps, newest first"),
      el("table", { id: "history" }, el("thead", {}, head), el("tbody", {}, ...steps)),
      history.next ? el("p", { class: "note" }, `older steps: /v1/actors/${actor}/history?before=${history.next}`) : null));
}

// --- routing and refreshing -----------------------------------------------------------

let rendering = null;
let again = false; // asked to render while rendering: once more after it (a hash changed)

function actorOfHash() {
  const match = /^#\/actor\/([0-9a-f]{64})$/.exec(location.hash);
  return match ? match[1] : null;
}

async function render() {
  const main = document.getElementById("main");
  const actor = actorOfHash();
  try {
    if (actor) await renderActor(main, actor);
    else await renderList(main);
  } catch (error) {
    main.replaceChildren(el("p", { class: "mark" }, `Could not read the service: ${error.message}`));
  }
}

function refresh() {
  if (rendering !== null) {
    again = true;
    return rendering;
  }
  rendering = render().finally(() => {
    rendering = null;
    if (again) {
      again = false;
      refresh();
    }
  });
  return rendering;
}

function listenForEvents() {
  const state = document.getElementById("events-state");
  const list = document.getElementById("events");
  const source = new EventSource("/v1/events");
  source.onopen = () => { state.textContent = "listening"; };
  source.onerror = () => { state.textContent = "disconnected; retrying"; };
  for (const kind of ["archived", "restore-requested", "restored"]) {
    source.addEventListener(kind, (event) => {
      const data = JSON.parse(event.data);
      const time = new Date().toLocaleTimeString("en-GB");
      list.prepend(el("li", { "data-kind": kind },
        el("span", { class: "note" }, time), " ", el("span", { class: "kind" }, kind), " ",
        el("a", { class: "id", href: `#/actor/${data.actor}` }, short(data.actor)),
        data.reason ? ` (${data.reason})` : ""));
      while (list.children.length > EVENTS_KEPT) list.lastChild.remove();
    });
  }
}

async function showVersion() {
  try {
    const version = await getJson("/v1");
    const share = version.share ? ` · share ${version.share[0]}/${version.share[1]}` : "";
    document.getElementById("version").textContent = `protocol ${version.protocol} · spec ${version.spec}${share}`;
  } catch (error) {
    // the header stays without it
  }
}

window.addEventListener("hashchange", refresh);
document.addEventListener("DOMContentLoaded", () => {
  showVersion();
  listenForEvents();
  refresh();
  setInterval(() => { if (!actorOfHash()) refresh(); }, REFRESH_MS);
});
