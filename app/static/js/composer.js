// Live wording hints while writing: progressive enhancement only. Without
// JavaScript the same findings come back on submit. Talks only to this site.
(function () {
  "use strict";
  var textarea = document.getElementById("body");
  var box = document.getElementById("live-hints");
  var tokenField = document.querySelector('input[name="csrf_token"]');
  if (!textarea || !box || !window.fetch) { return; }
  var timer = null;
  var lastText = null;

  function render(findings) {
    box.textContent = "";
    // Wording suggestions (stigma rules), and a kind word to a member who
    // announces their own abrupt stop: its explanation, shown once.
    var shown = findings.filter(function (f) { return f.category === "stigma" && f.source !== "model"; });
    var stopping = findings.filter(function (f) { return f.category === "cold_turkey_advice" && f.about === "self"; });
    if (!shown.length && !stopping.length) { box.hidden = true; return; }
    if (stopping.length && stopping[0].explanation) {
      var note = document.createElement("p");
      note.className = "stopping-hint";
      note.textContent = stopping[0].explanation;
      box.appendChild(note);
    }
    if (!shown.length) { box.hidden = false; return; }
    var list = document.createElement("ul");
    shown.forEach(function (f) {
      var item = document.createElement("li");
      var strong = document.createElement("strong");
      // The page's own quotation marks (« » in French, “ ” in Dutch and English).
      strong.textContent = (box.getAttribute("data-quote") || "“%s”").replace("%s", f.match);
      item.appendChild(strong);
      if (f.suggestions && f.suggestions.length) {
        item.appendChild(document.createTextNode(" → " + f.suggestions.join(", ")));
      }
      if (f.explanation) {
        var why = document.createElement("div");
        why.textContent = f.explanation;
        item.appendChild(why);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    box.hidden = false;
  }

  function check() {
    var text = textarea.value;
    if (text === lastText) { return; }
    lastText = text;
    fetch("/api/v1/moderation/check", {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": tokenField ? tokenField.value : ""},
      body: JSON.stringify({text: text, lang: textarea.getAttribute("data-lang") || document.documentElement.lang})
    }).then(function (r) { return r.ok ? r.json() : {findings: []}; })
      .then(function (data) { render(data.findings || []); })
      .catch(function () { /* hints are a convenience; the server checks on submit */ });
  }

  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  });
})();
