/*
 * Contact-center web-chat widget. Embed with one tag:
 *   <script src="https://<server>/static/webchat/widget.js" data-server="https://<server>" defer></script>
 *
 * Vanilla JS, no build. Everything lives in an open shadow root, so the host page's CSS cannot
 * break it and its CSS cannot leak out. Nothing is connected or stored until the visitor opens
 * the chat: the visitor id lands in localStorage only when they asked for the service.
 *
 * Stable selectors inside the shadow root (browser tests): #cc-open, #cc-consent, #cc-input,
 * #cc-send, #cc-messages [data-direction] ("in" = the visitor's own, "out" = replies), #cc-transcript.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__ccWebchatLoaded) return;
  window.__ccWebchatLoaded = true;

  var server = (script.getAttribute("data-server") || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var socketUrl = server.replace(/^http/, "ws") + "/ws/webchat/";
  var STORE_KEY = "cc-webchat-v1";

  var UI = {
    en: { open: "Chat with us", title: "Chat", close: "Close chat", placeholder: "Write a message…",
          send: "Send", transcript: "Transcript", rights: "Your data / your rights", full: "Privacy statement",
          connecting: "Connecting…", offline: "Connection lost, reconnecting…", unavailable: "The chat is not available right now.",
          sending: "Sending", stored: "Received by us", delivered: "Delivered", read: "Read", you: "You", agent: "Agent",
          rate: "You are sending too fast. Please wait a moment.", failed: "Not sent", consented: "Thank you. You can write now.",
          typing: "An agent is typing…", tooLong: "The message is too long.",
          busyConnections: "Too many chats are open from your network. Please close one, or try again later.",
          busyVisitors: "Too many new chats were started from your network. Please try again later.",
          busyConversations: "Too many conversations were started from your network. Please try again later." },
    de: { open: "Chatten Sie mit uns", title: "Chat", close: "Chat schließen", placeholder: "Nachricht schreiben…",
          send: "Senden", transcript: "Verlauf", rights: "Ihre Daten / Ihre Rechte", full: "Datenschutzerklärung",
          connecting: "Verbinde…", offline: "Verbindung unterbrochen, verbinde neu…", unavailable: "Der Chat ist gerade nicht verfügbar.",
          sending: "Wird gesendet", stored: "Bei uns eingegangen", delivered: "Zugestellt", read: "Gelesen", you: "Sie", agent: "Mitarbeiter",
          rate: "Sie senden zu schnell. Bitte warten Sie einen Moment.", failed: "Nicht gesendet", consented: "Danke. Sie können jetzt schreiben.",
          typing: "Ein Mitarbeiter schreibt…", tooLong: "Die Nachricht ist zu lang.",
          busyConnections: "Aus Ihrem Netzwerk sind zu viele Chats geöffnet. Bitte schließen Sie einen oder versuchen Sie es später erneut.",
          busyVisitors: "Aus Ihrem Netzwerk wurden zu viele neue Chats begonnen. Bitte versuchen Sie es später erneut.",
          busyConversations: "Aus Ihrem Netzwerk wurden zu viele Gespräche begonnen. Bitte versuchen Sie es später erneut." },
    nl: { open: "Chat met ons", title: "Chat", close: "Chat sluiten", placeholder: "Schrijf een bericht…",
          send: "Versturen", transcript: "Transcript", rights: "Uw gegevens / uw rechten", full: "Privacyverklaring",
          connecting: "Verbinden…", offline: "Verbinding verbroken, opnieuw verbinden…", unavailable: "De chat is nu niet beschikbaar.",
          sending: "Wordt verstuurd", stored: "Door ons ontvangen", delivered: "Afgeleverd", read: "Gelezen", you: "U", agent: "Medewerker",
          rate: "U verstuurt te snel. Wacht even.", failed: "Niet verstuurd", consented: "Dank u. U kunt nu schrijven.",
          typing: "Een medewerker typt…", tooLong: "Het bericht is te lang.",
          busyConnections: "Er zijn te veel chats geopend vanaf uw netwerk. Sluit er een of probeer het later opnieuw.",
          busyVisitors: "Er zijn te veel nieuwe chats gestart vanaf uw netwerk. Probeer het later opnieuw.",
          busyConversations: "Er zijn te veel gesprekken gestart vanaf uw netwerk. Probeer het later opnieuw." },
    it: { open: "Chatta con noi", title: "Chat", close: "Chiudi la chat", placeholder: "Scrivi un messaggio…",
          send: "Invia", transcript: "Trascrizione", rights: "I tuoi dati / i tuoi diritti", full: "Informativa privacy",
          connecting: "Connessione…", offline: "Connessione persa, riconnessione…", unavailable: "La chat non è disponibile al momento.",
          sending: "Invio in corso", stored: "Ricevuto", delivered: "Consegnato", read: "Letto", you: "Tu", agent: "Operatore",
          rate: "Stai inviando troppo velocemente. Attendi un momento.", failed: "Non inviato", consented: "Grazie. Ora puoi scrivere.",
          typing: "Un operatore sta scrivendo…", tooLong: "Il messaggio è troppo lungo.",
          busyConnections: "Dalla tua rete sono aperte troppe chat. Chiudine una o riprova più tardi.",
          busyVisitors: "Dalla tua rete sono state avviate troppe nuove chat. Riprova più tardi.",
          busyConversations: "Dalla tua rete sono state avviate troppe conversazioni. Riprova più tardi." },
    "pt-br": { open: "Fale conosco", title: "Chat", close: "Fechar o chat", placeholder: "Escreva uma mensagem…",
          send: "Enviar", transcript: "Transcrição", rights: "Seus dados / seus direitos", full: "Declaração de privacidade",
          connecting: "Conectando…", offline: "Conexão perdida, reconectando…", unavailable: "O chat não está disponível no momento.",
          sending: "Enviando", stored: "Recebida por nós", delivered: "Entregue", read: "Lida", you: "Você", agent: "Atendente",
          rate: "Você está enviando rápido demais. Aguarde um momento.", failed: "Não enviada", consented: "Obrigado. Você já pode escrever.",
          typing: "Um atendente está digitando…", tooLong: "A mensagem é longa demais.",
          busyConnections: "Há chats demais abertos a partir da sua rede. Feche um ou tente novamente mais tarde.",
          busyVisitors: "Chats novos demais foram iniciados a partir da sua rede. Tente novamente mais tarde.",
          busyConversations: "Conversas demais foram iniciadas a partir da sua rede. Tente novamente mais tarde." }
  };

  function browserLanguage() {
    var tag = (navigator.language || "en").toLowerCase();
    if (UI[tag]) return tag;
    var base = tag.split("-")[0];
    if (base === "pt") return "pt-br";
    return UI[base] ? base : "en";
  }

  var lang = browserLanguage();
  function t(key) { return (UI[lang] || UI.en)[key] || UI.en[key]; }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function loadIdentity() {
    try { return JSON.parse(localStorage.getItem(STORE_KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function saveIdentity(visitor, token) {
    try { localStorage.setItem(STORE_KEY, JSON.stringify({ visitor: visitor, token: token })); } catch (e) { /* storage blocked: session only */ }
  }

  // --- DOM ------------------------------------------------------------------------------------
  var host = document.createElement("div");
  host.setAttribute("data-cc-webchat", "");
  var root = host.attachShadow({ mode: "open" });
  // The widget's stylesheet is constructed (CSSOM), not an inline <style>: a host page whose
  // Content-Security-Policy forbids inline styles (ours does) still shows the widget styled. Without
  // constructable stylesheets, a <style> carrying this script tag's nonce, if the page gave it one.
  var css =
    ":host{all:initial}" +
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;line-height:1.4}" +
    "#cc-open{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:28px;padding:14px 20px;" +
    "background:#1f4fd1;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    "#cc-open:focus-visible,button:focus-visible,a:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
    "#cc-panel{position:fixed;right:20px;bottom:84px;z-index:2147483000;width:360px;max-width:calc(100vw - 40px);height:520px;" +
    "max-height:calc(100vh - 120px);display:flex;flex-direction:column;background:#fff;color:#1a1a1a;border-radius:12px;" +
    "box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden}" +
    "#cc-panel[hidden]{display:none}" +
    "header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#1f4fd1;color:#fff}" +
    "header h2{margin:0;font-size:16px;font-weight:600}" +
    "#cc-close{border:0;background:transparent;color:#fff;font-size:20px;cursor:pointer;padding:2px 8px}" +
    "#cc-status{padding:4px 14px;font-size:13px;color:#555;min-height:1.4em}" +
    "#cc-notice{padding:10px 14px;border-bottom:1px solid #e3e3e3;background:#f6f8ff}" +
    "#cc-notice h3{margin:0 0 4px;font-size:14px}#cc-notice p{margin:0 0 6px;font-size:13px}" +
    "#cc-notice label{display:flex;gap:8px;align-items:flex-start;font-size:13px;cursor:pointer}" +
    "#cc-notice input{margin-top:3px;width:16px;height:16px}" +
    "a{color:#1f4fd1}" +
    "#cc-messages{flex:1;overflow-y:auto;padding:10px 14px;display:flex;flex-direction:column;gap:6px}" +
    ".msg{max-width:80%;padding:7px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}" +
    ".msg[data-direction=in]{align-self:flex-end;background:#1f4fd1;color:#fff}" +
    ".msg[data-direction=out]{align-self:flex-start;background:#eef0f3}" +
    ".meta{display:block;font-size:11px;opacity:.8;margin-top:2px}" +
    "form{display:flex;gap:6px;padding:8px 10px;border-top:1px solid #e3e3e3}" +
    "#cc-input{flex:1;resize:none;height:42px;padding:8px;border:1px solid #bbb;border-radius:8px}" +
    "#cc-send{border:0;border-radius:8px;padding:0 14px;background:#1f4fd1;color:#fff;cursor:pointer}" +
    "#cc-send:disabled{background:#9aa6c7;cursor:not-allowed}" +
    "footer{display:flex;justify-content:space-between;align-items:center;padding:6px 14px 10px;font-size:13px}" +
    "#cc-transcript{border:1px solid #1f4fd1;background:#fff;color:#1f4fd1;border-radius:6px;padding:3px 8px;cursor:pointer;font-size:13px}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";
  var adopted = false;
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
    adopted = true;
  } catch (e) { /* an older browser: the <style> element below */ }
  root.innerHTML =
    "<button id='cc-open' type='button' aria-haspopup='dialog' aria-expanded='false' aria-controls='cc-panel'></button>" +
    "<section id='cc-panel' role='dialog' aria-modal='false' aria-labelledby='cc-title' hidden>" +
    "<header><h2 id='cc-title'></h2><button id='cc-close' type='button'>×</button></header>" +
    "<div id='cc-status' role='status' aria-live='polite'></div>" +
    "<div id='cc-notice' hidden><h3 id='cc-notice-title'></h3><p id='cc-notice-summary'></p>" +
    "<p><a id='cc-notice-link' target='_blank' rel='noopener'></a></p>" +
    "<label><input id='cc-consent' type='checkbox'><span id='cc-consent-label'></span></label></div>" +
    "<div id='cc-messages' role='log' aria-live='polite' aria-relevant='additions'></div>" +
    "<form id='cc-form'><label for='cc-input' class='sr' id='cc-input-label'></label>" +
    "<textarea id='cc-input' rows='1' maxlength='4096'></textarea>" +
    "<button id='cc-send' type='submit' disabled></button></form>" +
    "<footer><button id='cc-transcript' type='button' disabled></button>" +
    "<a id='cc-rights' target='_blank' rel='noopener' hidden></a></footer>" +
    "</section>";

  if (!adopted) {
    var style = document.createElement("style");
    if (script && script.nonce) style.nonce = script.nonce;
    style.textContent = css;
    root.insertBefore(style, root.firstChild);
  }
  function $(id) { return root.getElementById(id); }
  var openBtn = $("cc-open"), panel = $("cc-panel"), closeBtn = $("cc-close"), statusEl = $("cc-status");
  var noticeEl = $("cc-notice"), consentBox = $("cc-consent"), list = $("cc-messages"), form = $("cc-form");
  var input = $("cc-input"), sendBtn = $("cc-send"), transcriptBtn = $("cc-transcript"), rightsLink = $("cc-rights");

  function applyLabels() {
    openBtn.textContent = t("open");
    openBtn.setAttribute("aria-label", t("open"));
    $("cc-title").textContent = t("title");
    closeBtn.setAttribute("aria-label", t("close"));
    input.setAttribute("placeholder", t("placeholder"));
    $("cc-input-label").textContent = t("placeholder");
    sendBtn.textContent = t("send");
    transcriptBtn.textContent = t("transcript");
    rightsLink.textContent = t("rights");
    $("cc-notice-link").textContent = t("full");
  }
  applyLabels();

  // --- State -------------------------------------------------------------------------------------
  var ws = null, connected = false, consented = false, notice = null, started = false;
  var retry = 0, retryTimer = null;
  // Per-address limits the server refuses with (then closes the socket with 4429): the text that says so.
  var BUSY = { too_many_connections: "busyConnections", too_many_visitors: "busyVisitors",
               too_many_conversations: "busyConversations" };
  var BUSY_RETRY = 5 * 60 * 1000, busy = "";
  var pending = {};          // client_id -> text, until acknowledged (resent on reconnect: stored once)
  var rendered = {};         // message id -> element
  var reported = {};         // reply id -> "delivered" | "read"
  var lastTyping = 0;

  function setStatus(text) { statusEl.textContent = text || ""; }

  function refreshControls() {
    var ready = connected && consented;
    sendBtn.disabled = !ready || !input.value.trim();
    transcriptBtn.disabled = !connected;
    noticeEl.hidden = consented || !notice;
  }

  function send(frame) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function tickLabel(status) {
    return { pending: t("sending"), received: t("stored"), failed: t("failed") }[status] || "";
  }

  function render(message) {
    var id = message.id;
    var el = rendered[id];
    if (!el) {
      el = document.createElement("div");
      el.className = "msg";
      el.setAttribute("data-direction", message.direction);
      el.setAttribute("data-id", id);
      var who = document.createElement("span");
      who.className = "sr";
      who.textContent = message.direction === "in" ? t("you") + ": " : (message.author || t("agent")) + ": ";
      var body = document.createElement("span");
      body.className = "body";
      body.textContent = message.text || "";
      var meta = document.createElement("span");
      meta.className = "meta";
      el.appendChild(who); el.appendChild(body); el.appendChild(meta);
      rendered[id] = el;
      list.appendChild(el);
      list.scrollTop = list.scrollHeight;
    }
    el.setAttribute("data-status", message.status);
    var meta = el.querySelector(".meta");
    if (message.direction === "in") {
      // Ticks for the visitor's own messages: a clock while sending, a tick once we stored it.
      var mark = message.status === "pending" ? "🕓" : message.status === "failed" ? "⚠" : "✓";
      meta.textContent = mark;
      meta.setAttribute("aria-label", tickLabel(message.status));
      meta.setAttribute("title", tickLabel(message.status));
    } else if (message.author) {
      meta.textContent = message.author;
    }
    return el;
  }

  function isVisible() { return !panel.hidden && document.visibilityState === "visible"; }

  function report(message) {
    if (message.direction !== "out" || !message.id || message.id.indexOf("webchat.") !== 0) return;
    var done = reported[message.id] || message.status;
    if (done !== "delivered" && done !== "read") {
      send({ type: "delivered", message_id: message.id });
      reported[message.id] = done = "delivered";
    }
    if (done !== "read" && isVisible()) {
      send({ type: "read", message_id: message.id });
      reported[message.id] = "read";
    }
  }

  function reportAllRead() {
    Object.keys(rendered).forEach(function (id) {
      var el = rendered[id];
      if (el.getAttribute("data-direction") === "out") report({ id: id, direction: "out", status: el.getAttribute("data-status") });
    });
  }

  function showNotice(n) {
    notice = n;
    if (!n) return;
    $("cc-notice-title").textContent = n.title;
    $("cc-notice-summary").textContent = n.summary;
    $("cc-consent-label").textContent = n.consent_label;
    $("cc-notice-link").href = n.url;
    consentBox.checked = false;
    consentBox.disabled = false;
  }

  function download(filename, text) {
    var url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    var a = document.createElement("a");
    a.href = url; a.download = filename;
    root.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // --- Socket ------------------------------------------------------------------------------------
  var handlers = {
    welcome: function (f) {
      saveIdentity(f.visitor, f.token);
      lang = UI[f.language] ? f.language : lang;
      applyLabels();
      consented = !!f.consented;
      showNotice(f.notice);
      rightsLink.hidden = !f.rights_url;
      if (f.rights_url) rightsLink.href = f.rights_url;
      setStatus(f.notice || consented ? "" : t("unavailable"));
      (f.history || []).forEach(function (m) { render(m); report(m); });
      // Resend what was not acknowledged before the connection dropped: same client id, stored once.
      if (consented) Object.keys(pending).forEach(function (cid) { send({ type: "message", client_id: cid, text: pending[cid] }); });
      refreshControls();
    },
    consented: function () {
      consented = true;
      setStatus(t("consented"));
      refreshControls();
      input.focus();
    },
    ack: function (f) {
      delete pending[f.client_id];
      render({ id: f.client_id, direction: "in", status: "received" });
    },
    message: function (f) { render(f.message); report(f.message); },
    transcript: function (f) { download(f.filename || "chat-transcript.txt", f.text); },
    agent_typing: function () { setStatus(t("typing")); setTimeout(function () { setStatus(""); }, 4000); },
    error: function (f) {
      if (f.code === "notice_outdated" && f.notice) { consented = false; showNotice(f.notice); }
      else if (f.code === "consent_required") { consented = false; }
      else if (f.code === "rate_limited") { setStatus(t("rate")); }
      else if (f.code === "too_long") { setStatus(t("tooLong")); }
      else if (f.code === "unavailable" || f.code === "notice_unavailable") { setStatus(t("unavailable")); }
      else if (BUSY[f.code]) { busy = BUSY[f.code]; setStatus(t(busy)); }
      if (!consented && consentBox.disabled) { consentBox.checked = false; consentBox.disabled = false; }
      if (f.client_id && pending[f.client_id] !== undefined && f.code !== "rate_limited") {
        delete pending[f.client_id];
        render({ id: f.client_id, direction: "in", status: "failed" });
      }
      refreshControls();
    }
  };

  function connect() {
    clearTimeout(retryTimer);
    setStatus(t("connecting"));
    ws = new WebSocket(socketUrl);
    ws.onopen = function () {
      connected = true;
      retry = 0;
      var id = loadIdentity();
      send({ type: "hello", visitor: id.visitor || null, token: id.token || null, language: lang });
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      var handler = frame && handlers[frame.type];
      if (handler) handler(frame);
    };
    ws.onclose = function (event) {
      connected = false;
      refreshControls();
      // 4429: a per-address limit (the error frame before it said which). Keep saying so; try again in minutes:
      // the limits count in 5-minute steps. Otherwise exponential backoff with jitter, capped at 30 s.
      var limited = event && event.code === 4429;
      setStatus(limited ? t(busy || "busyConnections") : t("offline"));
      busy = "";
      var delay = limited ? BUSY_RETRY * (1 + Math.random())
        : Math.min(30000, 1000 * Math.pow(2, retry++)) * (0.5 + Math.random() / 2);
      retryTimer = setTimeout(connect, delay);
    };
  }

  // --- Events ------------------------------------------------------------------------------------
  function openPanel() {
    panel.hidden = false;
    openBtn.setAttribute("aria-expanded", "true");
    if (!started) { started = true; connect(); }
    (consented ? input : (notice ? consentBox : closeBtn)).focus();
    reportAllRead();
  }
  function closePanel() {
    panel.hidden = true;
    openBtn.setAttribute("aria-expanded", "false");
    openBtn.focus();
  }

  openBtn.addEventListener("click", function () { if (panel.hidden) openPanel(); else closePanel(); });
  closeBtn.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") closePanel(); });
  document.addEventListener("visibilitychange", function () { if (isVisible()) reportAllRead(); });

  consentBox.addEventListener("change", function () {
    if (consentBox.checked && notice) {
      consentBox.disabled = true;  // until the server recorded it (or refused)
      if (!send({ type: "consent", notice_id: notice.id })) { consentBox.checked = false; consentBox.disabled = false; }
    }
  });

  input.addEventListener("input", function () {
    refreshControls();
    var now = Date.now();
    if (consented && now - lastTyping > 2000) { lastTyping = now; send({ type: "typing" }); }
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (!sendBtn.disabled) form.requestSubmit ? form.requestSubmit() : submit();
    }
  });
  function submit() {
    var text = input.value.trim();
    if (!text || !consented || !connected) return;
    var cid = uuid4();
    pending[cid] = text;
    render({ id: cid, direction: "in", text: text, status: "pending" });
    send({ type: "message", client_id: cid, text: text });
    input.value = "";
    refreshControls();
    input.focus();
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
  transcriptBtn.addEventListener("click", function () { send({ type: "transcript" }); });

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
