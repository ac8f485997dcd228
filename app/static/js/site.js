// Small enhancements on every page; each one is optional: without JavaScript the
// menu opens through its link (#site-menu), codes print from the browser's menu,
// links are copied by hand, and nothing else depends on this file.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // The phone menu: a disclosure button instead of a jump to #site-menu.
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (toggle && menu) {
    toggle.setAttribute("role", "button");
    toggle.setAttribute("aria-expanded", "false");
    var setOpen = function (open) {
      menu.classList.toggle("is-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      setOpen(!menu.classList.contains("is-open"));
    });
    // A link given role="button" must answer Space like a button (Enter already clicks it).
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        setOpen(!menu.classList.contains("is-open"));
      }
    });
    // Escape closes the open menu and gives focus back to its button.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("is-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
    var close = menu.querySelector(".menu-close a");
    if (close) {
      close.addEventListener("click", function (event) {
        event.preventDefault();
        menu.classList.remove("is-open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      });
    }
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.closest(".field") && button.closest(".field").querySelector(".copy-status");
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var say = function (key) { if (status) { status.textContent = status.getAttribute(key); } };
      var fallback = function () {
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        say(copied ? "data-copied" : "data-failed");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(function () { say("data-copied"); }, fallback);
      } else {
        fallback();
      }
    });
  });

  // Drafts: what a member writes survives a closed tab, on this device only, for two weeks.
  var DRAFT_DAYS = 14;
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  function forgetDrafts() {
    if (!store) { return; }
    Object.keys(store).forEach(function (key) { if (key.indexOf("draft:") === 0) { store.removeItem(key); } });
  }
  document.querySelectorAll('form[action$="/account/logout"]').forEach(function (form) {
    form.addEventListener("submit", forgetDrafts);
  });
  document.querySelectorAll("form.composer").forEach(function (form) {
    var body = form.querySelector("textarea[name=body]");
    var status = form.querySelector(".draft-status");
    if (!store || !body || !status) { return; }
    var key = "draft:" + form.getAttribute("action");
    var timer = null;
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved && Date.now() - saved.at > DRAFT_DAYS * 86400000) { store.removeItem(key); saved = null; }
    if (saved && saved.text && !body.value.trim()) {
      body.value = saved.text;
      status.textContent = status.getAttribute("data-restored") + " ";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "link-button";
      discard.textContent = status.getAttribute("data-discard");
      discard.addEventListener("click", function () {
        store.removeItem(key);
        body.value = "";
        status.textContent = status.getAttribute("data-discarded");
        body.focus();
      });
      status.appendChild(discard);
      status.hidden = false;
    }
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        try {
          if (body.value.trim()) {
            store.setItem(key, JSON.stringify({text: body.value, at: Date.now()}));
            status.textContent = status.getAttribute("data-saved");
            status.hidden = false;
          } else {
            store.removeItem(key);
          }
        } catch (e) { /* storage full or refused: the draft is a convenience */ }
      }, 700);
    });
    form.addEventListener("submit", function () { clearTimeout(timer); store.removeItem(key); });
  });

  // "Quote" is a link (?quote=N#reply): the server puts the quote in the reply box, with or without this file.
  // Here the focus follows it into the box, the caret after the quote, so that the keyboard and a screen
  // reader land where the answer goes. After the load: going to #reply (a section, which takes no focus) moves
  // the focus to the page itself. Never over a focus the page gave on purpose (a form's first error) or the
  // member moved meanwhile.
  if (/[?&]quote=/.test(window.location.search)) {
    window.addEventListener("load", function () {
      setTimeout(function () {
        var replyBody = document.querySelector("#reply textarea[name=body]");
        var current = document.activeElement;
        if (!replyBody || !replyBody.value || document.querySelector("[autofocus]") ||
            (current && current !== document.body && current !== document.documentElement)) { return; }
        replyBody.focus();
        replyBody.setSelectionRange(replyBody.value.length, replyBody.value.length);
        replyBody.scrollTop = replyBody.scrollHeight;
      }, 0);
    });
  }
})();
