// The page's few browser-side helpers (served inline in the page head; the CSP allows the app's own scripts,
// never eval). Each one only improves what the server-side page already does:
// - a prepared download starts by itself (the file's link stays on the page as a fallback);
// - a new answer is scrolled to its start, not its end;
// - the skip link moves the keyboard focus to the main content.
(function () {
  "use strict";
  if (window.__schoolot) return;
  window.__schoolot = { downloads: 0 };
  var started = new Set();

  function startDownloads(root) {
    var links = root.querySelectorAll("#export-file a[href]");
    links.forEach(function (link) {
      var href = link.getAttribute("href");
      if (!href || started.has(href)) return;
      started.add(href);
      window.__schoolot.downloads += 1;
      link.click();
    });
  }

  var watched = ["#chat-card", "#writer-goal", "#plan-out", "#scope-out", "#checker-table"];
  var lastText = {};

  function scrollNewAnswers() {
    watched.forEach(function (selector) {
      var box = document.querySelector(selector);
      if (!box) return;
      var text = box.innerText || "";
      if (text.trim() && lastText[selector] !== undefined && lastText[selector] !== text) {
        var rect = box.getBoundingClientRect();
        if (rect.top < 0 || rect.top > window.innerHeight * 0.6) {
          box.scrollIntoView({ block: "start" });
        }
      }
      lastText[selector] = text;
    });
  }

  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      startDownloads(document);
      scrollNewAnswers();
    });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });

  document.addEventListener("click", function (event) {
    var skip = event.target.closest && event.target.closest("#skip a");
    if (!skip) return;
    var target = document.getElementById("main-content");
    if (!target) return;
    event.preventDefault();
    target.setAttribute("tabindex", "-1");
    target.focus();
    target.scrollIntoView({ block: "start" });
  });
})();
