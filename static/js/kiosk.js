// A clinic device in kiosk mode (consent/kiosk.py). The server ends the session after
// KIOSK_IDLE_SECONDS without a request whatever happens here; this only warns first, counts
// down, lets the patient say "I am still here", and replaces the page (and its history entry)
// with the neutral one when the time is up. On the neutral page, the back button stays there.
(function () {
  "use strict";

  var bar = document.querySelector("[data-kiosk-idle]");
  if (document.querySelector("[data-kiosk-ended-page]")) {
    window.history.pushState(null, "", window.location.href);
    window.addEventListener("popstate", function () {
      window.history.pushState(null, "", window.location.href);
    });
  }
  // A page restored from the back-forward cache is asked for again: the server decides.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });
  if (!bar) {
    return;
  }

  var idle = Number(bar.getAttribute("data-kiosk-idle"));
  var warning = Number(bar.getAttribute("data-kiosk-warning"));
  var endedUrl = bar.getAttribute("data-kiosk-ended");
  var dialog = document.getElementById("kiosk-warning");
  var countdown = document.getElementById("kiosk-countdown");
  var form = document.getElementById("kiosk-still-here");
  var deadline = 0;
  var timer = null;

  function end() {
    window.location.replace(endedUrl);
  }

  function tick() {
    var left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) {
      end();
      return;
    }
    if (left <= warning) {
      countdown.textContent = String(left);
      if (dialog.hidden) {
        dialog.hidden = false;
        form.querySelector("button").focus();
      }
    }
    timer = window.setTimeout(tick, 1000);
  }

  function restart() {
    window.clearTimeout(timer);
    dialog.hidden = true;
    deadline = Date.now() + idle * 1000;
    tick();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window
      .fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual",
      })
      .then(function (response) {
        if (response.status === 204) {
          restart();
        } else {
          end();
        }
      }, end);
  });

  restart();
})();
