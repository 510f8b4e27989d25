// The review queue: a "select every conversion on this page" box in the table's head. The page
// works without it (each conversion has its own box). Loaded from /static: no inline code.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.closest("form");
    var boxes = function () {
      return form.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-select-all") + '"]');
    };
    var sync = function () {
      var list = boxes(), ticked = 0;
      list.forEach(function (b) { if (b.checked) ticked++; });
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    };
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
    });
    form.addEventListener("change", function (ev) {
      if (ev.target !== all) sync();
    });
    sync();
  });
});
