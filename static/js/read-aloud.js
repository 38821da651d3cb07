// "Read this section aloud": the browser's own speech synthesis reads one section of the
// material. The buttons are rendered hidden and shown only where the browser can speak (it has
// speechSynthesis and at least one voice); without JavaScript or speech they stay hidden.
// Pressing the reading button again stops it; aria-pressed says whether it is reading.
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
    return;
  }
  var synth = window.speechSynthesis;
  var reading = null; // the button whose section is being read
  var run = 0; // counts readings, so events of a stopped one cannot end the next
  var SKIP = "button, input, select, textarea, script, style, template, [hidden], " +
    "[aria-hidden='true'], [data-read-aloud-skip], .check-field, .field-error";
  // Long utterances are cut off by some browsers after about 15 seconds: read in short pieces.
  var PIECE_LENGTH = 220;

  function target(button) {
    var id = button.getAttribute("data-read-aloud");
    return (id && document.getElementById(id)) || button.closest("section, fieldset, article");
  }

  function language(element) {
    var withLang = element.closest("[lang]") || document.documentElement;
    return withLang.getAttribute("lang") || "";
  }

  // The text a sighted reader sees in the section, in order: closed "more about" panels,
  // buttons and form controls are left out; blocks end a sentence.
  function readableText(root) {
    var parts = [];
    (function walk(node) {
      if (node.nodeType === Node.TEXT_NODE) {
        // Line breaks inside a paragraph are only source formatting; blocks break sentences.
        parts.push(node.nodeValue.replace(/\s+/g, " "));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || node.matches(SKIP)) {
        return;
      }
      if (node.tagName === "DETAILS" && !node.open) {
        return;
      }
      var style = window.getComputedStyle(node);
      if (style.display === "none" || style.visibility === "hidden") {
        return;
      }
      var block = style.display !== "inline";
      if (block) { parts.push("\n"); }
      node.childNodes.forEach(walk);
      if (block) { parts.push("\n"); }
    })(root);
    return parts.join("");
  }

  function pieces(text) {
    var sentences = text
      .split(/\n+|(?<=[.!?;:])\s+/)
      .map(function (sentence) { return sentence.replace(/\s+/g, " ").trim(); })
      .filter(Boolean);
    var out = [];
    sentences.forEach(function (sentence) {
      if (!/[.!?;:]$/.test(sentence)) { sentence += "."; } // a heading or list item: a pause
      var last = out[out.length - 1];
      if (last && last.length + sentence.length < PIECE_LENGTH) {
        out[out.length - 1] = last + " " + sentence;
      } else {
        out.push(sentence);
      }
    });
    return out;
  }

  function voiceFor(lang) {
    var wanted = lang.toLowerCase();
    var voices = synth.getVoices();
    return voices.find(function (voice) {
      return voice.lang.toLowerCase().replace("_", "-").split("-")[0] === wanted.split("-")[0];
    }) || null;
  }

  function finished(button, which) {
    if (reading === button && which === run) {
      reading = null;
      button.setAttribute("aria-pressed", "false");
    }
  }

  function stop() {
    if (reading) { finished(reading, run); }
    run += 1;
    synth.cancel();
  }

  function read(button) {
    var section = target(button);
    if (!section) { return; }
    var lang = language(section);
    var voice = voiceFor(lang);
    var queue = pieces(readableText(section));
    if (!queue.length) { return; }
    var which = run;
    var utterances = queue.map(function (text, index) {
      var utterance = new window.SpeechSynthesisUtterance(text);
      if (lang) { utterance.lang = lang; }
      try {
        if (voice) { utterance.voice = voice; }
      } catch (error) {
        // Not a voice this browser accepts: its own choice for `lang` will do.
      }
      if (index === queue.length - 1) {
        utterance.addEventListener("end", function () { finished(button, which); });
      }
      utterance.addEventListener("error", function () { finished(button, which); });
      return utterance;
    });
    reading = button;
    button.setAttribute("aria-pressed", "true");
    utterances.forEach(function (utterance) { synth.speak(utterance); });
  }

  function start() {
    var buttons = document.querySelectorAll("[data-read-aloud]");
    if (!buttons.length) { return; }
    var shown = false;
    function show() {
      if (shown || !synth.getVoices().length) { return; }
      shown = true;
      buttons.forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var wasReading = reading === button;
          stop();
          if (!wasReading) { read(button); }
        });
      });
    }
    show();
    if (!shown && typeof synth.addEventListener === "function") {
      synth.addEventListener("voiceschanged", show);
    }
    // Speech would otherwise carry on after the patient leaves the page.
    window.addEventListener("pagehide", stop);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && reading) { stop(); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
