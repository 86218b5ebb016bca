/* The "Team availability" panel of the supervisor reports (templates/inbox/reports.html), kept live.

   The supervisors' presence socket (/ws/presence/) pushes every change (a status set, an inbox opened or
   closed) as it happens; whenever the socket (re)opens, the current state is read from the API first, so a
   change made while it was down is not missed. While the socket is down the panel reads the API every 30 s.
   Labels come from the page (data-label-*), already in the reader's language. */
(function () {
  "use strict";

  const gettext = typeof window.gettext === "function" ? window.gettext : (text) => text;
  const POLL_MS = 30000;
  const CLOSE_UNAUTHENTICATED = 4401;
  const CLOSE_FORBIDDEN = 4403;

  function start() {
    const root = document.getElementById("availability");
    if (!root) return;
    const stateNode = document.getElementById("availability-state");
    const labels = root.dataset;
    let formatter = null;
    try {
      formatter = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
        { dateStyle: "short", timeStyle: "short", timeZone: root.dataset.timeZone });
    } catch (error) {
      formatter = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });
    }
    let socket = null;
    let backoff = 1000;
    let pollTimer = null;

    function setState(state, text) {
      stateNode.dataset.state = state;
      stateNode.textContent = text;
      const header = document.getElementById("connection");  // the header's socket badge, on this page ours
      if (header) {
        header.dataset.state = state;
        header.textContent = text;
      }
    }

    function statusLabel(status) {
      return labels["label" + status.charAt(0).toUpperCase() + status.slice(1)] || status;
    }

    function apply(presence) {
      root.querySelectorAll('.availability-member[data-user-id="' + Number(presence.user) + '"]').forEach((row) => {
        row.dataset.status = presence.status;
        row.dataset.connected = presence.connected ? "true" : "false";
        const dot = row.querySelector(".presence-dot");
        dot.className = "presence-dot presence-dot--" + presence.status;
        row.querySelector(".availability-status-text").textContent = statusLabel(presence.status);
        row.querySelector(".availability-connected").textContent =
          presence.connected ? labels.labelConnected : labels.labelDisconnected;
        const since = row.querySelector(".availability-since");
        since.textContent = "";
        if (presence.since) {
          const time = document.createElement("time");
          time.dateTime = presence.since;
          time.textContent = formatter.format(new Date(presence.since));
          since.appendChild(time);
        } else {
          since.textContent = "—";
        }
        if (typeof presence.held === "number") row.querySelector(".availability-held").textContent = presence.held;
      });
    }

    async function refresh() {
      try {
        const response = await fetch(root.dataset.presenceApi, {
          credentials: "same-origin", headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        const teams = await response.json();
        teams.forEach((team) => team.members.forEach(apply));
      } catch (error) {
        /* offline: the next poll or the socket's reopening tries again */
      }
    }

    function poll(on) {
      if (on && pollTimer === null) pollTimer = window.setInterval(refresh, POLL_MS);
      if (!on && pollTimer !== null) {
        window.clearInterval(pollTimer);
        pollTimer = null;
      }
    }

    function connect() {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(scheme + "://" + location.host + root.dataset.wsPath);
      socket.addEventListener("open", () => {
        backoff = 1000;
        poll(false);
        setState("live", gettext("Live"));
        refresh();
      });
      socket.addEventListener("message", (message) => {
        let frame;
        try { frame = JSON.parse(message.data); } catch (error) { return; }
        if (frame.type === "presence" && frame.presence) apply(frame.presence);
      });
      socket.addEventListener("close", (event) => {
        socket = null;
        if (event.code === CLOSE_UNAUTHENTICATED || event.code === CLOSE_FORBIDDEN) {
          setState("down", gettext("Not updated: sign in again to see changes."));
          return;
        }
        setState("down", gettext("Reconnecting…"));
        poll(true);
        window.setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, POLL_MS);
      });
    }

    connect();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
