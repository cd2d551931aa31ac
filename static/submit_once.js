// Forms marked data-submit-once: on submit, the button is disabled and says "Sending…", so a
// double click sends the form once. (The server holds too: each form's one-time key is used once.)
(function () {
  function buttons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type])");
  }
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    buttons(form).forEach(function (button) { button.dataset.label = button.textContent; });
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending) {
        event.preventDefault();  // already on its way
        return;
      }
      form.dataset.sending = "1";
      buttons(form).forEach(function (button) {
        button.disabled = true;
        button.textContent = "Sending…";
      });
    });
  });
  // Back to a page kept in the browser's cache: the form can be used again (its key cannot).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.sending;
      buttons(form).forEach(function (button) {
        button.disabled = false;
        button.textContent = button.dataset.label;
      });
    });
  });
})();
