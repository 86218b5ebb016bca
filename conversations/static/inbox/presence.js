/* The availability switch in the inbox header (templates/inbox/_presence.html): online, away, offline.
   Posts the choice to /api/v1/presence/; on a refusal or a network failure the previous choice comes back
   and a message says so. Texts come from Django's JavaScript catalogue (window.gettext) when the page has it. */
(function () {
  "use strict";

  const gettext = typeof window.gettext === "function" ? window.gettext : (text) => text;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function init(root) {
    const url = root.dataset.presenceUrl;
    const message = root.querySelector(".presence-message");
    const radios = Array.from(root.querySelectorAll('input[type="radio"]'));
    let current = root.dataset.status;

    function show(status) {
      root.dataset.status = status;
      radios.forEach((radio) => { radio.checked = radio.value === status; });
    }

    async function choose(status) {
      if (status === current) return;
      root.setAttribute("aria-busy", "true");
      message.textContent = "";
      try {
        const response = await fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
          body: JSON.stringify({ status: status }),
        });
        if (!response.ok) throw new Error(String(response.status));
        const state = await response.json();
        current = state.status;
        show(current);
        document.dispatchEvent(new CustomEvent("presence:changed", { detail: state }));
      } catch (error) {
        show(current);
        message.textContent = gettext("Your availability could not be changed. Please try again.");
      } finally {
        root.removeAttribute("aria-busy");
      }
    }

    radios.forEach((radio) => {
      radio.addEventListener("change", () => { if (radio.checked) choose(radio.value); });
    });
  }

  function start() {
    const root = document.getElementById("presence");
    if (root) init(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
