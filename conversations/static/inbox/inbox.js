/* The agent inbox: live list and conversation over /ws/agent/, actions over the REST API.
 *
 * - The socket only relays events; every action is a POST with the session cookie and the CSRF token.
 * - The last event id seen is kept in memory and sessionStorage; on (re)connect the server replays what
 *   followed it, so a dropped connection loses nothing. Applying an event twice is harmless (upserts).
 * - Nothing here logs message text or contact data to the console.
 * - Every text comes from Django's JavaScript catalogue (gettext, /inbox/jsi18n/), in the agent's language;
 *   times are shown in the browser's time zone, in the page's language.
 */
(function () {
  "use strict";

  const body = document.body;
  if (!body.classList.contains("inbox-page")) return;

  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (all, name) => (name in obj ? obj[name] : all)));
  const t = (text, values) => (values ? interpolate(gettext(text), values, true) : gettext(text));
  const lang = document.documentElement.lang || undefined;

  const me = Number(body.dataset.userId);
  const apiBase = body.dataset.apiBase; // "/api/v1/conversations/"
  const currentId = body.dataset.conversationId ? Number(body.dataset.conversationId) : null;
  const filter = { scope: body.dataset.scope || "all", status: body.dataset.statusFilter || "", q: body.dataset.q || "" };
  let total = Number(body.dataset.total || 0);
  let nextCursor = body.dataset.nextCursor || "";
  const MAX_LENGTH = 4096; // WhatsApp's limit for a text message
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

  // What a refusal means, in the agent's words: the API's ``error`` codes (its ``detail`` is for developers,
  // in English, and is never shown).
  const ERROR_TEXTS = {
    window_closed: gettext("The 24-hour window is closed: only an approved template can be sent."),
    consent_missing: gettext("The customer has not consented to this purpose: the template cannot be sent."),
    objection: gettext("The customer objected to this purpose: nothing is sent for it."),
    processing_restricted: gettext("Processing is restricted for this customer: nothing can be sent to them."),
    not_allowed: gettext("This is not allowed here."),
    invalid_transition: gettext("The conversation cannot move to that status from where it is."),
    invalid: gettext("The input was not accepted. Please check it."),
    reason_required: gettext("Please give a reason of at least 8 characters."),
    key_destroyed: gettext("This customer's data was erased."),
    rate_limited: gettext("Too many attempts. Please wait a moment."),
    file_refused: gettext("This file cannot be sent."),
    not_found: gettext("This conversation is not in your queues (any more)."),
    permission_denied: gettext("You may not do this."),
    not_authenticated: gettext("Your session has ended: please sign in again."),
    sensitive_draft_blocked: gettext("Such requests are blocked: chats are not a safe place for them."),
  };

  function refusal(status, code) {
    if (code && ERROR_TEXTS[code]) return ERROR_TEXTS[code];
    if (status === 404) return ERROR_TEXTS.not_found;
    if (status === 401) return ERROR_TEXTS.not_authenticated;
    if (status === 403) return ERROR_TEXTS.permission_denied;
    if (status === 413) return t("The file is too large.");
    if (status >= 500) return t("The server could not do it (%(status)s). Please try again.", { status });
    return t("Request failed (%(status)s)", { status });
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
    let response;
    try {
      response = await fetch(path, opts);
    } catch (e) {
      throw new Error(t("No connection to the server. Please try again."));
    }
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (!response.ok) {
      const err = new Error(refusal(response.status, data && data.error));
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
    node.textContent = err ? err.message : "";
  }

  // --- time, in the browser's zone and the page's language ----------------------------------------

  const timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
  const dateFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric" });
  const dayFormat = new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const fullFormat = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "long" });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";

  function parse(iso) {
    const when = iso ? new Date(iso) : null;
    return when && !isNaN(when) ? when : null;
  }

  function dayKey(when) {
    return when.getFullYear() + "-" + (when.getMonth() + 1) + "-" + when.getDate();
  }

  function hhmm(iso) {
    const when = parse(iso);
    return when ? timeFormat.format(when) : "";
  }

  function dayLabel(when) {
    const today = new Date();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (dayKey(when) === dayKey(today)) return t("Today");
    if (dayKey(when) === dayKey(yesterday)) return t("Yesterday");
    return dayFormat.format(when);
  }

  // A list row's time: the time today, the date before.
  function shortWhen(iso) {
    const when = parse(iso);
    if (!when) return "";
    return dayKey(when) === dayKey(new Date()) ? timeFormat.format(when) : dateFormat.format(when);
  }

  function formatTime(node) {
    const when = parse(node.getAttribute("datetime"));
    if (!when) return;
    const kind = node.dataset.format || (node.classList.contains("conv-time") ? "short" : "time");
    node.textContent = kind === "short" ? shortWhen(node.getAttribute("datetime"))
      : kind === "date" ? dateFormat.format(when)
      : kind === "datetime" ? dateFormat.format(when) + " " + timeFormat.format(when)
      : timeFormat.format(when);
    node.title = fullFormat.format(when);
  }

  function formatTimes(root) {
    for (const node of (root || document).querySelectorAll("time[datetime]")) formatTime(node);
  }

  // "Today", "Yesterday", a date: one separator before the first message of each day (in the agent's zone).
  function refreshDaySeparators() {
    if (!messagesEl) return;
    for (const old of messagesEl.querySelectorAll(".day-separator")) old.remove();
    let last = "";
    for (const li of Array.from(messagesEl.querySelectorAll("li.message"))) {
      const when = parse(li.dataset.createdAt);
      if (!when) continue;
      const key = dayKey(when);
      if (key !== last) {
        const sep = el("li", { class: "day-separator", role: "separator" });
        sep.append(el("span", {}, dayLabel(when)));
        li.before(sep);
        last = key;
      }
    }
  }

  // --- labels of codes -------------------------------------------------------------------------------

  const CHANNELS = { whatsapp: "WhatsApp", webchat: gettext("Web chat") };
  const STATUSES = { open: gettext("Open"), pending: gettext("Pending"), resolved: gettext("Resolved") };
  const TYPES = {
    text: gettext("Text"), image: gettext("Image"), audio: gettext("Audio"), voice: gettext("Voice note"),
    video: gettext("Video"), document: gettext("Document"), sticker: gettext("Sticker"), location: gettext("Location"),
    contacts: gettext("Contacts"), interactive: gettext("Interactive reply"), button: gettext("Button reply"),
    reaction: gettext("Reaction"), system: gettext("System message"), template: gettext("Template"),
    unsupported: gettext("Unsupported"),
  };
  const ATTACHMENT_STATUSES = { pending: gettext("Pending download"), stored: gettext("Stored"), failed: gettext("Download failed") };
  // Why a message was not sent, where we recorded it ourselves (conversations.views.OWN_FAILURES).
  const OWN_FAILURES = {
    restricted: gettext("Not sent: processing is restricted for this customer."),
    file_unreadable: gettext("Not sent: the stored file could not be read."),
    no_file: gettext("Not sent: the message has no stored file."),
  };
  const SENSITIVE_TITLE = gettext("Holds special-category data: visible only to its agent, the team's supervisors and the DPO");

  // --- conversation list -----------------------------------------------------------------------

  function matchesFilter(c) {
    if (filter.status && c.status !== filter.status) return false;
    if (filter.scope === "mine") return c.assigned_agent === me;
    if (filter.scope === "unassigned") return c.assigned_agent === null;
    return true; // "team" and "all": the server only sends what this agent may see
  }

  function listQuery(extra) {
    const params = new URLSearchParams();
    if (filter.scope && filter.scope !== "all") params.set("scope", filter.scope);
    if (filter.status) params.set("status", filter.status);
    if (filter.q) params.set("q", filter.q);
    for (const [key, value] of Object.entries(extra || {})) if (value) params.set(key, value);
    return params.toString();
  }

  function renderPreview(p) {
    const span = el("span", { class: "conv-preview" });
    if (!p) return span;
    if (p.direction === "out") {
      const who = p.automatic ? t("Automatic:") : p.author_name ? p.author_name + ":" : t("You:");
      span.append(el("span", { class: "preview-who" }, who), " ");
    }
    if (p.special_category) span.append(el("span", { class: "preview-withheld" }, t("Special-category data, not shown here")));
    else if (p.text) span.append(el("span", { class: "preview-text" }, p.text));
    else span.append(el("span", { class: "preview-type" }, TYPES[p.type] || p.type || ""));
    return span;
  }

  function renderListItem(c) {
    const li = el("li", {
      class: "conv" + (c.id === currentId ? " conv--current" : "") + (c.unread ? " conv--unread" : ""),
      "data-conversation-id": c.id,
      "data-status": c.status,
      "data-team": c.team === null ? "" : c.team,
      "data-assigned-agent": c.assigned_agent === null ? "" : c.assigned_agent,
      "data-last-message-at": c.last_message_at || "",
    });
    const search = listQuery();
    const link = el("a", { href: "/inbox/c/" + c.id + "/" + (search ? "?" + search : "") });
    if (c.id === currentId) link.setAttribute("aria-current", "page");
    link.append(el("span", { class: "conv-name" }, (c.subject && c.subject.name) || t("Customer")));
    if (c.last_message_at) {
      const time = el("time", { class: "conv-time", datetime: c.last_message_at });
      formatTime(time);
      link.append(time);
    }
    link.append(renderPreview(c.preview));
    const meta = el("span", { class: "conv-meta" });
    meta.append(
      el("span", { class: "conv-channel" }, CHANNELS[c.channel] || c.channel), " · ",
      el("span", { class: "conv-status conv-status--" + c.status }, STATUSES[c.status] || c.status), " · ",
      el("span", { class: "conv-agent" }, c.assigned_agent_name || t("Unassigned")),
    );
    if (c.sensitive) meta.append(" ", el("span", { class: "badge badge--special", title: SENSITIVE_TITLE }, t("Sensitive")));
    const unread = el("span", { class: "unread", "data-unread": c.unread });
    unread.hidden = !c.unread;
    unread.append(el("span", { class: "visually-hidden" }, t("Unread:") + " "), el("span", { class: "unread-count" }, String(c.unread)));
    link.append(meta, unread);
    li.append(link);
    return li;
  }

  function showCount() {
    const node = $("#conversation-count");
    if (node) {
      node.dataset.total = String(total);
      node.textContent = t("Conversations: %(total)s", { total: total });
    }
    const empty = $("#conversation-list-empty");
    if (empty) {
      empty.hidden = !listEl || listEl.children.length > 0;
      empty.textContent = filter.q ? t("Nothing found.") : t("No conversations here.");
    }
    const more = $("#load-more");
    if (more) more.hidden = !nextCursor;
  }

  function placeInList(item, when, loaded) {
    // Newest activity first, as the server orders it.
    let before = null;
    for (const other of listEl.children) {
      if ((other.dataset.lastMessageAt || "") < when) { before = other; break; }
    }
    // Below the last loaded row there may be older rows not loaded yet: a row that was not loaded goes to the
    // end only if everything is loaded, else it comes with "Load more". A loaded row stays (the next page starts
    // after it).
    if (before === null && nextCursor && !loaded) return false;
    listEl.insertBefore(item, before);
    return true;
  }

  // The total is the server's: after live changes it is asked again (one small request, debounced), rather than
  // guessed from events for rows that may lie on pages not loaded.
  let recountTimer = null;
  function recountSoon() {
    window.clearTimeout(recountTimer);
    recountTimer = window.setTimeout(async () => {
      try {
        const data = await api(apiBase + "?" + listQuery({ limit: "1" }));
        if (typeof data.count === "number") { total = data.count; showCount(); }
      } catch (e) { /* the next change asks again */ }
    }, 2000);
  }

  function upsertConversation(c) {
    if (!listEl || !c) return;
    const existing = listEl.querySelector('[data-conversation-id="' + c.id + '"]');
    // Only a row that enters or leaves the filter can change the total: then it is asked again.
    let changesCount = false;
    if (!matchesFilter(c)) {
      changesCount = Boolean(existing); // a loaded row left the filter
      if (existing && c.id !== currentId) existing.remove();
      else if (existing) existing.replaceWith(renderListItem(c));
    } else if (existing || !filter.q) {
      // A search's results are the server's to choose: live events update the rows found, add none.
      const item = renderListItem(c);
      const hadFocus = existing && existing.contains(document.activeElement);
      if (existing) existing.remove();
      else changesCount = true; // new, or from a page not loaded yet
      if (placeInList(item, c.last_message_at || "", Boolean(existing)) && hadFocus) item.querySelector("a").focus();
    }
    showCount();
    if (changesCount) recountSoon();
  }

  function removeConversation(id) {
    const existing = listEl && listEl.querySelector('[data-conversation-id="' + id + '"]');
    if (existing) { existing.remove(); showCount(); recountSoon(); }
  }

  function appendPage(results) {
    for (const c of results) {
      if (listEl.querySelector('[data-conversation-id="' + c.id + '"]')) continue; // moved up live meanwhile
      listEl.append(renderListItem(c));
    }
  }

  async function fetchPage(cursor) {
    const next = cursor && (cursor.startsWith("/") || cursor.startsWith("http")) ? cursor : null;
    const url = next || apiBase + "?" + listQuery({ cursor: cursor || "" });
    const data = await api(url);
    nextCursor = data.next || "";
    if (typeof data.count === "number") total = data.count;
    return data.results || [];
  }

  let listRequest = 0;
  async function reloadList() {
    const mine = ++listRequest;
    const listError = $("#list-error");
    try {
      const results = await fetchPage("");
      if (mine !== listRequest) return; // a newer search or filter answered first
      listEl.replaceChildren();
      appendPage(results);
      showCount();
      if (listError) listError.textContent = "";
      const search = listQuery();
      history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
    } catch (err) {
      if (listError) listError.textContent = err.message;
    }
  }

  async function loadMore() {
    const button = $("#load-more");
    if (!nextCursor || !button) return;
    button.disabled = true;
    try {
      appendPage(await fetchPage(nextCursor));
      showCount();
    } catch (err) {
      const listError = $("#list-error");
      if (listError) listError.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  // --- the open conversation --------------------------------------------------------------------

  const TICKS = {
    queued: ["🕓", gettext("Sending")],
    sent: ["✓", gettext("Sent")],
    delivered: ["✓✓", gettext("Delivered")],
    read: ["✓✓", gettext("Read")],
    failed: ["⚠", gettext("Failed")],
  };

  function renderMessage(m) {
    const li = el("li", {
      class: "message message--" + m.direction + (m.type === "system" ? " message--system" : "") + (m.automatic ? " message--automatic" : ""),
      "data-message-id": m.id,
      "data-status": m.status,
      "data-direction": m.direction,
      "data-created-at": m.created_at,
    });
    const bubble = el("div", { class: "bubble" });
    if (m.direction === "out") {
      const author = el("p", { class: "author" });
      if (m.automatic) author.append(el("span", { class: "author--automatic" }, t("Automatic message")));
      else if (m.author_name) author.textContent = m.author_name;
      bubble.append(author);
    }
    const badges = el("p", { class: "badges" });
    if (m.special_category) {
      badges.append(el("span", { class: "badge badge--special", title: t("Special-category data (GDPR Art. 9, LGPD Art. 11): handle with extra care") }, t("Special category")));
    }
    if (m.may_contain_special) {
      badges.append(el("span", { class: "badge badge--media", title: t("Media is not scanned") }, t("May contain special-category data")));
    }
    if (badges.childNodes.length) bubble.append(badges);
    for (const a of m.attachments || []) {
      const p = el("p", { class: "attachment" });
      if (a.status === "stored") p.append(el("a", { href: conversationUrl(m.conversation, "attachments/" + a.id), target: "_blank", rel: "noopener" }, t("Open the file")));
      else p.append(t("File"));
      p.append(" ", el("span", { class: "attachment-meta" }, "(" + (a.mime_type || t("unknown type")) + (a.status !== "stored" ? ", " + (ATTACHMENT_STATUSES[a.status] || a.status) : "") + ")"));
      bubble.append(p);
    }
    if (m.text) {
      const p = el("p", { class: "text" + (m.masked ? " text--masked" : "") });
      // textContent per line keeps customer text inert (no HTML injection).
      m.text.split("\n").forEach((line, i) => { if (i) p.append(document.createElement("br")); p.append(line); });
      bubble.append(p);
    } else if (!(m.attachments || []).length) {
      bubble.append(el("p", { class: "text text--placeholder" }, "[" + (TYPES[m.type] || m.type) + "]"));
    }
    if (m.revealable) {
      bubble.append(el("button", { type: "button", class: "reveal-button", "data-message-id": m.id }, t("Reveal number")));
    } else if (m.redacted) {
      bubble.append(el("p", { class: "redacted-note", role: "note" }, t("Number removed before storing (team policy); the customer was told to use the secure channel.")));
    }
    const meta = el("p", { class: "meta" });
    const time = el("time", { datetime: m.created_at });
    formatTime(time);
    meta.append(time);
    if (m.direction === "out") {
      const [symbol, label] = TICKS[m.status] || TICKS.queued;
      meta.append(" ", el("span", { class: "tick tick--" + (TICKS[m.status] ? m.status : "queued"), title: label, "aria-label": label }, symbol));
      if (m.status === "failed") {
        const own = OWN_FAILURES[m.error_code];
        const detail = own || (m.error_title || t("Not delivered")) + (m.error_code ? " (" + m.error_code + ")" : "");
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
    refreshDaySeparators();
    if (nearBottom || m.direction === "out") messagesEl.scrollTop = messagesEl.scrollHeight;
    if (m.direction === "in") announce(t("New message from the customer"));
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
    const previousTeam = conversationEl.dataset.shownTeam || conversationEl.dataset.team;
    set("#conversation-status", STATUSES[c.status] || c.status);
    const statusNode = $("#conversation-status");
    if (statusNode) statusNode.dataset.status = c.status;
    set("#conversation-team", c.team_name || t("none"));
    set("#conversation-agent", c.assigned_agent_name || t("nobody"));
    const resolve = $("#resolve");
    const reopen = $("#reopen");
    if (resolve) resolve.hidden = c.status === "resolved";
    if (reopen) reopen.hidden = c.status !== "resolved";
    // The controls follow the change without a reload: "Assign to me" only when it is not mine already,
    // the assignee picker on the current agent, the transfer picker without the current team, and after a
    // transfer the new team's members to assign to.
    const assignMe = $("#assign-me");
    if (assignMe) assignMe.hidden = c.assigned_agent === me;
    const teamPicker = $("#transfer-team");
    if (teamPicker) {
      for (const option of teamPicker.options) {
        const here = Number(option.value) === c.team;
        option.hidden = here;
        option.disabled = here;
      }
      if (teamPicker.selectedOptions[0] && teamPicker.selectedOptions[0].disabled) {
        const first = Array.from(teamPicker.options).find((o) => !o.disabled);
        if (first) teamPicker.value = first.value;
      }
    }
    conversationEl.dataset.shownTeam = c.team === null ? "" : String(c.team);
    if (String(previousTeam) !== String(c.team === null ? "" : c.team)) refreshAssignees(c);
    else selectAssignee(c);
    const windowEl = $("#window");
    if (windowEl) windowEl.dataset.closesAt = c.window_closes_at || "";
    tickWindow();
  }

  function selectAssignee(c) {
    const picker = $("#assign-agent");
    if (picker) picker.value = c.assigned_agent === null ? "" : String(c.assigned_agent);
  }

  async function refreshAssignees(c) {
    const picker = $("#assign-agent");
    if (!picker) return;
    try {
      const members = await api(conversationUrl(c.id, "assignees"));
      const nobody = el("option", { value: "" }, t("Nobody (queue)"));
      picker.replaceChildren(nobody, ...members.map((u) => el("option", { value: String(u.id) }, u.username)));
    } catch (err) { /* the conversation may have left our view (a transfer elsewhere) */ }
    selectAssignee(c);
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
    const time = el("time", { datetime: n.created_at, "data-format": "datetime" });
    formatTime(time);
    meta.append(el("span", { class: "note-author" }, n.author || t("system")), " · ", time);
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
      const text = t("%(hours)s h %(minutes)s min %(seconds)s s", {
        hours: Math.floor(s / 3600), minutes: String(Math.floor((s % 3600) / 60)).padStart(2, "0"), seconds: String(s % 60).padStart(2, "0"),
      });
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
        if (frame.conversation === currentId) showError("#action-error", new Error(t("This conversation is no longer in your queues.")));
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
    node.textContent = username ? t("%(name)s is typing…", { name: username }) : t("Someone is typing…");
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
      setConnection("live", t("Live"));
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
        setConnection("down", t("No access to live updates"));
        return;
      }
      setConnection("down", t("Reconnecting…"));
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

  // The suggestion list is a listbox: ↑/↓ move the active option (aria-activedescendant), Enter or Tab take it.
  let activeSuggestion = 0;
  let suggestionKey = "";

  function renderSuggestions() {
    const list = $("#canned-suggestions");
    if (!list) return;
    const found = shortcutMatches();
    const key = found.map((c) => c.shortcut).join(",");
    if (key !== suggestionKey) { activeSuggestion = 0; suggestionKey = key; }
    activeSuggestion = Math.min(activeSuggestion, Math.max(0, found.length - 1));
    list.replaceChildren(...found.map((c, i) => {
      const li = el("li", { role: "option", id: "canned-option-" + i, "data-shortcut": c.shortcut, "aria-selected": i === activeSuggestion ? "true" : "false" }, "/" + c.shortcut + " — " + c.title);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); expandShortcut(c); });
      return li;
    }));
    list.hidden = found.length === 0;
    textarea.setAttribute("aria-expanded", found.length ? "true" : "false");
    if (found.length) {
      textarea.setAttribute("aria-activedescendant", "canned-option-" + activeSuggestion);
      const active = list.children[activeSuggestion];
      if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
    } else {
      textarea.removeAttribute("aria-activedescendant");
    }
  }

  function moveSuggestion(step) {
    const found = shortcutMatches();
    if (!found.length) return false;
    activeSuggestion = (activeSuggestion + step + found.length) % found.length;
    renderSuggestions();
    return true;
  }

  // --- the length counter: WhatsApp takes 4,096 characters; say so instead of cutting the text ------

  function textLength(text) {
    return Array.from(text).length; // characters, not UTF-16 units (an emoji is one)
  }

  function updateCounter() {
    const counter = $("#composer-count");
    if (!counter || !textarea) return true;
    const length = textLength(textarea.value);
    const over = length > MAX_LENGTH;
    counter.textContent = t("%(length)s / %(max)s", { length: length.toLocaleString(lang), max: MAX_LENGTH.toLocaleString(lang) });
    counter.classList.toggle("counter--over", over);
    counter.classList.toggle("counter--near", !over && length > MAX_LENGTH - 200);
    textarea.setAttribute("aria-invalid", over ? "true" : "false");
    const error = $("#composer-error");
    if (over) {
      if (error) error.textContent = t("Too long for WhatsApp by %(excess)s characters: shorten it or send it in two messages.", { excess: (length - MAX_LENGTH).toLocaleString(lang) });
    } else if (error && error.dataset.kind === "length") {
      error.textContent = "";
    }
    if (error) error.dataset.kind = over ? "length" : "";
    const button = $("#send");
    if (button) button.setAttribute("aria-disabled", over ? "true" : "false");
    return !over;
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
      el("label", { htmlFor: id }, t("Why do you need the full number? (logged for the DPO)")),
      el("input", { id, name: "reason", type: "text", required: true, minLength: 8, maxLength: 1000, autocomplete: "off" }),
      el("button", { type: "submit" }, t("Reveal")),
      el("button", { type: "button", class: "reveal-cancel" }, t("Cancel")),
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
      result.textContent = fill(requestTexts.failed, { error: err.message });
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
    payment_card: gettext("card numbers"), iban: gettext("bank account numbers"), national_id: gettext("ID numbers"),
    health: gettext("health details"), cvv: gettext("card security codes"), pin: gettext("PINs"), password: gettext("passwords"),
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
      ? t("This draft asks the customer for %(what)s. Such requests are blocked: chats are not a safe place for them.", { what })
      : t("This draft asks the customer for %(what)s. Chats are not a safe place for such data.", { what });
    draftHint = result.hint || "";
    draftWarning.querySelector(".draft-hint").textContent = draftHint ? t("Suggested instead: “%(hint)s”", { hint: draftHint }) : "";
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
    if (!updateCounter()) { textarea.focus(); return; }
    const button = $("#send");
    button.disabled = true;
    showError("#composer-error", null);
    try {
      const message = await api(conversationUrl(currentId, "reply"), { method: "POST", body: { text, confirm_sensitive: Boolean(confirmSensitive) } });
      textarea.value = "";
      updateCounter();
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
      const found = shortcutMatches();
      const listOpen = found.length && !$("#canned-suggestions").hidden;
      if ((e.key === "ArrowDown" || e.key === "ArrowUp") && listOpen) {
        e.preventDefault();
        moveSuggestion(e.key === "ArrowDown" ? 1 : -1);
      } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (listOpen) expandShortcut(found[activeSuggestion] || found[0]);
        else sendReply(false);
      } else if (e.key === "Tab" && !e.shiftKey && listOpen) {
        e.preventDefault();
        expandShortcut(found[activeSuggestion] || found[0]);
      } else if (e.key === "Escape") {
        const list = $("#canned-suggestions");
        if (list && !list.hidden) list.hidden = true;
        else textarea.blur();
        e.stopPropagation();
      }
    });
    textarea.addEventListener("input", () => {
      renderSuggestions();
      updateCounter();
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

  // --- filters and search: applied as they change, through the API, the address kept in step ------------

  const filters = $("#filters");
  const searchInput = $("#search");
  if (filters) {
    filters.addEventListener("submit", (e) => { e.preventDefault(); applyFilters(); });
    for (const select of filters.querySelectorAll("select")) select.addEventListener("change", applyFilters);
  }
  let searchTimer = null;
  if (searchInput) {
    searchInput.addEventListener("input", () => {
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(applyFilters, 300);
    });
    searchInput.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        if (searchInput.value) { searchInput.value = ""; applyFilters(); } else searchInput.blur();
      } else if (e.key === "ArrowDown") {
        const first = listEl && listEl.querySelector("a");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
  }

  function applyFilters() {
    window.clearTimeout(searchTimer);
    filter.scope = ($("#filter-scope") || {}).value || "all";
    filter.status = ($("#filter-status") || {}).value || "";
    filter.q = searchInput ? searchInput.value.trim() : "";
    reloadList();
  }

  const moreButton = $("#load-more");
  if (moreButton) moreButton.addEventListener("click", loadMore);

  const languageForm = $("#language-form");
  if (languageForm) {
    const picker = languageForm.querySelector("select");
    if (picker) picker.addEventListener("change", () => languageForm.submit());
  }

  // --- keyboard shortcuts: one key each, never while typing -------------------------------------------

  function typing(target) {
    if (!target) return false;
    const tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function openNeighbour(step) {
    if (!listEl) return;
    const links = Array.from(listEl.querySelectorAll("li.conv > a"));
    if (!links.length) return;
    const here = links.findIndex((a) => a.closest("li").classList.contains("conv--current"));
    const target = here === -1 ? links[step > 0 ? 0 : links.length - 1] : links[here + step];
    if (target) location.href = target.href;
  }

  const shortcutsDialog = $("#shortcuts");
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (typing(e.target)) return;
    if (shortcutsDialog && shortcutsDialog.open) return;
    const click = (sel) => { const n = $(sel); if (n && !n.hidden) { n.click(); return true; } return false; };
    let handled = true;
    switch (e.key) {
      case "j": openNeighbour(1); break;
      case "k": openNeighbour(-1); break;
      case "r": if (textarea && !$("#composer").hidden) textarea.focus(); else handled = false; break;
      case "e": handled = click("#resolve"); break;
      case "a": handled = click("#assign-me"); break;
      case "/": if (searchInput) { searchInput.focus(); searchInput.select(); } else handled = false; break;
      case "?":
        if (shortcutsDialog && shortcutsDialog.showModal) shortcutsDialog.showModal();
        else handled = false;
        break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });

  // --- start -----------------------------------------------------------------------------------------

  sessionStorage.setItem(STORAGE_KEY, String(lastEventId));
  formatTimes(document);
  refreshDaySeparators();
  showCount();
  updateCounter();
  const zoneNote = $("#time-zone");
  if (zoneNote && zone) zoneNote.textContent = t("Times in %(zone)s", { zone });
  if (messagesEl) messagesEl.scrollTop = messagesEl.scrollHeight;
  if (conversationEl && Number(conversationEl.dataset.unread) > 0) {
    api(conversationUrl(currentId, "read"), { method: "POST" }).catch(() => {});
  }
  tickWindow();
  window.setInterval(tickWindow, 1000);
  connect();
})();
