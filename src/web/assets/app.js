// alpha's dashboard: forms that post JSON to the API, buttons that post, and a run's live
// progress over server-sent events. Text from runs is only ever set with textContent, never as
// HTML.
"use strict";

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
    credentials: "same-origin",
  });
  let data = {};
  try { data = await response.json(); } catch (_) { /* an empty answer */ }
  if (!response.ok) {
    const error = new Error(data.error || response.statusText);
    error.help = data.help;
    throw error;
  }
  return data;
}

function showError(element, error) {
  const box = element.querySelector(".error") || element.parentElement.querySelector(".error");
  if (box) box.textContent = error.help ? `${error.message} (${error.help})` : error.message;
}

// Form fields as typed values: checkboxes as booleans, numbers as numbers, empty fields left out
// so the workflow's default applies.
function formValues(form) {
  const values = {};
  for (const field of form.elements) {
    if (!field.name) continue;
    const type = field.dataset.type;
    if (field.type === "checkbox") { values[field.name] = field.checked; continue; }
    if (field.value === "") continue;
    if (type === "integer" || type === "number") values[field.name] = Number(field.value);
    else if (type === "array" || type === "object") {
      try { values[field.name] = JSON.parse(field.value); } catch (_) { values[field.name] = field.value; }
    } else values[field.name] = field.value;
  }
  return values;
}

document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-api]");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  try {
    const values = formValues(form);
    const body = form.dataset.kind === "run" ? { params: values } : values;
    const data = await post(form.dataset.api, body);
    if (data.run_id) window.location.assign(`/runs/${encodeURIComponent(data.run_id)}`);
    else if (data.saved && data.saved.name) window.location.assign(`/workflows/${encodeURIComponent(data.saved.name)}`);
    else window.location.reload();
  } catch (error) {
    showError(form, error);
  } finally {
    if (button) button.disabled = false;
  }
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-post]");
  if (!button) return;
  event.preventDefault();
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  button.disabled = true;
  try {
    const body = button.dataset.body ? JSON.parse(button.dataset.body) : {};
    const data = await post(button.dataset.post, body);
    if (button.dataset.follow === "run" && data.run_id) window.location.assign(`/runs/${encodeURIComponent(data.run_id)}`);
    else if (!document.querySelector("#run[data-live]")) window.location.reload();
  } catch (error) {
    showError(button.closest("form, .actions, td") || document.body, error);
    button.disabled = false;
  }
});

// Live filter of the workflows table as you type (the form still searches on the server).
const search = document.querySelector("form.filters input[type=search]");
const table = document.querySelector("#workflows");
if (search && table) {
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const row of table.tBodies[0].rows) {
      const text = row.textContent.toLowerCase();
      row.hidden = !words.every((w) => text.includes(w));
    }
  });
}

// A running run: progress and the current step's output as they happen, then the final page.
const run = document.querySelector("#run[data-live]");
if (run) {
  const progress = document.querySelector("#progress");
  const tail = document.querySelector("#tail");
  const status = document.querySelector("#run-status .badge");
  const maxLines = 500;
  const addLine = (text, kind) => {
    const line = document.createElement("span");
    line.className = kind || "";
    line.textContent = text + "\n";
    tail.appendChild(line);
    while (tail.childNodes.length > maxLines) tail.removeChild(tail.firstChild);
    tail.scrollTop = tail.scrollHeight;
  };
  const source = new EventSource(`/api/runs/${encodeURIComponent(run.dataset.run)}/events`);
  source.addEventListener("step_started", (e) => {
    const data = JSON.parse(e.data);
    progress.textContent = `Step ${data.index}/${data.total}: ${data.label}` + (data.attempt > 1 ? ` (attempt ${data.attempt})` : "");
    tail.textContent = "";
    const node = document.querySelector(`#run-graph [data-step="${CSS.escape(data.id)}"]`);
    if (node) node.setAttribute("class", "node running");
  });
  source.addEventListener("step_output", (e) => {
    const data = JSON.parse(e.data);
    addLine(data.line, data.stream);
  });
  source.addEventListener("step_retrying", (e) => {
    const data = JSON.parse(e.data);
    addLine(`retrying ${data.label} (attempt ${data.next_attempt} of ${data.max_attempts}): ${data.error}`, "stderr");
  });
  source.addEventListener("step_finished", (e) => {
    const data = JSON.parse(e.data);
    progress.textContent = `Step ${data.index}/${data.total}: ${data.label} ${data.status}`;
    const node = document.querySelector(`#run-graph [data-step="${CSS.escape(data.id)}"]`);
    if (node) node.setAttribute("class", `node ${data.status}`);
  });
  source.addEventListener("run_finished", (e) => {
    const data = JSON.parse(e.data);
    source.close();
    run.dataset.status = data.status;
    if (status) { status.textContent = data.status; status.className = `badge ${data.status}`; }
    progress.textContent = `Finished: ${data.status}`;
    // The recorded page has every step's output and timing.
    setTimeout(() => window.location.reload(), 300);
  });
}
