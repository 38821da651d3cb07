// Optional drawn signature: mouse, touch and pen through Pointer Events (the canvas has
// `touch-action: none`, so a finger draws instead of scrolling the page). Without JavaScript or
// Pointer Events the pad stays hidden and the typed name alone signs. The canvas is not in the
// tab order: keyboard users go straight from the typed name to the "I agree" box.
(function () {
  "use strict";
  var PNG_PREFIX = "data:image/png;base64,";

  document.addEventListener("DOMContentLoaded", function () {
    var pad = document.querySelector("[data-signature-pad]");
    var input = document.querySelector("input[name='drawn_signature']");
    if (!pad || !input || !window.PointerEvent) { return; }
    var canvas = pad.querySelector("canvas");
    var clear = pad.querySelector("[data-signature-clear]");
    var context = canvas.getContext("2d");
    if (!context) { return; }
    var activePointer = null; // one finger, pen or mouse at a time; a second touch is ignored
    var last = null;
    var drawn = false;
    pad.hidden = false;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1b2a36";

    // After a form error the page comes back with the drawing still in the hidden field:
    // show it again, so what is on screen is what will be signed.
    if (input.value.indexOf(PNG_PREFIX) === 0) {
      var previous = new Image();
      previous.addEventListener("load", function () {
        context.drawImage(previous, 0, 0, canvas.width, canvas.height);
        drawn = true;
      });
      previous.src = input.value;
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }

    function width(event) {
      // A pen reports pressure; a mouse reports 0.5 while pressed, touch often 0 or 1.
      var pressure = event.pointerType === "pen" && event.pressure > 0 ? event.pressure : 0.5;
      return 1.5 + pressure * 2.5;
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (activePointer !== null || (event.pointerType === "mouse" && event.button !== 0)) {
        return;
      }
      activePointer = event.pointerId;
      canvas.setPointerCapture(event.pointerId);
      last = point(event);
      event.preventDefault();
    });

    canvas.addEventListener("pointermove", function (event) {
      if (event.pointerId !== activePointer) { return; }
      var events = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
      (events.length ? events : [event]).forEach(function (each) {
        var next = point(each);
        context.lineWidth = width(each);
        context.beginPath();
        context.moveTo(last.x, last.y);
        context.lineTo(next.x, next.y);
        context.stroke();
        last = next;
      });
      drawn = true;
      event.preventDefault();
    });

    function finish(event) {
      if (event.pointerId !== activePointer) { return; }
      activePointer = null;
      last = null;
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
