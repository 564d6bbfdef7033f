// The web chat (adapters/web/chat.py): the coach's messages arrive as JSON and are built
// with DOM calls and textContent only, so nothing anyone typed can become markup. Questions
// become buttons, scales number buttons, forms inline forms; the page polls for nudges.
"use strict";

(function () {
  const root = document.getElementById("chat");
  if (!root) {
    return;
  }
  const list = document.getElementById("messages");
  const composer = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const sendButton = document.getElementById("chat-send");
  const picker = document.getElementById("person-select");
  const newForm = document.getElementById("new-person");
  const newName = document.getElementById("new-person-name");
  const newLocale = document.getElementById("new-person-locale");
  const statusLine = document.getElementById("chat-status");
  const tokenMeta = document.querySelector('meta[name="csrf-token"]');
  const csrf = tokenMeta ? tokenMeta.getAttribute("content") || "" : "";
  const texts = root.dataset;
  const POLL_MS = 4000;

  let person = texts.person || "";
  let cursor = 0;
  let generation = 0; // bumps when the person changes; late answers for the old one are dropped
  let stopped = false; // the session ended: no more polling
  let fieldCount = 0;

  // -- talking to the server ----------------------------------------------------------------

  class Refused extends Error {}

  async function call(method, url, body) {
    const headers = { "Accept": "application/json", "X-CSRF-Token": csrf };
    const options = { method: method, credentials: "same-origin", headers: headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      showStatus(texts.error);
      throw new Refused("network");
    }
    if (response.status === 401) {
      stopped = true;
      showStatus(texts.sessionGone);
      throw new Refused("unauthorized");
    }
    if (!response.ok) {
      showStatus(texts.error);
      throw new Refused(String(response.status));
    }
    showStatus("");
    return response.json();
  }

  function showStatus(text) {
    statusLine.textContent = text || "";
  }

  // -- building messages --------------------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  // Texts mark words as Slack does: *bold*, _italic_ and `code` (the same rules as the
  // pages' adapters/web/markup.py: a marker opens after a space or the start and closes
  // before one, so snake_case and 2*3*4 stay as typed). Built with DOM nodes only: nothing
  // in a text becomes markup.
  var MARKS = /`([^`\n]+)`|(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])|(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])/g;

  function inline(parent, text) {
    const source = String(text);
    let last = 0;
    let match;
    MARKS.lastIndex = 0;
    while ((match = MARKS.exec(source)) !== null) {
      const lead = match[2] !== undefined ? match[2] : (match[4] !== undefined ? match[4] : "");
      const start = match.index + lead.length;
      if (start > last) {
        parent.appendChild(document.createTextNode(source.slice(last, start)));
      }
      if (match[1] !== undefined) {
        parent.appendChild(element("code", "", match[1]));
      } else if (match[3] !== undefined) {
        parent.appendChild(element("strong", "", match[3]));
      } else {
        parent.appendChild(element("em", "", match[5]));
      }
      last = MARKS.lastIndex;
    }
    if (last < source.length) {
      parent.appendChild(document.createTextNode(source.slice(last)));
    }
    return parent;
  }

  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }

  function clearMessages(note) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    if (note) {
      list.appendChild(element("p", "msg-empty muted", note));
    }
  }

  function bubble(kind) {
    const node = element("div", "msg msg-bot msg-" + kind);
    node.dataset.kind = kind;
    list.appendChild(node);
    return node;
  }

  function addMine(text) {
    const node = element("div", "msg msg-me");
    inline(node, text);
    list.appendChild(node);
    scrollDown();
  }

  function sameRef(ref) {
    return Array.prototype.filter.call(list.querySelectorAll("[data-ref]"), function (node) {
      return node.dataset.ref === ref;
    });
  }

  function setControls(container, enabled) {
    container.querySelectorAll("button, input, textarea, select").forEach(function (control) {
      control.disabled = !enabled;
    });
  }

  // A question that was answered (or asked again) cannot be answered from its old place.
  function retire(ref) {
    sameRef(ref).forEach(function (node) {
      setControls(node, false);
      node.classList.add("answered");
    });
  }

  function render(message) {
    if (message.ref) {
      retire(message.ref);
    }
    if (message.kind === "question") {
      renderQuestion(message);
    } else if (message.kind === "scale") {
      renderScale(message);
    } else if (message.kind === "form") {
      renderForm(message);
    } else if (message.kind === "file") {
      renderFile(message);
    } else {
      const node = bubble(message.kind === "notice" ? "notice" : "text");
      if (message.level) {
        node.classList.add("level-" + message.level);
      }
      inline(node, message.text);
    }
  }

  function renderAll(messages) {
    const empty = list.querySelector(".msg-empty");
    if (empty && messages.length) {
      list.removeChild(empty);
    }
    messages.forEach(render);
    scrollDown();
  }

  function renderQuestion(message) {
    const node = bubble("question");
    node.dataset.ref = message.ref;
    inline(node.appendChild(element("p", "msg-text")), message.text);
    if (message.hint) {
      inline(node.appendChild(element("p", "msg-hint")), message.hint);
    }
    if (!message.choices.length) {
      // A free-text question is answered in the normal box.
      if (message.max_length) {
        input.maxLength = message.max_length;
      } else {
        input.removeAttribute("maxlength");
      }
      if (!input.disabled) {
        input.focus();
      }
      return;
    }
    const choices = node.appendChild(element("div", "choices"));
    if (message.multiple) {
      message.choices.forEach(function (choice) {
        const label = choices.appendChild(element("label", "choice-box"));
        const box = label.appendChild(element("input", "choice"));
        box.type = "checkbox";
        box.value = choice.value;
        box.dataset.value = choice.value;
        box.checked = message.selected.indexOf(choice.value) >= 0;
        label.appendChild(element("span", "", choice.label));
      });
      const ok = choices.appendChild(element("button", "choice-ok primary", texts.ok));
      ok.type = "button";
      ok.addEventListener("click", function () {
        const ticked = Array.prototype.filter.call(
          choices.querySelectorAll("input.choice"), function (box) { return box.checked; });
        const labels = ticked.map(function (box) { return box.nextSibling.textContent; });
        answer(node, { values: ticked.map(function (box) { return box.value; }),
                       reply_to: message.ref }, labels.join(", ") || "–", ok);
      });
      return;
    }
    message.choices.forEach(function (choice) {
      const button = choices.appendChild(element("button", "choice", choice.label));
      button.type = "button";
      button.dataset.value = choice.value;
      if (message.selected.indexOf(choice.value) >= 0) {
        button.classList.add("selected");
      }
      button.addEventListener("click", function () {
        answer(node, { value: choice.value, reply_to: message.ref }, choice.label, button);
      });
    });
  }

  function renderScale(message) {
    const node = bubble("scale");
    node.dataset.ref = message.ref;
    inline(node.appendChild(element("p", "msg-text")), message.text);
    const row = node.appendChild(element("div", "scale-row"));
    if (message.low_label) {
      row.appendChild(element("span", "scale-low muted", message.low_label));
    }
    for (let number = message.minimum; number <= message.maximum; number += 1) {
      const button = row.appendChild(element("button", "scale", String(number)));
      button.type = "button";
      button.dataset.value = String(number);
      button.addEventListener("click", function () {
        answer(node, { value: String(number), reply_to: message.ref }, String(number), button);
      });
    }
    if (message.high_label) {
      row.appendChild(element("span", "scale-high muted", message.high_label));
    }
  }

  // Only types a browser shows as text: a blob opened in a tab has this page's origin.
  const SAFE_TYPES = ["application/json", "text/plain", "text/csv", "text/markdown"];

  function renderFile(message) {
    const node = bubble("file");
    inline(node.appendChild(element("p", "msg-text")), message.text);
    const type = SAFE_TYPES.indexOf(message.mime) >= 0 ? message.mime
      : "application/octet-stream";
    const link = node.appendChild(element("a", "file-download",
                                          texts.download + ": " + message.name));
    link.href = URL.createObjectURL(new Blob([message.content], { type: type }));
    link.download = message.name;
  }

  function renderForm(message) {
    const node = bubble("form");
    node.dataset.ref = message.ref;
    const form = node.appendChild(element("form", "chat-form-inline"));
    form.noValidate = false;
    form.appendChild(element("p", "msg-title", message.title));
    if (message.intro) {
      inline(form.appendChild(element("p", "msg-hint")), message.intro);
    }
    message.fields.forEach(function (field) {
      fieldCount += 1;
      const id = "form-field-" + fieldCount;
      const row = form.appendChild(element("div", "form-row"));
      const label = row.appendChild(element("label", "", field.label));
      label.htmlFor = id;
      const control = row.appendChild(element(field.multiline ? "textarea" : "input", "form-input"));
      if (!field.multiline) {
        control.type = "text";
      } else {
        control.rows = 3;
      }
      control.id = id;
      control.name = field.name;
      control.dataset.field = field.name;
      control.required = Boolean(field.required);
      if (field.max_length) {
        control.maxLength = field.max_length;
      }
      control.value = field.value || "";
      if (field.error) {
        const error = row.appendChild(element("p", "field-error warning", field.error));
        error.id = id + "-error";
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", error.id);
      }
    });
    const submit = form.appendChild(element("button", "form-submit primary",
                                            message.submit_label));
    submit.type = "submit";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const values = {};
      form.querySelectorAll("[data-field]").forEach(function (control) {
        values[control.dataset.field] = control.value;
      });
      answer(node, { form: values, reply_to: message.ref }, null, submit);
    });
  }

  // -- turns ------------------------------------------------------------------------------
  // Everything that talks to the coach runs in one queue, in the order it was asked: a
  // message typed while the coach still answers (or while a person is being created) is
  // sent after it, never beside it.

  let queue = Promise.resolve(null);
  let pending = 0;

  function enqueue(work) {
    pending += 1;
    const next = queue.then(work).catch(function () { return null; }).then(function (result) {
      pending -= 1;
      return result;
    });
    queue = next;
    return next;
  }

  function turn(payload) {
    const mine = generation;
    return enqueue(async function () {
      if (mine !== generation) {
        return null;
      }
      if (!person) {
        showStatus(texts.chooseFirst);
        return null;
      }
      const data = await call("POST", "/chat/send", payload);
      if (mine !== generation) {
        return null;
      }
      (data.answered || []).forEach(retire);
      renderAll(data.messages || []);
      return data;
    });
  }

  async function answer(container, payload, echo, pressed) {
    setControls(container, false);
    if (echo) {
      addMine(echo);
    }
    const data = await turn(payload);
    if (data && (data.answered || []).indexOf(payload.reply_to) >= 0) {
      container.classList.add("answered");
      if (pressed) {
        pressed.classList.add("chosen");
      }
    } else if (!container.classList.contains("answered")) {
      setControls(container, true); // not taken (stale, refused, failed): try again
    }
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) {
      return;
    }
    if (!person && !choosing) {
      showStatus(texts.chooseFirst);
      return;
    }
    addMine(text);
    input.value = "";
    turn({ text: text });
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (composer.requestSubmit) {
        composer.requestSubmit();
      } else {
        sendButton.click();
      }
    }
  });

  // -- choosing whom to be ------------------------------------------------------------------

  let choosing = 0; // a choice or a new person on its way: what is typed meanwhile waits

  function open() {
    const mine = ++generation;
    clearMessages();
    return enqueue(async function () {
      const data = await call("GET", "/chat/start");
      if (mine === generation) {
        cursor = data.cursor || 0;
        renderAll(data.messages || []);
      }
    });
  }

  function forget() {
    generation += 1;
    person = "";
    cursor = 0;
    clearMessages(texts.chooseFirst);
  }

  picker.addEventListener("change", function () {
    const chosen = picker.value;
    if (!chosen) {
      forget();
      return;
    }
    choosing += 1;
    enqueue(async function () {
      await call("POST", "/chat/choose", { person: chosen });
      person = chosen;
      root.dataset.person = chosen;
    }).then(function () {
      choosing -= 1;
      if (person === chosen) {
        open();
      }
    });
  });

  newForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const name = newName.value.trim();
    if (!name) {
      return;
    }
    let zone = null;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || null;
    } catch (error) {
      zone = null;
    }
    const locale = newLocale.value;
    newName.value = "";
    const mine = ++generation;
    choosing += 1;
    clearMessages();
    enqueue(async function () {
      const data = await call("POST", "/chat/person",
                              { name: name, locale: locale, timezone: zone });
      const option = element("option", "", data.person.name + " (" + data.person.locale + ")");
      option.value = data.person.id;
      picker.appendChild(option);
      if (mine !== generation) {
        return;
      }
      picker.value = data.person.id;
      person = data.person.id;
      root.dataset.person = person;
      cursor = data.cursor || 0;
      renderAll(data.messages || []);
    }).then(function () {
      choosing -= 1;
      input.focus();
    });
  });

  // -- waiting for nudges -------------------------------------------------------------------

  function poll() {
    if (stopped || !person || document.hidden || pending) {
      return;
    }
    const mine = generation;
    enqueue(async function () {
      const data = await call("GET", "/chat/messages?after=" + encodeURIComponent(cursor));
      if (mine === generation) {
        cursor = data.cursor || 0;
        renderAll(data.messages || []);
      }
    });
  }

  window.setInterval(poll, POLL_MS);
  if (person) {
    open();
  } else {
    clearMessages(texts.chooseFirst);
  }
})();
