// Refresh the data on this page in place every 30 seconds: fetch the same URL with
// ?partial=1 and swap the element marked data-refresh-url. Pauses while the tab is hidden.
(function () {
  const target = document.querySelector("[data-refresh-url]");
  if (!target) return;
  const every = Number(target.dataset.refreshSeconds || 30) * 1000;
  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(target.dataset.refreshUrl, {
        headers: { "X-Requested-With": "fetch" }, credentials: "same-origin",
      });
      if (!response.ok) return;  // keep what is shown; try again next time
      target.innerHTML = await response.text();
      target.dataset.refreshedAt = new Date().toISOString();
    } catch (err) {
      // Network hiccup: the next tick retries.
    }
  }
  setInterval(refresh, every);
})();
