/* Relance's small page behaviours, kept out of the templates so that the Content-Security-Policy
   can forbid inline scripts (relance/security/csp.py). Each one is opted into by markup:
   - <select data-autosubmit>: choosing an option submits its form (filters);
   - <button data-print>: prints the page;
   - <input class="note-mention">: the colleague chosen is added as "@username" to the note;
   - <form data-open-items="#open-items">: the customer code typed in the form reloads that
     block of the page (htmx): the payment form's open items to allocate. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    } else if (target.matches("input.note-mention")) {
      addMention(target);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  function addMention(input) {
    var text = input.form && input.form.querySelector("textarea[name=text]");
    if (input.value.charAt(0) !== "@" || !text) return;
    text.value = (text.value && !/\s$/.test(text.value) ? text.value + " " : text.value) + input.value + " ";
    input.value = "";
    text.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof htmx === "undefined") return;
    document.querySelectorAll("form[data-open-items]").forEach(function (form) {
      var input = form.querySelector("input[name=customer]");
      var block = form.getAttribute("data-open-items");
      if (!input) return;
      input.setAttribute("hx-get", window.location.pathname);
      input.setAttribute("hx-trigger", "change");
      input.setAttribute("hx-target", block);
      input.setAttribute("hx-select", block);
      input.setAttribute("hx-swap", "outerHTML");
      htmx.process(input);
    });
  });
})();
