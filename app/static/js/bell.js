// The header's unread count is rendered by the server. This only refreshes it when
// the page is shown again (back button, returning to the tab): no polling, and it
// talks only to this site. Without JavaScript the count is right on every page load.
(function () {
  "use strict";
  var bell = document.querySelector("[data-bell]");
  if (!bell || !window.fetch) { return; }
  var badge = bell.querySelector("[data-bell-count]");
  var label = bell.querySelector("[data-bell-label]");
  var url = bell.getAttribute("data-count-url");
  var checked = Date.now();  // the server has just counted

  function show(count) {
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count === 0;
    bell.classList.toggle("has-unread", count > 0);
    label.textContent = count ? label.getAttribute("data-some").replace("{count}", String(count))
                              : label.getAttribute("data-none");
  }

  function refresh(force) {
    if (!force && Date.now() - checked < 30000) { return; }
    checked = Date.now();
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && typeof data.unread === "number") { show(data.unread); } })
      .catch(function () { /* the next page load counts again */ });
  }

  window.addEventListener("pageshow", function (event) { if (event.persisted) { refresh(true); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(false); }
  });
})();
