// Ask before an action that cannot be taken back (retire a secret, delete a credential, remove a
// person): a form, or its submit button, with data-confirm="<question>" is sent only once the
// person says yes. Listening in the capture phase runs this before any other submit handler
// (submit_once.js), so a "no" leaves the form exactly as it was.
(function () {
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const question = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
