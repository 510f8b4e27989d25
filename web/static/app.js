// Pactum's one script: small helpers that pages work without. Loaded from /static so that the
// Content-Security-Policy allows no inline code.
"use strict";
document.addEventListener("click", function (ev) {
  // Copy buttons: <button data-copy="#id"> copies the text of the element #id.
  var b = ev.target.closest("button[data-copy]");
  if (!b) return;
  var el = document.querySelector(b.getAttribute("data-copy"));
  if (!el || !navigator.clipboard) return;
  navigator.clipboard.writeText(el.textContent.trim()).then(function () {
    var was = b.textContent;
    b.textContent = "Copied";
    setTimeout(function () { b.textContent = was; }, 1500);
  });
});
document.addEventListener("DOMContentLoaded", function () {
  // Copy buttons are shown only where they can work.
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy][hidden]").forEach(function (b) { b.hidden = false; });
});
