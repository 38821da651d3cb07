/* Live reading-grade estimate beside patient-facing textareas in the admin.
   The server renders the first estimate; this asks the same server function again while the
   author types, so the numbers always agree. Works for inline rows added later, too. */
(function () {
    "use strict";

    const DELAY_MS = 600;
    const timers = new WeakMap();

    function csrfToken(textarea) {
        const form = textarea.form;
        const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
        return input ? input.value : "";
    }

    function linkEstimate(textarea, estimate) {
        // Rows added with "Add another" get their ids renumbered, but not aria-describedby.
        estimate.id = textarea.id + "_reading_grade";
        const ids = (textarea.getAttribute("aria-describedby") || "")
            .split(/\s+/)
            .filter((id) => id && !id.endsWith("_reading_grade"));
        ids.push(estimate.id);
        textarea.setAttribute("aria-describedby", ids.join(" "));
    }

    async function update(textarea, field) {
        const estimate = field.querySelector(".reading-grade");
        const url = field.dataset.readingGradeUrl;
        if (!estimate || !url) {
            return;
        }
        linkEstimate(textarea, estimate);
        const body = new URLSearchParams({
            text: textarea.value,
            language: field.dataset.readingGradeLanguage || "en",
        });
        try {
            const response = await fetch(url, {
                method: "POST",
                body: body,
                credentials: "same-origin",
                headers: {"X-CSRFToken": csrfToken(textarea)},
            });
            if (!response.ok) {
                return;
            }
            const result = await response.json();
            estimate.textContent = result.message;
            estimate.classList.toggle("reading-grade--above", result.above_target);
        } catch (error) {
            // Offline or signed out: keep the last estimate rather than show an error.
        }
    }

    // Django renumbers the ids of a row added with "Add another" but not the aria-describedby
    // that points at them, so screen readers would find no help text or estimate.
    document.addEventListener("formset:added", function (event) {
        const row = event.target;
        const index = (row.id.match(/-(\d+)$/) || [])[1];
        if (index === undefined) {
            return;
        }
        row.querySelectorAll("[aria-describedby*='__prefix__']").forEach(function (element) {
            const ids = element.getAttribute("aria-describedby").replaceAll("__prefix__", index);
            element.setAttribute("aria-describedby", ids);
        });
    });

    document.addEventListener("input", function (event) {
        const textarea = event.target;
        if (!(textarea instanceof HTMLTextAreaElement)) {
            return;
        }
        const field = textarea.closest(".reading-grade-field");
        if (!field) {
            return;
        }
        clearTimeout(timers.get(textarea));
        timers.set(textarea, setTimeout(() => update(textarea, field), DELAY_MS));
    });
})();
