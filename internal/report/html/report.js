// ipseclint HTML report: the host filter. The page is complete without
// this script; it only shows the filter controls and hides matrix rows and
// host sections that do not match. It reads text, never writes markup.
(function () {
  "use strict";
  var controls = document.getElementById("matrix-controls");
  var filter = document.getElementById("host-filter");
  var only = document.getElementById("only-findings");
  var count = document.getElementById("host-count");
  if (!controls || !filter || !only || !count) {
    return;
  }
  var rows = document.querySelectorAll("table.matrix tbody tr");
  var hosts = document.querySelectorAll("article.host");
  function apply() {
    var q = filter.value.trim().toLowerCase();
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var name = rows[i].querySelector(".hostname").textContent.toLowerCase();
      var ok = name.indexOf(q) >= 0 && (!only.checked || rows[i].classList.contains("has-findings"));
      rows[i].hidden = !ok;
      if (i < hosts.length) {
        hosts[i].hidden = !ok;
      }
      if (ok) {
        shown++;
      }
    }
    count.textContent = shown + " of " + rows.length + " hosts shown";
  }
  filter.addEventListener("input", apply);
  only.addEventListener("change", apply);
  controls.hidden = false;
  apply();
})();
