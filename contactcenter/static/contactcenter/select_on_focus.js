// The admin's copy-and-paste boxes (the contact snippet, the widget's tag): focusing one selects all of it.
// A static file instead of onfocus="" attributes, which the Content-Security-Policy forbids.
"use strict";
document.addEventListener("focusin", (event) => {
  const target = event.target;
  if (target instanceof HTMLTextAreaElement && target.hasAttribute("data-select-on-focus")) {
    target.select();
  }
});
