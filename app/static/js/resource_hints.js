// Resource pages suggested while writing: progressive enhancement only. Without
// JavaScript the same suggestions come back with the re-rendered composer and
// after posting. Talks only to this site; sends the text, never stores it.
(function () {
  "use strict";
  var textarea = document.getElementById("body");
  var box = document.getElementById("resource-hints");
  var title = document.getElementById("title");
  if (!textarea || !box || !window.fetch) { return; }
  var timer = null;
  var lastText = null;
  var lastSlugs = box.getAttribute("data-slugs") || "";

  function render(pages) {
    var slugs = pages.map(function (p) { return p.slug; }).join(",");
    if (slugs === lastSlugs) { return; }  // don't re-announce the same pages
    lastSlugs = slugs;
    box.textContent = "";
    if (!pages.length) { return; }
    var aside = document.createElement("aside");
    aside.className = "related-resources suggested";
    var heading = document.createElement("h2");
    heading.textContent = box.getAttribute("data-heading");
    aside.appendChild(heading);
    var list = document.createElement("ul");
    pages.forEach(function (p) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.title;
      item.appendChild(link);
      var summary = document.createElement("span");
      summary.className = "meta";
      summary.textContent = " " + p.summary;
      item.appendChild(summary);
      list.appendChild(item);
    });
    aside.appendChild(list);
    box.appendChild(aside);
  }

  function check() {
    var text = (title ? title.value + "\n" : "") + textarea.value;
    if (text === lastText) { return; }
    lastText = text;
    if (!text.trim()) { render([]); return; }
    fetch("/api/v1/resources/suggest", {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({
        text: text,
        lang: textarea.getAttribute("data-lang") || document.documentElement.lang,
        ui_lang: document.documentElement.lang
      })
    }).then(function (r) { return r.ok ? r.json() : {pages: []}; })
      .then(function (data) { render(data.pages || []); })
      .catch(function () { /* a convenience; the server suggests again after posting */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(check, 900);
  }
  textarea.addEventListener("input", later);
  if (title) { title.addEventListener("input", later); }
})();
