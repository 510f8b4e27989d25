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
// The live feed: <ol id="live-feed" data-src="/console/live"> shows the stream's clicks,
// conversions and commissions as they come (server-sent events; EventSource reconnects and
// resumes by itself). Text is set as text, never as markup.
document.addEventListener("DOMContentLoaded", function () {
  var feed = document.getElementById("live-feed");
  if (!feed || !window.EventSource) return;
  var empty = document.getElementById("live-empty");
  var status = document.getElementById("live-status");
  var consoleArea = feed.getAttribute("data-src").indexOf("/console/") === 0;
  empty.hidden = false;
  function money(d, key) { return d[key] + " " + d.currency; }
  function item(kind, d) {
    var li = document.createElement("li");
    li.className = "fresh " + kind;
    var t = document.createElement("time");
    var at = new Date(d.time);
    t.dateTime = d.time;
    t.textContent = at.toLocaleTimeString();
    var what = document.createElement("span");
    what.className = "what";
    var rest = document.createElement("span");
    var parts = [];
    if (kind === "click") {
      what.textContent = d.rejected ? "Refused click" : (d.bot ? "Bot click" : "Click");
      parts.push("offer " + d.offer_id);
      if (consoleArea && d.partner_id) parts.push("partner " + d.partner_id);
      [d.country, d.device, d.source, d.sub1].forEach(function (v) { if (v) parts.push(v); });
    } else if (kind === "conversion") {
      what.textContent = "Sale of " + money(d, "amount");
      parts.push((consoleArea ? "payout " : "you earn ") + money(d, "payout"));
      parts.push("offer " + d.offer_id);
      if (consoleArea && d.partner_id) parts.push("partner " + d.partner_id);
      parts.push(d.status);
    } else {
      what.textContent = "Commission " + d.change;
      parts.push("conversion " + d.conversion_id, money(d, "payout"), d.status);
    }
    rest.textContent = parts.join(" · ");
    li.append(t, what, rest);
    return li;
  }
  function add(kind) {
    return function (ev) {
      var d;
      try { d = JSON.parse(ev.data); } catch (e) { return; }
      feed.insertBefore(item(kind, d), feed.firstChild);
      while (feed.children.length > 50) feed.removeChild(feed.lastChild);
      empty.hidden = true;
    };
  }
  var es = new EventSource(feed.getAttribute("data-src"));
  ["click", "conversion", "commission"].forEach(function (k) { es.addEventListener(k, add(k)); });
  es.onopen = function () { status.hidden = true; feed.setAttribute("data-live", "open"); };
  es.onerror = function () {
    status.hidden = false;
    status.textContent = es.readyState === EventSource.CLOSED ? "The live feed stopped: reload the page." : "Reconnecting to the live feed…";
  };
});
