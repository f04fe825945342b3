// The media page follows a packaging job: its progress every second, then the page again when it ends (the
// server says then what was published, or why it failed). Read-only polling with the session's sign-in.
(function () {
  "use strict";
  var section = document.querySelector("[data-packaging][data-active]");
  if (!section || !window.fetch) return;
  var bar = section.querySelector("progress");
  var status = section.querySelector("#packaging-status");
  var messages = JSON.parse((document.getElementById("media-messages") || {}).textContent || "{}");
  var percent = new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "percent" });
  var POLL_MS = 1000;

  function show(job, fetching) {
    bar.value = job.progress;
    var message = fetching ? messages.fetching : messages.progress;
    if (message) status.textContent = message.replace("{percent}", percent.format(job.progress));
  }

  function poll() {
    fetch(section.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (packaging) {
        var job = packaging && packaging.job;
        if (job && (job.state === "queued" || job.state === "running")) {
          show(job, packaging.fetching);
          window.setTimeout(poll, POLL_MS);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, POLL_MS * 5); });
  }

  window.setTimeout(poll, POLL_MS);
})();
