// The watch page: switch audio without losing the moment, choose subtitles, jump to chapters, share a moment.
// Plain JavaScript over native controls, so every control works with the keyboard and without a build step.
(function () {
  "use strict";
  var root = document.querySelector("[data-player]");
  if (!root) return;
  var video = root.querySelector("video");
  var stepBack = parseFloat(root.dataset.stepBack || "0") || 0;
  var audioInputs = root.querySelectorAll('input[name="audio"]');
  var subsInputs = root.querySelectorAll('input[name="subs"]');
  var chapterButtons = root.querySelectorAll("button.chapter");
  var shareInput = document.getElementById("share-url");
  var shareStatus = document.getElementById("share-status");
  var messages = JSON.parse((document.getElementById("player-messages") || {}).textContent || "{}");
  var caption = root.querySelector(".caption");
  var state = { audio: root.dataset.audio, subs: root.dataset.subs };

  function onMetadata(callback) {
    if (video.readyState >= 1) callback();
    else video.addEventListener("loadedmetadata", callback, { once: true });
  }

  function selectedAudio() {
    return root.querySelector('input[name="audio"][value="' + CSS.escape(state.audio) + '"]');
  }

  // Captions are drawn by the page, not by the browser: the recordings are often audio only, where
  // browsers draw no captions, and one overlay looks the same everywhere. Cue text is set as text, never HTML.
  function renderCaption() {
    var lines = [];
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      if (track.mode !== "hidden" || track.language !== state.subs || !track.activeCues) continue;
      for (var j = 0; j < track.activeCues.length; j++) {
        lines.push(track.activeCues[j].getCueAsHTML().textContent);
      }
    }
    caption.textContent = lines.join("\n");
    caption.lang = state.subs;
    caption.hidden = lines.length === 0;
  }

  function showSubtitles(language) {
    state.subs = language;
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      track.mode = track.language === language ? "hidden" : "disabled";
    }
    renderCaption();
    remember();
    // Other parts of the page (the transcript) follow the chosen language.
    root.dispatchEvent(new CustomEvent("subtitles:change", { detail: { language: language } }));
  }

  function switchAudio(input) {
    var previous = selectedAudio();
    var wasPlaying = !video.paused && !video.ended;
    var time = video.currentTime;
    // Interpreters speak a moment after the floor: step back so the start of the sentence is heard.
    if (previous && previous.dataset.kind === "original" && input.dataset.kind === "interpretation") {
      time = Math.max(0, time - stepBack);
    }
    state.audio = input.value;
    video.src = input.dataset.url;
    video.load();
    onMetadata(function () {
      video.currentTime = time;
      showSubtitles(state.subs);
      if (wasPlaying) video.play();
    });
    remember();
  }

  function momentUrl() {
    var url = new URL(window.location.href);
    url.search = "";
    url.searchParams.set("t", String(Math.floor(video.currentTime)));
    url.searchParams.set("audio", state.audio);
    url.searchParams.set("subs", state.subs);
    return url.toString();
  }

  // Keep the address bar on the chosen audio and subtitles, so a reload keeps them too.
  function remember() {
    var url = new URL(window.location.href);
    url.searchParams.set("audio", state.audio);
    url.searchParams.set("subs", state.subs);
    url.searchParams.delete("lang");
    window.history.replaceState(null, "", url.toString());
    shareInput.value = momentUrl();
  }

  function markChapter() {
    var now = video.currentTime;
    var current = null;
    chapterButtons.forEach(function (button) {
      if (parseFloat(button.dataset.start) <= now + 0.05) current = button;
    });
    chapterButtons.forEach(function (button) {
      if (button === current) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
  }

  audioInputs.forEach(function (input) {
    input.addEventListener("change", function () { if (input.checked) switchAudio(input); });
  });
  subsInputs.forEach(function (input) {
    input.addEventListener("change", function () { if (input.checked) showSubtitles(input.value); });
  });
  chapterButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      video.currentTime = parseFloat(button.dataset.start);
      markChapter();
    });
  });
  video.addEventListener("timeupdate", markChapter);
  for (var i = 0; i < video.textTracks.length; i++) {
    video.textTracks[i].addEventListener("cuechange", renderCaption);
  }
  video.addEventListener("seeked", function () { shareInput.value = momentUrl(); });
  video.addEventListener("pause", function () { shareInput.value = momentUrl(); });

  document.getElementById("copy-link").addEventListener("click", function () {
    var url = momentUrl();
    shareInput.value = url;
    shareInput.select();
    var done = function () { shareStatus.textContent = messages.copied || ""; };
    var failed = function () { shareStatus.textContent = messages.copy_failed || ""; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).then(done, failed);
    else failed();
  });

  // The deep link's moment, audio and subtitles (the server already clamped t into the recording).
  var start = parseFloat(root.dataset.start || "0") || 0;
  onMetadata(function () {
    if (start > 0) video.currentTime = Math.min(start, video.duration || start);
    markChapter();
  });
  showSubtitles(state.subs);
  root.dataset.ready = "true";
})();
