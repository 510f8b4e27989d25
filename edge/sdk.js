/*
 * Pactum direct-linking script. On a landing page it reads the click id from the URL
 * (click_id, clickid or transaction_id, or the names in the script tag's data-param, comma
 * separated), keeps it in the first-party cookie pactum_click_id for 30 days, and
 * Pactum.conversion({offer_id, event, amount, order_id, currency}) reports a conversion to the
 * Pactum server this script came from as an image request to /pixel.
 *
 *   <script src="https://track.example/sdk.js" data-param="click_id" async></script>
 */
(function (w, d) {
  "use strict";

  var COOKIE = "pactum_click_id";
  var MAX_AGE = 30 * 24 * 60 * 60;
  // Pactum's click ids are 32 URL-safe characters; anything else in the URL is not one.
  var VALID = /^[A-Za-z0-9_-]{1,64}$/;
  var FIELDS = ["offer_id", "event", "amount", "order_id", "currency"];

  var script = d.currentScript;
  if (!script) {
    var all = d.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/sdk\.js([?#]|$)/.test(all[i].src)) {
        script = all[i];
        break;
      }
    }
  }

  // The origin that served this script is the one that receives the pixel.
  var origin = "";
  if (script && script.src) {
    var a = d.createElement("a");
    a.href = script.src;
    origin = a.protocol + "//" + a.host;
  }

  var names = ["click_id", "clickid", "transaction_id"];
  var custom = script && script.getAttribute("data-param");
  if (custom) {
    names = [];
    var parts = custom.split(",");
    for (var j = 0; j < parts.length; j++) {
      var n = parts[j].replace(/^\s+|\s+$/g, "");
      if (n) {
        names.push(n);
      }
    }
  }

  function decode(s) {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch (e) {
      return "";
    }
  }

  function fromURL() {
    var pairs = w.location.search.replace(/^\?/, "").split("&");
    for (var k = 0; k < names.length; k++) {
      for (var i = 0; i < pairs.length; i++) {
        var eq = pairs[i].indexOf("=");
        if (eq > 0 && decode(pairs[i].slice(0, eq)) === names[k]) {
          var v = decode(pairs[i].slice(eq + 1));
          if (VALID.test(v)) {
            return v;
          }
        }
      }
    }
    return "";
  }

  function fromCookie() {
    var cookies = d.cookie ? d.cookie.split(";") : [];
    for (var i = 0; i < cookies.length; i++) {
      var c = cookies[i].replace(/^\s+/, "");
      if (c.indexOf(COOKIE + "=") === 0) {
        var v = decode(c.slice(COOKIE.length + 1));
        return VALID.test(v) ? v : "";
      }
    }
    return "";
  }

  var landed = fromURL();
  if (landed) {
    d.cookie = COOKIE + "=" + landed + "; Path=/; Max-Age=" + MAX_AGE + "; SameSite=Lax" +
      (w.location.protocol === "https:" ? "; Secure" : "");
  }

  // clickId returns the click id of this visitor's latest click, or "".
  function clickId() {
    return landed || fromCookie();
  }

  // conversion reports a conversion; opts.click_id overrides the remembered click id.
  function conversion(opts) {
    opts = opts || {};
    var q = [];
    for (var i = 0; i < FIELDS.length; i++) {
      var v = opts[FIELDS[i]];
      if (v !== undefined && v !== null && v !== "") {
        q.push(FIELDS[i] + "=" + encodeURIComponent(String(v)));
      }
    }
    var id = opts.click_id || clickId();
    if (id) {
      q.push("click_id=" + encodeURIComponent(id));
    }
    var img = new Image(1, 1);
    img.src = origin + "/pixel?" + q.join("&");
    return img;
  }

  var P = w.Pactum = w.Pactum || {};
  P.conversion = conversion;
  P.clickId = clickId;
})(window, document);
