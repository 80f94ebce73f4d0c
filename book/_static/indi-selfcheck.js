/* INDI Lab self-check questions (the `selfcheck` directive in book/_ext/indi_book.py).
   Works in the static HTML book: no kernel, no network. Each question is a <form> with a fieldset of
   radio buttons and a real submit button, so Tab / arrow keys / Space / Enter do everything; the
   feedback goes into the form's live region (role="status"), which screen readers announce. */
(function () {
  "use strict";

  function enhance(block) {
    var msg = {
      right: block.getAttribute("data-right"),
      wrong: block.getAttribute("data-wrong"),
      again: block.getAttribute("data-again"),
      choose: block.getAttribute("data-choose")
    };
    block.classList.add("indi-sc-ready");
    Array.prototype.forEach.call(block.querySelectorAll("form.indi-sc-question"), function (form) {
      var key = form.querySelector("details.indi-sc-key");
      if (key) { key.parentNode.removeChild(key); }  // the script gives the same text per answer
      var out = form.querySelector(".indi-sc-feedback");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var chosen = form.querySelector("input[type=radio]:checked");
        Array.prototype.forEach.call(form.querySelectorAll(".indi-sc-option"), function (opt) {
          opt.classList.remove("indi-sc-right", "indi-sc-wrong");
        });
        var text, state;
        if (!chosen) {
          text = msg.choose;
          state = "none";
        } else {
          var right = chosen.getAttribute("data-correct") === "true";
          text = chosen.getAttribute("data-why") + (right ? "" : " " + msg.again);
          state = right ? "right" : "wrong";
          chosen.parentNode.classList.add(right ? "indi-sc-right" : "indi-sc-wrong");
        }
        form.setAttribute("data-state", state);
        // Empty the region first so that the same message is announced again on a second try.
        out.textContent = "";
        window.setTimeout(function () { out.textContent = text; }, 50);
      });
      form.addEventListener("change", function () {
        form.removeAttribute("data-state");
        out.textContent = "";
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".indi-selfcheck"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
