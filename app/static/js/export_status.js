// While the zip is prepared (templates/member_data/export_status.html): fetch this page quietly every few seconds
// and, once it no longer says "being prepared", put its #export-state in place of ours. No reload: nothing jumps,
// the focus stays where it is, and the region (role=status, a polite live region) reads the finished state out
// once. Without JavaScript the page reloads itself instead (its meta refresh, inside <noscript>).
(function () {
  "use strict";
  var region = document.getElementById("export-state");
  if (!region || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(region.getAttribute("data-poll-seconds"), 10);
  if (!seconds) { return; }

  function later() { window.setTimeout(check, seconds * 1000); }

  function check() {
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("export-state");
        if (!fresh || fresh.hasAttribute("data-poll-seconds")) { later(); return; }
        region.removeAttribute("data-poll-seconds");
        region.replaceChildren.apply(region, Array.prototype.map.call(fresh.childNodes, function (node) {
          return document.importNode(node, true);
        }));
      })
      .catch(later);
  }

  later();
})();
