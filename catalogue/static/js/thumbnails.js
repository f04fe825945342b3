// Thumbnails over the position slider, as YouTube shows them: pointing at (or dragging along) the timeline shows
// the frame at that moment and its time. The packaging writes them as a WebVTT track of sprite sheets
// (`sprite-0.jpg#xywh=x,y,w,h` per cue, design: catalogue/media/packaging.py); the page names it in
// data-thumbnails. Decorative for a pointer: the slider itself says the position to assistive technology.
(function () {
  "use strict";
  var root = document.querySelector("[data-player][data-thumbnails]");
  var video = document.getElementById("player");
  if (!root || !video || !window.fetch) return;
  var seek = root.querySelector(".controls .seek");
  if (!seek) return;
  var TIMING = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})\s+-->\s+(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})/;
  var FRAGMENT = /#xywh=(\d+),(\d+),(\d+),(\d+)$/;
  var cues = [];

  function seconds(h, m, s, ms) {
    return (parseInt(h || "0", 10) * 3600) + parseInt(m, 10) * 60 + parseInt(s, 10) + parseInt(ms, 10) / 1000;
  }

  // One line of timing, then one line naming the picture: a linear scan, nothing else is read.
  function parse(text, base) {
    var lines = text.split(/\r?\n/);
    var found = [];
    for (var i = 0; i < lines.length - 1; i++) {
      var timing = TIMING.exec(lines[i]);
      if (!timing) continue;
      var target = lines[i + 1].trim();
      var box = FRAGMENT.exec(target);
      if (!box) continue;
      found.push({
        start: seconds(timing[1], timing[2], timing[3], timing[4]),
        end: seconds(timing[5], timing[6], timing[7], timing[8]),
        url: new URL(target.replace(FRAGMENT, ""), base).href,
        x: +box[1], y: +box[2], w: +box[3], h: +box[4]
      });
    }
    return found;
  }

  function at(time) {
    for (var i = 0; i < cues.length; i++) {
      if (time >= cues[i].start && time < cues[i].end) return cues[i];
    }
    return cues.length ? cues[cues.length - 1] : null;
  }

  function timestamp(value) {
    var total = Math.max(0, Math.floor(value));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  var preview = document.createElement("div");
  preview.className = "seek-preview";
  preview.setAttribute("aria-hidden", "true");
  preview.hidden = true;
  var picture = document.createElement("div");
  picture.className = "seek-preview-picture";
  var label = document.createElement("span");
  label.className = "seek-preview-time";
  preview.appendChild(picture);
  preview.appendChild(label);
  seek.parentNode.insertBefore(preview, seek);

  function show(clientX) {
    var duration = video.duration;
    if (!cues.length || !isFinite(duration) || duration <= 0) return;
    var box = seek.getBoundingClientRect();
    var fraction = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    var cue = at(fraction * duration);
    if (!cue) return;
    picture.style.width = cue.w + "px";
    picture.style.height = cue.h + "px";
    picture.style.backgroundImage = "url(\"" + cue.url + "\")";
    picture.style.backgroundPosition = "-" + cue.x + "px -" + cue.y + "px";
    label.textContent = timestamp(fraction * duration);
    preview.hidden = false;
    var parent = preview.offsetParent ? preview.offsetParent.getBoundingClientRect() : box;
    var left = clientX - parent.left - cue.w / 2;
    var limit = (preview.offsetParent ? preview.offsetParent.clientWidth : box.width) - cue.w;
    preview.style.left = Math.max(0, Math.min(limit, left)) + "px";
    root.dataset.thumbnailShown = cue.url.split("/").pop() + "#" + cue.x + "," + cue.y;
  }

  function hide() { preview.hidden = true; }

  fetch(root.dataset.thumbnails, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.text() : ""; })
    .then(function (text) {
      cues = parse(text, new URL(root.dataset.thumbnails, window.location.href).href);
      root.dataset.thumbnailsReady = String(cues.length);
      if (!cues.length) return;
      seek.addEventListener("pointermove", function (event) { show(event.clientX); });
      seek.addEventListener("pointerdown", function (event) { show(event.clientX); });
      seek.addEventListener("pointerleave", hide);
      seek.addEventListener("pointerup", hide);
      seek.addEventListener("blur", hide);
    })
    .catch(function () { cues = []; });
})();
