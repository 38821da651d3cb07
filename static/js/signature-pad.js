// Optional drawn signature: mouse, touch and pen through Pointer Events. Without JavaScript
// the pad stays hidden and the typed name alone signs.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var pad = document.querySelector("[data-signature-pad]");
    var input = document.querySelector("input[name='drawn_signature']");
    if (!pad || !input) { return; }
    var canvas = pad.querySelector("canvas");
    var clear = pad.querySelector("[data-signature-clear]");
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    pad.hidden = false;
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.strokeStyle = "#1b2a36";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    function finish() {
      if (!drawing) { return; }
      drawing = false;
      if (drawn) { input.value = canvas.toDataURL("image/png"); }
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      input.value = "";
      drawn = false;
    });
  });
})();
