// Which "More about …" sections of a wizard step the patient opened, reported to the server
// when the page is left (navigator.sendBeacon, with the page's CSRF token). Without this script
// the server records nothing, which reads as "unknown", never as "none opened".
(function () {
  "use strict";
  var form = document.querySelector("form[data-more-about-url]");
  if (!form || !navigator.sendBeacon || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-more-about-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var opened = {};
  var sentCount = -1;

  document.querySelectorAll("details[data-more-about]").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (details.open) {
        opened[details.getAttribute("data-more-about")] = true;
      }
    });
  });

  function report() {
    var ids = Object.keys(opened);
    if (ids.length === sentCount) {
      return;
    }
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token ? token.value : "");
    ids.forEach(function (id) {
      data.append("opened", id);
    });
    if (navigator.sendBeacon(url, data)) {
      sentCount = ids.length;
    }
  }

  window.addEventListener("pagehide", report);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      report();
    }
  });
})();
