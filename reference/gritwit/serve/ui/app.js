// The status page's script (spec/10-http.md, HTTP-014.3 to HTTP-014.5).
//
// The service renders every page whole (HTTP-014.5); this script only keeps it fresh.
// On the list it reads /ui/actors.json every few seconds and updates each row's status,
// names, kind, pending count, residency and time in place (a new actor gets a row, a
// gone one loses its), and the totals.  On an actor's page it reads /v1/actors/{actor}
// and reloads the page when its status or head changed.  It lists /v1/events as they
// come only when the person asks: a stream that never ends, opened by itself, would
// keep a headless browser that waits for the network to fall idle from ever ending.
// Every text goes in through textContent: nothing from the store is parsed as HTML.
"use strict";

const REFRESH_MS = 2000;
const EVENTS_KEPT = 100;
const SHORT = 12;
const NONE = "—";

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
  return id ? id.slice(0, SHORT) : NONE;
}

function actorLink(actor) {
  return el("a", { class: "id", href: `/ui/actor/${actor}`, title: actor }, short(actor));
}

async function getJson(path) {
  const answer = await fetch(path, { headers: { accept: "application/json" }, cache: "no-store" });
  if (!answer.ok) throw new Error(`${path}: ${answer.status}`);
  return answer.json();
}

function yesNo(value) {
  return value === null || value === undefined ? NONE : value ? "yes" : "no";
}

// The status in words, as the service renders it (ui's _watch_html.status_text).
function statusText(actor) {
  const failed = actor.failed;
  if (!failed) return actor.status;
  const count = failed.attempts === null ? "?" : String(failed.attempts);
  const where = failed.genesis ? " at its genesis" : "";
  return `failed${where}: ${failed.class} (${count} attempts)`;
}

function setStatus(node, status) {
  node.classList.remove("ok", "busy", "failed");
  node.classList.add(status);
  node.dataset.status = status;
}

function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

// --- the list -----------------------------------------------------------------------------

function newRow(actor) {
  const row = el("tr", { "data-actor": actor.actor },
    el("td", { class: "status" }),
    el("td", {}, actorLink(actor.actor)),
    el("td", { class: "names" }),
    el("td", { class: "kind" }),
    el("td", { class: "state" }),
    el("td", { class: "num pending" }),
    el("td", { class: "num share" }),
    el("td", { class: "resident" }),
    el("td", { class: "time" }));
  return row;
}

function fillRow(row, actor) {
  setStatus(row, actor.status);
  row.querySelector("td.status").title = actor.status;
  setText(row.querySelector("td.names"), actor.names.length ? actor.names.join(", ") : NONE);
  setText(row.querySelector("td.kind"), actor.kind === null ? NONE : actor.kind);
  setText(row.querySelector("td.state"), statusText(actor));
  setText(row.querySelector("td.pending"), String(actor.pending));
  setText(row.querySelector("td.share"), actor.share === null ? NONE : String(actor.share));
  setText(row.querySelector("td.resident"), yesNo(actor.resident));
  setText(row.querySelector("td.time"), actor.time === null ? NONE : actor.time);
}

function fillTotals(listed) {
  const busy = listed.actors.filter((a) => a.status === "busy").length;
  const pending = listed.actors.reduce((sum, a) => sum + a.pending, 0);
  const values = {
    actors: listed.total, failed: listed.failed, busy,
    "pending messages": pending, resident: listed.resident,
  };
  for (const total of document.querySelectorAll("#totals .total")) {
    const value = values[total.dataset.total];
    if (value !== undefined) setText(total.querySelector("b"), Number(value).toLocaleString("en"));
  }
}

async function refreshList() {
  const listed = await getJson("/ui/actors.json");
  let body = document.querySelector("#actors tbody");
  if (!body && listed.actors.length) {  // the first actors came: the table the service renders
    location.reload();
    return;
  }
  if (!body) return;
  const rows = new Map([...body.rows].map((row) => [row.dataset.actor, row]));
  let previous = null;
  for (const actor of listed.actors) {
    let row = rows.get(actor.actor);
    rows.delete(actor.actor);
    if (!row) row = newRow(actor);
    fillRow(row, actor);
    const where = previous ? previous.nextElementSibling : body.firstElementChild;
    if (row !== where) body.insertBefore(row, where);  // id order, as listed
    previous = row;
  }
  for (const gone of rows.values()) gone.remove();
  fillTotals(listed);
}

// --- one actor ----------------------------------------------------------------------------

async function refreshActor(main) {
  const entry = await getJson(`/v1/actors/${main.dataset.actor}`);
  const status = entry.failed ? "failed" : entry.busy ? "busy" : "ok";
  const panel = document.getElementById("entry");
  if (panel.dataset.status === status && main.dataset.head === (entry.head || "")) return;
  // a new status or a new step: the service renders the page again, its steps and core too
  setStatus(panel, status);
  location.reload();
}

// --- refreshing and events ------------------------------------------------------------------

function stamp(text) {
  setText(document.getElementById("refreshed"), text);
}

function startRefreshing() {
  const page = document.body.dataset.page;
  const main = document.getElementById("main");
  if (page !== "list" && page !== "actor") return;
  // Each refresh is a read in the service's engine (1,000 actors: about half a second):
  // the next one waits ten times as long as this one took, so that a page left open
  // takes at most a tenth of it; and none while the page is hidden.
  const tick = async () => {
    const started = performance.now();
    if (!document.hidden) {
      try {
        if (page === "list") await refreshList();
        else await refreshActor(main);
        stamp(`Refreshed at ${new Date().toLocaleTimeString("en-GB")}.`);
      } catch (error) {
        stamp(`Could not refresh: ${error.message}; trying again.`);
      }
    }
    setTimeout(tick, Math.max(REFRESH_MS, 10 * (performance.now() - started)));
  };
  setTimeout(tick, REFRESH_MS);
}

function listenForEvents(state, list) {
  state.textContent = "connecting…";
  const source = new EventSource("/v1/events");
  source.onopen = () => { state.textContent = "listening"; };
  source.onerror = () => { state.textContent = "disconnected; retrying"; };
  for (const kind of ["archived", "restore-requested", "restored"]) {
    source.addEventListener(kind, (event) => {
      const data = JSON.parse(event.data);
      const time = new Date().toLocaleTimeString("en-GB");
      list.prepend(el("li", { "data-kind": kind },
        el("span", { class: "note" }, time), " ", el("span", { class: "kind" }, kind), " ",
        actorLink(data.actor), data.reason ? ` (${data.reason})` : ""));
      while (list.children.length > EVENTS_KEPT) list.lastChild.remove();
    });
  }
}

// The event stream is a request that never ends: opened only when the person asks, so
// that a browser waiting for the page's network to fall idle (a headless screenshot
// with a virtual time budget) still ends (HTTP-014.5).  The statuses are polled.
function offerEvents() {
  const state = document.getElementById("events-state");
  const list = document.getElementById("events");
  const button = document.getElementById("listen");
  if (!state || !list || !button || typeof EventSource === "undefined") return;
  state.textContent = "Not listening.";
  button.hidden = false;
  button.addEventListener("click", () => {
    button.hidden = true;
    listenForEvents(state, list);
  }, { once: true });
}

window.addEventListener("load", () => {
  startRefreshing();
  offerEvents();
});
