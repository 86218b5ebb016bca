/* The agent inbox: live list and conversation over /ws/agent/, actions over the REST API.
 *
 * - The socket only relays events; every action is a POST with the session cookie and the CSRF token.
 * - The last event id seen is kept in memory and sessionStorage; on (re)connect the server replays what
 *   followed it, so a dropped connection loses nothing. Applying an event twice is harmless (upserts).
 * - Nothing here logs message text or contact data to the console.
 */
(function () {
  "use strict";

  const body = document.body;
  if (!body.classList.contains("inbox-page")) return;

  const me = Number(body.dataset.userId);
  const apiBase = body.dataset.apiBase; // "/api/v1/conversations/"
  const currentId = body.dataset.conversationId ? Number(body.dataset.conversationId) : null;
  const filter = { scope: body.dataset.scope || "all", status: body.dataset.statusFilter || "" };
  const STORAGE_KEY = "inbox.lastEventId";

  let lastEventId = Math.max(Number(body.dataset.lastEventId || 0), Number(sessionStorage.getItem(STORAGE_KEY) || 0));
  let socket = null;
  let backoff = 500;
  let reconnectTimer = null;

  const $ = (sel) => document.querySelector(sel);
  const listEl = $("#conversation-list");
  const messagesEl = $("#messages");
  const conversationEl = $("#conversation");

  // --- helpers ------------------------------------------------------------------------------

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The answer's status and body; refused (not 2xx) → throws, as api() does.
  async function apiCall(path, options) {
    const opts = Object.assign({ method: "GET", credentials: "same-origin", headers: {} }, options || {});
    opts.headers = Object.assign({ Accept: "application/json" }, opts.headers);
    if (opts.body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.body);
    }
    if (opts.method !== "GET") opts.headers["X-CSRFToken"] = csrfToken();
    const response = await fetch(path, opts);
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (!response.ok) {
      const err = new Error((data && (data.detail || data.error)) || "Request failed (" + response.status + ")");
      err.status = response.status;
      err.code = data && data.error;
      err.data = data;
      throw err;
    }
    return { status: response.status, data };
  }

  async function api(path, options) {
    return (await apiCall(path, options)).data;
  }

  function conversationUrl(id, action) {
    return apiBase + id + "/" + (action ? action + "/" : "");
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("data-") || key.startsWith("aria-") || key === "title" || key === "href" || key === "datetime" || key === "role") node.setAttribute(key, value);
      else node[key] = value;
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function announce(text) {
    const region = $("#live-region");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(() => { region.textContent = text; }, 50);
  }

  function showError(selector, err) {
    const node = $(selector);
    if (!node) return;
    node.textContent = err ? (err.code ? err.code + ": " : "") + err.message : "";
  }

  function hhmm(iso) {
    return iso ? String(iso).slice(11, 16) : "";
  }

  // --- conversation list -----------------------------------------------------------------------

  function matchesFilter(c) {
    if (filter.status && c.status !== filter.status) return false;
    if (filter.scope === "mine") return c.assigned_agent === me;
    if (filter.scope === "unassigned") return c.assigned_agent === null;
    return true; // "team" and "all": the server only sends what this agent may see
  }

  function renderListItem(c) {
    const li = el("li", {
      class: "conv" + (c.id === currentId ? " conv--current" : ""),
      "data-conversation-id": c.id,
      "data-status": c.status,
      "data-team": c.team === null ? "" : c.team,
      "data-assigned-agent": c.assigned_agent === null ? "" : c.assigned_agent,
      "data-last-message-at": c.last_message_at || "",
    });
    const link = el("a", { href: "/inbox/c/" + c.id + "/" + (location.search || "") });
    if (c.id === currentId) link.setAttribute("aria-current", "page");
    link.append(
      el("span", { class: "conv-name" }, (c.subject && c.subject.name) || "Customer"),
      el("span", { class: "conv-contact" }, (c.subject && c.subject.contact) || ""),
    );
    const meta = el("span", { class: "conv-meta" });
    meta.append(
      el("span", { class: "conv-channel" }, c.channel), " · ",
      el("span", { class: "conv-status" }, c.status), " · ",
      el("span", { class: "conv-agent" }, c.assigned_agent_name || "unassigned"),
    );
    if (c.sensitive) {
      meta.append(" ", el("span", { class: "badge badge--special", title: "Holds special-category data: visible only to its agent, the team's supervisors and the DPO" }, "Sensitive"));
    }
    const unread = el("span", { class: "unread", "data-unread": c.unread });
    unread.hidden = !c.unread;
    unread.append(el("span", { class: "visually-hidden" }, "Unread: "), el("span", { class: "unread-count" }, String(c.unread)));
    link.append(meta, unread);
    li.append(link);
    return li;
  }

  function upsertConversation(c) {
    if (!listEl || !c) return;
    const existing = listEl.querySelector('[data-conversation-id="' + c.id + '"]');
    if (!matchesFilter(c)) {
      if (existing && c.id !== currentId) existing.remove();
      else if (existing) existing.replaceWith(renderListItem(c));
    } else {
      const item = renderListItem(c);
      const hadFocus = existing && existing.contains(document.activeElement);
      if (existing) existing.remove();
      // Newest activity first, as the server orders it.
      const when = c.last_message_at || "";
      let before = null;
      for (const other of listEl.children) {
        if ((other.dataset.lastMessageAt || "") < when) { before = other; break; }
      }
      listEl.insertBefore(item, before);
      if (hadFocus) item.querySelector("a").focus();
    }
    const empty = $("#conversation-list-empty");
    if (empty) empty.hidden = listEl.children.length > 0;
  }

  function removeConversation(id) {
    const existing = listEl && listEl.querySelector('[data-conversation-id="' + id + '"]');
    if (existing) existing.remove();
  }

  // --- the open conversation --------------------------------------------------------------------

  const TICKS = {
    queued: ["🕓", "Sending"],
    sent: ["✓", "Sent"],
    delivered: ["✓✓", "Delivered"],
    read: ["✓✓", "Read"],
    failed: ["⚠", "Failed"],
  };

  function renderMessage(m) {
    const li = el("li", {
      class: "message message--" + m.direction + (m.type === "system" ? " message--system" : ""),
      "data-message-id": m.id,
      "data-status": m.status,
      "data-direction": m.direction,
    });
    const bubble = el("div", { class: "bubble" });
    const badges = el("p", { class: "badges" });
    if (m.special_category) {
      badges.append(el("span", { class: "badge badge--special", title: "Special-category data (GDPR Art. 9, LGPD Art. 11): handle with extra care" }, "Special category"));
    }
    if (m.may_contain_special) {
      badges.append(el("span", { class: "badge badge--media", title: "Media is not scanned" }, "May contain special-category data"));
    }
    if (badges.childNodes.length) bubble.append(badges);
    if (m.text) {
      const p = el("p", { class: "text" + (m.masked ? " text--masked" : "") });
      // textContent per line keeps customer text inert (no HTML injection).
      m.text.split("\n").forEach((line, i) => { if (i) p.append(document.createElement("br")); p.append(line); });
      bubble.append(p);
    } else {
      bubble.append(el("p", { class: "text text--placeholder" }, "[" + m.type + "]"));
    }
    if (m.revealable) {
      bubble.append(el("button", { type: "button", class: "reveal-button", "data-message-id": m.id }, "Reveal number"));
    } else if (m.redacted) {
      bubble.append(el("p", { class: "redacted-note", role: "note" }, "Number removed before storing (team policy); the customer was told to use the secure channel."));
    }
    for (const a of m.attachments || []) {
      bubble.append(el("p", { class: "attachment" }, "Attachment: " + (a.mime_type || "file") + " (" + a.status + ")"));
    }
    const meta = el("p", { class: "meta" });
    meta.append(el("time", { datetime: m.created_at }, hhmm(m.created_at)));
    if (m.direction === "out") {
      const [symbol, label] = TICKS[m.status] || TICKS.queued;
      meta.append(" ", el("span", { class: "tick tick--" + (TICKS[m.status] ? m.status : "queued"), title: label, "aria-label": label }, symbol));
      if (m.status === "failed") {
        const detail = (m.error_title || "Not delivered") + (m.error_code ? " (" + m.error_code + ")" : "");
        meta.append(" ", el("span", { class: "send-error", role: "note" }, detail));
      }
    }
    bubble.append(meta);
    li.append(bubble);
    if (m.direction === "in" && m.request_suggestion) {
      const suggestion = renderRequestSuggestion(m.id, m.request_suggestion);
      if (suggestion) li.append(suggestion);
    }
    return li;
  }

  function upsertMessage(m) {
    if (!messagesEl || !m) return;
    const existing = messagesEl.querySelector('[data-message-id="' + m.id + '"]');
    const node = renderMessage(m);
    if (existing) {
      existing.replaceWith(node);
      return;
    }
    const nearBottom = messagesEl.scrollHeight - messagesEl.scrollTop - messagesEl.clientHeight < 80;
    // Keep id order even if a replay and a live event interleave.
    let before = null;
    for (const other of messagesEl.children) {
      if (Number(other.dataset.messageId) > m.id) { before = other; break; }
    }
    messagesEl.insertBefore(node, before);
    if (nearBottom || m.direction === "out") messagesEl.scrollTop = messagesEl.scrollHeight;
    if (m.direction === "in") announce("New message from the customer");
  }

  function applyConversationState(c) {
    if (!conversationEl || !c || c.id !== currentId) return;
    const sensitiveBadge = $("#conversation-sensitive");
    if (sensitiveBadge) sensitiveBadge.hidden = !c.sensitive;
    conversationEl.dataset.status = c.status;
    conversationEl.dataset.team = c.team === null ? "" : c.team;
    conversationEl.dataset.assignedAgent = c.assigned_agent === null ? "" : c.assigned_agent;
    conversationEl.dataset.windowClosesAt = c.window_closes_at || "";
    const set = (sel, text) => { const n = $(sel); if (n) n.textContent = text; };
    set("#conversation-status", c.status);
    set("#conversation-team", c.team_name || "none");
    set("#conversation-agent", c.assigned_agent_name || "nobody");
    const resolve = $("#resolve");
    const reopen = $("#reopen");
    if (resolve) resolve.hidden = c.status === "resolved";
    if (reopen) reopen.hidden = c.status !== "resolved";
    const windowEl = $("#window");
    if (windowEl) windowEl.dataset.closesAt = c.window_closes_at || "";
    tickWindow();
  }

  async function refreshNotes() {
    const notesEl = $("#notes");
    if (!notesEl || currentId === null) return;
    // Notes come a page at a time (oldest first); a conversation's notes are few, so read them all.
    const notes = [];
    let page = await api(conversationUrl(currentId, "notes"));
    notes.push(...page.results);
    while (page.next) {
      page = await api(page.next);
      notes.push(...page.results);
    }
    notesEl.replaceChildren(...notes.map(renderNote));
  }

  function renderNote(n) {
    const li = el("li", { class: "note", "data-note-id": n.id });
    const p = el("p", { class: "note-body" });
    n.body.split("\n").forEach((line, i) => { if (i) p.append(document.createElement("br")); p.append(line); });
    const meta = el("p", { class: "meta" });
    meta.append(el("span", { class: "note-author" }, n.author || "system"), " · ",
      el("time", { datetime: n.created_at }, String(n.created_at).slice(0, 10) + " " + hhmm(n.created_at)));
    li.append(p, meta);
    return li;
  }

  // --- 24-hour window -----------------------------------------------------------------------------

  function tickWindow() {
    const windowEl = $("#window");
    if (!windowEl) return;
    const closesAt = windowEl.dataset.closesAt ? Date.parse(windowEl.dataset.closesAt) : NaN;
    const left = isNaN(closesAt) ? -1 : closesAt - Date.now();
    const open = left > 0;
    const openText = $("#window-open-text");
    const closedText = $("#window-closed-text");
    if (openText) openText.hidden = !open;
    if (closedText) closedText.hidden = open;
    const composer = $("#composer");
    const templateForm = $("#template-form");
    if (composer) composer.hidden = !open;
    if (templateForm) templateForm.hidden = open;
    if (open) {
      const s = Math.floor(left / 1000);
      const text = Math.floor(s / 3600) + "h " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m " + String(s % 60).padStart(2, "0") + "s";
      const countdown = $("#window-countdown");
      if (countdown) countdown.textContent = text;
    }
  }

  // --- events ------------------------------------------------------------------------------------

  function handleEvent(event) {
    if (event.id > lastEventId) {
      lastEventId = event.id;
      sessionStorage.setItem(STORAGE_KEY, String(lastEventId));
    }
    const c = event.conversation;
    if (c) {
      upsertConversation(c);
      applyConversationState(c);
    }
    if (!c || c.id !== currentId) return;
    if (event.message) upsertMessage(event.message);
    if (event.message && event.message.direction === "in" && document.visibilityState === "visible") markRead();
    if (event.kind === "conversation.note") refreshNotes().catch(() => {});
  }

  let readTimer = null;
  function markRead() {
    // Debounced: a burst of customer messages costs one request.
    window.clearTimeout(readTimer);
    readTimer = window.setTimeout(() => {
      api(conversationUrl(currentId, "read"), { method: "POST" }).catch(() => {});
    }, 1000);
  }

  function handleFrame(frame) {
    switch (frame.type) {
      case "event":
        handleEvent(frame.event);
        break;
      case "resumed":
        if (frame.last_event_id > lastEventId) {
          lastEventId = frame.last_event_id;
          sessionStorage.setItem(STORAGE_KEY, String(lastEventId));
        }
        if (frame.more) send({ type: "resume", last_event_id: lastEventId });
        break;
      case "typing":
        if (frame.conversation === currentId) showTyping(frame.username);
        break;
      case "revoked":
        if (frame.conversation === currentId) showError("#action-error", new Error("This conversation is no longer in your queues."));
        removeConversation(frame.conversation);
        break;
      default:
        break;
    }
  }

  let typingTimer = null;
  function showTyping(username) {
    const node = $("#typing");
    if (!node) return;
    node.textContent = (username || "Someone") + " is typing…";
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(() => { node.textContent = ""; }, 4000);
  }

  // --- socket -------------------------------------------------------------------------------------

  function setConnection(state, text) {
    const node = $("#connection");
    if (!node) return;
    node.dataset.state = state;
    node.textContent = text;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(scheme + "://" + location.host + body.dataset.wsPath);
    socket.addEventListener("open", () => {
      backoff = 500;
      setConnection("live", "Live");
      send({ type: "resume", last_event_id: lastEventId });
      if (currentId !== null) send({ type: "subscribe", conversation: currentId });
    });
    socket.addEventListener("message", (msg) => {
      let frame;
      try { frame = JSON.parse(msg.data); } catch (e) { return; }
      handleFrame(frame);
    });
    socket.addEventListener("close", (ev) => {
      socket = null;
      if (ev.code === 4401) {
        location.href = body.dataset.loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
        return;
      }
      if (ev.code === 4403) {
        setConnection("down", "No access to live updates");
        return;
      }
      setConnection("down", "Reconnecting…");
      // Exponential backoff with jitter so a server restart is not met by every tab at once.
      const delay = Math.min(backoff, 30000) * (0.5 + Math.random() / 2);
      backoff = Math.min(backoff * 2, 30000);
      window.clearTimeout(reconnectTimer);
      reconnectTimer = window.setTimeout(connect, delay);
    });
  }

  // --- composer, canned responses, actions ------------------------------------------------------------

  const composer = $("#composer");
  const textarea = $("#composer-text");
  const canned = (() => {
    const node = $("#canned-data");
    try { return node ? JSON.parse(node.textContent) : []; } catch (e) { return []; }
  })();

  function insertText(text) {
    const start = textarea.selectionStart;
    const end = textarea.selectionEnd;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.selectionStart = textarea.selectionEnd = start + text.length;
    textarea.focus();
  }

  function shortcutMatches() {
    const match = textarea.value.match(/^\/([\w-]*)$/);
    if (!match) return [];
    return canned.filter((c) => c.shortcut.startsWith(match[1]));
  }

  function renderSuggestions() {
    const list = $("#canned-suggestions");
    if (!list) return;
    const found = shortcutMatches();
    list.replaceChildren(...found.map((c, i) => {
      const li = el("li", { role: "option", id: "canned-option-" + i, "data-shortcut": c.shortcut, "aria-selected": i === 0 ? "true" : "false" }, "/" + c.shortcut + " — " + c.title);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); expandShortcut(c); });
      return li;
    }));
    list.hidden = found.length === 0;
    textarea.setAttribute("aria-expanded", found.length ? "true" : "false");
  }

  function expandShortcut(c) {
    textarea.value = c.body;
    textarea.selectionStart = textarea.selectionEnd = textarea.value.length;
    renderSuggestions();
    textarea.focus();
  }

  // --- reveal a masked number: a reason is required and logged ------------------------------------

  function openRevealForm(button) {
    const bubble = button.closest(".bubble");
    if (!bubble || bubble.querySelector(".reveal-form")) return;
    const form = el("form", { class: "reveal-form" });
    const id = "reveal-reason-" + button.dataset.messageId;
    form.append(
      el("label", { htmlFor: id }, "Why do you need the full number? (logged for the DPO)"),
      el("input", { id, name: "reason", type: "text", required: true, minLength: 8, maxLength: 1000, autocomplete: "off" }),
      el("button", { type: "submit" }, "Reveal"),
      el("button", { type: "button", class: "reveal-cancel" }, "Cancel"),
      el("p", { class: "error", role: "alert" }),
    );
    button.hidden = true;
    button.after(form);
    form.querySelector("input").focus();
    form.querySelector(".reveal-cancel").addEventListener("click", () => { form.remove(); button.hidden = false; button.focus(); });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const reason = form.querySelector("input").value.trim();
      const error = form.querySelector(".error");
      error.textContent = "";
      try {
        const result = await api(conversationUrl(currentId, "messages/" + button.dataset.messageId + "/reveal"), { method: "POST", body: { reason } });
        const p = bubble.querySelector(".text");
        p.replaceChildren();
        result.text.split("\n").forEach((line, i) => { if (i) p.append(document.createElement("br")); p.append(line); });
        p.classList.remove("text--masked");
        p.classList.add("text--revealed");
        form.remove();
        button.remove();
      } catch (err) {
        error.textContent = err.message;
      }
    });
  }

  if (messagesEl) {
    messagesEl.addEventListener("click", (e) => {
      const button = e.target.closest(".reveal-button");
      if (button) openRevealForm(button);
    });
  }

  // --- a customer's message that reads like a data-protection request ------------------------------
  //
  // The message carries the suggested kind (request_suggestion); the agent confirms it with one click, which
  // records the request with the chat as the verified channel. Nothing is recorded without that click.

  const requestTexts = (() => {
    const node = $("#request-suggestion-texts"); // only there for agents who may record requests
    try { return node ? JSON.parse(node.textContent) : null; } catch (e) { return null; }
  })();
  // What a click answered, per message id: kept when the message is drawn again (a later event).
  const requestResults = new Map();

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (all, name) => (name in values ? values[name] : all));
  }

  function dueDate(iso) {
    // The date as the API wrote it, in the jurisdiction's time zone: never moved into the browser's.
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!match) return iso || "";
    const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    try {
      return new Intl.DateTimeFormat(requestTexts.language || undefined, { dateStyle: "long", timeZone: "UTC" }).format(day);
    } catch (e) {
      return match[0];
    }
  }

  function renderRequestSuggestion(messageId, suggestion) {
    if (!requestTexts || !suggestion || !requestTexts.kinds[suggestion.kind]) return null;
    const texts = requestTexts.kinds[suggestion.kind];
    const box = el("div", { class: "request-suggestion", role: "group", "aria-label": requestTexts.label, "data-message-id": messageId, "data-kind": suggestion.kind });
    box.setAttribute("lang", requestTexts.language);
    box.append(el("p", { class: "request-suggestion-text" }, suggestion.generic ? requestTexts.generic : texts.notice));
    const controls = el("div", { class: "request-suggestion-controls" });
    if (suggestion.generic) {
      // A law named, no right: the agent picks the kind (access by convention).
      const id = "request-kind-" + messageId;
      const picker = el("select", { id, class: "request-kind" });
      for (const [kind, t] of Object.entries(requestTexts.kinds)) {
        picker.append(el("option", { value: kind, selected: kind === suggestion.kind }, t.name));
      }
      controls.append(el("label", { htmlFor: id }, requestTexts.choose), picker);
    }
    controls.append(el("button", { type: "button", class: "request-record", "data-kind": suggestion.kind, "data-message-id": messageId },
      suggestion.generic ? requestTexts.record : texts.button));
    // A live region from the start, so the result is announced when it is written.
    const result = el("p", { class: "request-result", role: "status", "aria-live": "polite", tabIndex: -1 });
    box.append(controls, result);
    const done = requestResults.get(messageId);
    if (done) {
      controls.hidden = true;
      result.textContent = done;
    }
    return box;
  }

  async function recordRequest(button) {
    if (button.getAttribute("aria-disabled") === "true") return; // a click while the first is on its way
    const box = button.closest(".request-suggestion");
    const controls = box.querySelector(".request-suggestion-controls");
    const result = box.querySelector(".request-result");
    const picker = box.querySelector(".request-kind");
    const messageId = Number(button.dataset.messageId);
    // Not disabled: a disabled button would drop the keyboard focus.
    button.setAttribute("aria-disabled", "true");
    result.classList.remove("request-result--error");
    result.textContent = requestTexts.recording;
    try {
      const answer = await apiCall(conversationUrl(currentId, "subject-requests"), {
        method: "POST",
        body: { kind: picker ? picker.value : button.dataset.kind, message_id: messageId },
      });
      const recorded = answer.data;
      const text = fill(answer.status === 201 ? requestTexts.recorded : requestTexts.already,
        { reference: recorded.reference, due: dueDate(recorded.due_at) });
      requestResults.set(messageId, text);
      result.textContent = text;
      result.dataset.reference = recorded.reference;
      controls.hidden = true;
      result.focus();
    } catch (err) {
      result.classList.add("request-result--error");
      result.textContent = fill(requestTexts.failed, { error: (err.code ? err.code + ": " : "") + err.message });
      button.removeAttribute("aria-disabled");
    }
  }

  if (messagesEl) {
    messagesEl.addEventListener("click", (e) => {
      const button = e.target.closest(".request-record");
      if (button) recordRequest(button);
    });
    // The messages drawn with the page carry their suggestion as data attributes.
    for (const li of messagesEl.querySelectorAll("li[data-request-kind]")) {
      const suggestion = renderRequestSuggestion(Number(li.dataset.messageId),
        { kind: li.dataset.requestKind, generic: li.dataset.requestGeneric === "1" });
      if (suggestion) li.append(suggestion);
    }
  }

  // --- the draft guard: warn while typing, confirm (or refuse) on send -----------------------------

  const KIND_LABELS = {
    payment_card: "card numbers", iban: "bank account numbers", national_id: "ID numbers",
    health: "health details", cvv: "card security codes", pin: "PINs", password: "passwords",
  };
  const draftWarning = $("#draft-warning");
  let draftTimer = null;
  let draftHint = "";

  function showDraftWarning(result, atSend) {
    if (!draftWarning) return;
    if (!result || !result.kinds || !result.kinds.length) {
      draftWarning.hidden = true;
      return;
    }
    const what = result.kinds.map((k) => KIND_LABELS[k] || k).join(", ");
    draftWarning.querySelector(".draft-warning-text").textContent = result.blocked
      ? "This draft asks the customer for " + what + ". Such requests are blocked: chats are not a safe place for them."
      : "This draft asks the customer for " + what + ". Chats are not a safe place for such data.";
    draftHint = result.hint || "";
    draftWarning.querySelector(".draft-hint").textContent = draftHint ? "Suggested instead: “" + draftHint + "”" : "";
    $("#draft-insert-hint").hidden = !draftHint;
    $("#draft-send-anyway").hidden = !(atSend && !result.blocked);
    draftWarning.hidden = false;
  }

  function checkDraftSoon() {
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(async () => {
      const text = textarea.value;
      if (!text.trim() || currentId === null) { showDraftWarning(null); return; }
      try {
        showDraftWarning(await api(conversationUrl(currentId, "draft-check"), { method: "POST", body: { text } }), false);
      } catch (e) { /* the send-time check still applies */ }
    }, 400);
  }

  async function sendReply(confirmSensitive) {
    const text = textarea.value.trim();
    if (!text || currentId === null) return;
    const button = $("#send");
    button.disabled = true;
    showError("#composer-error", null);
    try {
      const message = await api(conversationUrl(currentId, "reply"), { method: "POST", body: { text, confirm_sensitive: Boolean(confirmSensitive) } });
      textarea.value = "";
      showDraftWarning(null);
      upsertMessage(message);
    } catch (err) {
      if (err.code === "sensitive_draft" || err.code === "sensitive_draft_blocked") {
        showDraftWarning(err.data, true);
        return;
      }
      showError("#composer-error", err);
      if (err.code === "window_closed") {
        const windowEl = $("#window");
        if (windowEl) windowEl.dataset.closesAt = "";
        tickWindow();
      }
    } finally {
      button.disabled = false;
      textarea.focus();
    }
  }

  let lastTypingSent = 0;
  if (composer && textarea) {
    composer.addEventListener("submit", (e) => { e.preventDefault(); sendReply(false); });
    textarea.addEventListener("input", checkDraftSoon);
    const sendAnyway = $("#draft-send-anyway");
    if (sendAnyway) sendAnyway.addEventListener("click", () => sendReply(true));
    const insertHint = $("#draft-insert-hint");
    if (insertHint) insertHint.addEventListener("click", () => { textarea.value = draftHint; showDraftWarning(null); textarea.focus(); });
    textarea.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        const found = shortcutMatches();
        const exact = found.find((c) => "/" + c.shortcut === textarea.value) || (found.length === 1 ? found[0] : null);
        if (exact) expandShortcut(exact);
        else sendReply(false);
      } else if (e.key === "Tab" && !e.shiftKey && shortcutMatches().length) {
        e.preventDefault();
        expandShortcut(shortcutMatches()[0]);
      } else if (e.key === "Escape") {
        const list = $("#canned-suggestions");
        if (list) list.hidden = true;
      }
    });
    textarea.addEventListener("input", () => {
      renderSuggestions();
      const now = Date.now();
      if (currentId !== null && textarea.value && now - lastTypingSent > 3000) {
        lastTypingSent = now;
        send({ type: "typing", conversation: currentId });
      }
    });
    const cannedSelect = $("#canned");
    if (cannedSelect) {
      cannedSelect.addEventListener("change", () => {
        const option = cannedSelect.selectedOptions[0];
        if (option && option.value) insertText(option.dataset.body || "");
        cannedSelect.value = "";
      });
    }
  }

  const templateForm = $("#template-form");
  if (templateForm) {
    const templates = JSON.parse(($("#template-data") || { textContent: "[]" }).textContent);
    const nameSelect = $("#template-name");
    const langSelect = $("#template-language");
    nameSelect.addEventListener("change", () => {
      const t = templates.find((x) => x.name === nameSelect.value);
      const wanted = langSelect.value;
      langSelect.replaceChildren(...(t ? t.languages : []).map((lang) => el("option", { value: lang, selected: lang === wanted }, lang)));
    });
    templateForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      showError("#template-error", null);
      const parameter = $("#template-parameter").value;
      try {
        const message = await api(conversationUrl(currentId, "template"), {
          method: "POST",
          body: { name: nameSelect.value, language: langSelect.value, parameters: parameter ? [parameter] : [] },
        });
        $("#template-parameter").value = "";
        upsertMessage(message);
      } catch (err) {
        showError("#template-error", err);
      }
    });
  }

  async function action(path, payload) {
    showError("#action-error", null);
    try {
      const result = await api(conversationUrl(currentId, path), { method: "POST", body: payload });
      if (result && result.id) {
        applyConversationState(result);
        upsertConversation(result);
      }
      return result;
    } catch (err) {
      showError("#action-error", err);
      return null;
    }
  }

  const bind = (sel, fn) => { const n = $(sel); if (n) n.addEventListener("click", fn); };
  bind("#assign-me", () => action("assign", { agent: me }));
  bind("#assign", () => {
    const value = $("#assign-agent").value;
    action("assign", { agent: value ? Number(value) : null });
  });
  bind("#transfer", () => {
    const team = Number($("#transfer-team").value);
    if (team) action("transfer", { team });
  });
  bind("#resolve", () => action("status", { status: "resolved" }));
  bind("#reopen", () => action("status", { status: "open" }));

  const noteForm = $("#note-form");
  if (noteForm) {
    noteForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      const input = $("#note-text");
      if (!input.value.trim()) return;
      showError("#note-error", null);
      try {
        const note = await api(conversationUrl(currentId, "notes"), { method: "POST", body: { body: input.value } });
        input.value = "";
        const notesEl = $("#notes");
        if (notesEl && !notesEl.querySelector('[data-note-id="' + note.id + '"]')) notesEl.append(renderNote(note));
      } catch (err) {
        showError("#note-error", err);
      }
    });
  }

  // Filters apply on change too (the Apply button stays for keyboard and no-JS use).
  const filters = $("#filters");
  if (filters) {
    for (const select of filters.querySelectorAll("select")) select.addEventListener("change", () => filters.submit());
  }

  // --- start -----------------------------------------------------------------------------------------

  sessionStorage.setItem(STORAGE_KEY, String(lastEventId));
  if (messagesEl) messagesEl.scrollTop = messagesEl.scrollHeight;
  if (conversationEl && Number(conversationEl.dataset.unread) > 0) {
    api(conversationUrl(currentId, "read"), { method: "POST" }).catch(() => {});
  }
  tickWindow();
  window.setInterval(tickWindow, 1000);
  connect();
})();
