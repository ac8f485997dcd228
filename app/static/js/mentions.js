// @pseudonym suggestions while writing: progressive enhancement only. Without
// JavaScript, typing "@Pseudonym" by hand works the same. Asks this site only, for
// members who have posted and accept mentions; people in the thread come first.
(function () {
  "use strict";
  var textarea = document.getElementById("body");
  var box = document.getElementById("mention-suggestions");
  if (!textarea || !box || !window.fetch || !textarea.getAttribute("data-mention-url")) { return; }
  var url = textarea.getAttribute("data-mention-url");
  var threadId = textarea.getAttribute("data-thread-id") || "";
  var timer = null;
  var options = [];
  var active = -1;
  var start = -1;  // where the "@" being completed sits in the text
  var asked = "";

  box.setAttribute("role", "listbox");
  box.id = box.id || "mention-suggestions";
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", box.id);
  // No aria-expanded: a textarea is a textbox, which does not take it (a combobox would,
  // but a multi-line message field is not one). The listbox and active option say enough.

  function close() {
    box.hidden = true;
    box.textContent = "";
    options = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (index >= 0) { textarea.setAttribute("aria-activedescendant", options[index].id); }
  }

  function choose(name) {
    var caret = textarea.selectionStart;
    var text = textarea.value;
    textarea.value = text.slice(0, start) + "@" + name + " " + text.slice(caret);
    var at = start + name.length + 2;
    textarea.setSelectionRange(at, at);
    close();
    textarea.focus();
  }

  function show(names) {
    close();
    if (!names.length) { return; }
    names.forEach(function (name, i) {
      var option = document.createElement("div");
      option.id = "mention-option-" + i;
      option.setAttribute("role", "option");
      option.className = "mention-option";
      option.textContent = "@" + name;
      option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(name); });
      box.appendChild(option);
      options.push(option);
    });
    box.hidden = false;
    highlight(0);
  }

  function lookup() {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = /(^|[\s(\[>])@([^\s@]{2,30})$/.exec(before);
    if (!match) { close(); return; }
    start = before.length - match[2].length - 1;
    if (match[2] === asked && options.length) { return; }
    asked = match[2];
    var query = "?q=" + encodeURIComponent(match[2]) + (threadId ? "&thread_id=" + encodeURIComponent(threadId) : "");
    fetch(url + query, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {pseudonyms: []}; })
      .then(function (data) { show(data.pseudonyms || []); })
      .catch(close);
  }

  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 250);
  });
  textarea.addEventListener("keydown", function (event) {
    if (box.hidden || !options.length) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (active >= 0) { event.preventDefault(); choose(options[active].textContent.slice(1)); }
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  textarea.addEventListener("blur", function () { setTimeout(close, 150); });
})();
