/* Sending a file from the inbox (templates/inbox/_attach.html): POST .../<conversation id>/attachments/.
 *
 * - The server decides what may go (the file's type is read from its bytes there); this only saves the agent
 *   a pointless upload of a file larger than any WhatsApp carries, and says why a refusal happened.
 * - The sent message appears in the thread by the socket's conversation.message event, as a text reply does.
 * - The form follows the composer: hidden when the composer is (the 24-hour window closed).
 * - Every text comes from Django's JavaScript catalogue (window.gettext); nothing is logged to the console.
 */
(function () {
  "use strict";

  const form = document.getElementById("attach-form");
  const conversationId = document.body.dataset.conversationId;
  if (!form || !conversationId) return;

  const gettext = window.gettext || ((text) => text);
  const apiBase = document.body.dataset.apiBase || "/api/v1/conversations/";
  const url = apiBase + encodeURIComponent(conversationId) + "/attachments/";
  const MAX_BYTES = 100 * 1024 * 1024; // the largest file WhatsApp carries (documents)

  const fileInput = document.getElementById("attach-file");
  const captionInput = document.getElementById("attach-caption");
  const sendButton = document.getElementById("attach-send");
  const errorLine = document.getElementById("attach-error");
  const statusLine = document.getElementById("attach-status");

  const MESSAGES = {
    choose: gettext("Choose a file first."),
    file_empty: gettext("The file is empty."),
    file_too_large: gettext("The file is too large: images up to 5 MB, documents up to 100 MB."),
    file_type_not_allowed: gettext("WhatsApp cannot carry this kind of file: send a JPEG or PNG image, or a PDF, text or Office document."),
    caption_too_long: gettext("The caption is too long: at most 1024 characters."),
    window_closed: gettext("The 24-hour window is closed: only an approved template can be sent."),
    processing_restricted: gettext("Processing is restricted for this customer: nothing can be sent to them."),
    channel_not_supported: gettext("Files can only be sent over WhatsApp."),
    sensitive_draft: gettext("The caption asks the customer for sensitive data. Change the caption or leave it empty."),
    sensitive_draft_blocked: gettext("The caption asks the customer for sensitive data. Change the caption or leave it empty."),
    key_destroyed: gettext("This customer's data was erased: nothing can be sent."),
    not_found: gettext("This conversation is no longer yours to see."),
    permission_denied: gettext("You may not send files."),
    not_authenticated: gettext("Your session has ended: please sign in again."),
    failed: gettext("The file could not be sent. Please try again."),
    sending: gettext("Sending the file…"),
    sent: gettext("File sent."),
  };

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function showError(code) {
    errorLine.textContent = MESSAGES[code] || MESSAGES.failed;
    statusLine.textContent = "";
    fileInput.setAttribute("aria-invalid", "true");
  }

  function clearError() {
    errorLine.textContent = "";
    fileInput.removeAttribute("aria-invalid");
  }

  function busy(on) {
    sendButton.disabled = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
    if (on) statusLine.textContent = MESSAGES.sending;
  }

  fileInput.addEventListener("change", () => {
    clearError();
    statusLine.textContent = "";
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sendButton.disabled) return;
    const file = fileInput.files && fileInput.files[0];
    if (!file) {
      showError("choose");
      fileInput.focus();
      return;
    }
    if (file.size > MAX_BYTES) {
      showError("file_too_large");
      fileInput.focus();
      return;
    }
    clearError();
    const data = new FormData();
    data.append("file", file, file.name);
    data.append("caption", captionInput.value.trim());
    busy(true);
    let response = null;
    let answer = null;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: data,
      });
      try { answer = await response.json(); } catch (e) { answer = null; }
    } catch (e) {
      response = null;
    }
    busy(false);
    if (response && response.status === 201) {
      form.reset();
      clearError();
      statusLine.textContent = MESSAGES.sent;
      fileInput.focus();
      return;
    }
    showError(answer && answer.error ? answer.error : "failed");
    fileInput.focus();
  });

  // Hidden with the composer (the window closed, or reopened by the customer's next message).
  const composer = document.getElementById("composer");
  if (composer) {
    const follow = () => { form.hidden = composer.hidden; };
    new MutationObserver(follow).observe(composer, { attributes: true, attributeFilter: ["hidden"] });
    follow();
  }
})();
