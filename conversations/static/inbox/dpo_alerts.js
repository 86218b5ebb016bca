// The DPO's live alert feed on the admin alert queue: /ws/dpo/, resuming from the last alert seen.
(function () {
  "use strict";
  const box = document.getElementById("live-alerts");
  const list = document.getElementById("live-alert-list");
  if (!box || !list) return;
  let lastId = 0;
  let delay = 500;
  const seen = new Set();

  function show(alert) {
    if (seen.has(alert.id)) return;
    seen.add(alert.id);
    lastId = Math.max(lastId, alert.id);
    const item = document.createElement("li");
    item.className = "live-alert";
    item.dataset.alertId = String(alert.id);
    const severity = document.createElement("span");
    severity.className = "sev-" + alert.severity;
    severity.textContent = alert.severity.toUpperCase();
    const label = document.createElement("span");
    label.textContent = " " + alert.label + ": ";
    const excerpt = document.createElement("q");
    excerpt.className = "excerpt";
    excerpt.textContent = alert.excerpt;
    const open = document.createElement("a");
    open.href = alert.url;
    open.textContent = " " + (box.dataset.review || "review");  // the words in the page's language
    item.append(severity, label, excerpt, open);
    if (alert.inbox_url) {  // null once the conversation was purged; the alert is kept longer
      const conversation = document.createElement("a");
      conversation.href = alert.inbox_url;
      conversation.textContent = " " + (box.dataset.conversation || "conversation") + " #" + alert.conversation;
      item.append(conversation);
    }
    list.prepend(item);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/dpo/");
    socket.addEventListener("open", () => {
      delay = 500;
      box.dataset.state = "live";
      socket.send(JSON.stringify({ type: "resume", last_alert_id: lastId }));
    });
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "alert") show(frame.alert);
    });
    socket.addEventListener("close", (event) => {
      box.dataset.state = "offline";
      if (event.code === 4401 || event.code === 4403) return; // not allowed: do not retry
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    });
  }
  // Alerts already listed below count as seen; the feed shows what arrives after the page loaded.
  document.querySelectorAll("#result_list input[name=_selected_action]").forEach((box) => {
    lastId = Math.max(lastId, Number(box.value) || 0);
  });
  connect();
})();
