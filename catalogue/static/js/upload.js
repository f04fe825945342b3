// Upload with a progress bar: the same form and the same server answers, sent with XMLHttpRequest so the
// browser can report how much of the file has gone. Without JavaScript the form posts as usual.
(function () {
  "use strict";

  function enhance(form) {
    var progress = form.querySelector(".upload-progress");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      progress.hidden = false;
      progress.value = 0;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
      });
      request.addEventListener("load", function () {
        progress.value = 100;
        if (request.status < 400) {
          // Checked and stored: the redirect led to the report page.
          window.location.assign(request.responseURL);
          return;
        }
        // Refused: show the page the server answered (its errors name the lines), keeping this URL.
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        var main = page.querySelector("main");
        if (main) {
          document.querySelector("main").replaceWith(main);
          var again = document.querySelector("form[data-upload]");
          if (again) enhance(again);
          var alert = document.querySelector("[role=alert]");
          if (alert) alert.scrollIntoView();
        }
      });
      request.addEventListener("error", function () { progress.hidden = true; form.submit(); });
      request.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(enhance);
})();
