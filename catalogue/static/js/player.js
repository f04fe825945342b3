// The watch page: switch audio without losing the moment, choose subtitles, jump to chapters, share a moment.
// Plain JavaScript over native controls, so every control works with the keyboard and without a build step.
//
// A recording packaged for streaming (data-hls: its HLS master playlist) has one picture and one audio rendition
// per audio track. It plays natively where the browser can also switch HLS audio renditions (Safari), else through
// hls.js over Media Source Extensions (Chromium plays HLS natively but cannot switch its audio). Switching audio
// then switches the rendition: the picture keeps playing and the <video> is never reloaded. A track without a
// rendition (added since the last packaging), a recording without a stream, or a browser with neither plays the
// track's own file, reloaded at the same moment.
(function () {
  "use strict";
  var root = document.querySelector("[data-player]");
  if (!root) return;
  var video = root.querySelector("video");
  var stepBack = parseFloat(root.dataset.stepBack || "0") || 0;
  var hlsUrl = root.dataset.hls || "";
  var audioInputs = root.querySelectorAll('input[name="audio"]');
  var subsInputs = root.querySelectorAll('input[name="subs"]');
  var chapterButtons = root.querySelectorAll("button.chapter");
  var shareInput = document.getElementById("share-url");
  var shareStatus = document.getElementById("share-status");
  var messages = JSON.parse((document.getElementById("player-messages") || {}).textContent || "{}");
  var caption = root.querySelector(".caption");
  var state = { audio: root.dataset.audio, subs: root.dataset.subs };
  var HLS_TYPE = "application/vnd.apple.mpegurl";
  var engine = null; // what feeds the <video>: "hls.js", "native" (HLS) or "file"
  var hls = null; // the hls.js instance while engine is "hls.js"
  var wantedAudio = null; // the audio input whose rendition hls.js is switching to
  var hlsFailed = false; // after an error hls.js could not recover from, the tracks' files play
  var mediaRecovered = false;

  function onMetadata(callback) {
    if (video.readyState >= 1) callback();
    else video.addEventListener("loadedmetadata", callback, { once: true });
  }

  function selectedAudio() {
    return root.querySelector('input[name="audio"][value="' + CSS.escape(state.audio) + '"]');
  }

  // Tests and the benchmark read what is playing from these attributes.
  function playing(input) {
    root.dataset.playingAudio = input.value;
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

  // --- What feeds the <video> -----------------------------------------------------------------------------

  function engineFor(input) {
    if (!hlsUrl || hlsFailed || input.dataset.rendition === undefined) return "file";
    if (video.canPlayType(HLS_TYPE) !== "" && video.audioTracks) return "native";
    if (window.Hls && window.Hls.isSupported()) return "hls.js";
    return "file";
  }

  // The position of the input's rendition in a player's list of audio tracks: the master playlist's order,
  // checked against the rendition's NAME (and LANGUAGE when names repeat).
  function renditionIndex(tracks, input, nameOf, languageOf) {
    var at = parseInt(input.dataset.rendition, 10);
    var name = input.dataset.renditionName;
    if (tracks[at] && nameOf(tracks[at]) === name) return at;
    for (var i = 0; i < tracks.length; i++) {
      if (nameOf(tracks[i]) === name && languageOf(tracks[i]) === input.dataset.renditionLanguage) return i;
    }
    return at < tracks.length ? at : -1;
  }

  function hlsIndex(input) {
    return renditionIndex(
      hls.audioTracks,
      input,
      function (track) { return track.name; },
      function (track) { return track.lang; }
    );
  }

  function selectHlsAudio(input) {
    wantedAudio = input;
    var index = hlsIndex(input);
    if (index < 0) return;
    if (hls.audioTrack !== index) hls.audioTrack = index;
    else playing(input);
  }

  function onHlsError(event, data) {
    if (!data.fatal) return;
    var Hls = window.Hls;
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !mediaRecovered) {
      mediaRecovered = true;
      hls.recoverMediaError();
      return;
    }
    // Nothing else to try: the tracks' own files still play, from the same moment.
    if (window.console) window.console.warn("hls.js stopped:", data.type, data.details, data.reason || "");
    hlsFailed = true;
    var input = selectedAudio();
    if (input) start("file", input, video.currentTime, !video.paused);
  }

  function startHlsJs(input, time, play) {
    var Hls = window.Hls;
    hls = new Hls({
      startPosition: time > 0 ? time : -1,
      // Half a minute ahead, a minute at most (hls.js would otherwise fill 60 MB, ten minutes of a lecture, at
      // once), and a minute behind: enough for the step back, a re-seek, and an audio switch to refill quickly.
      maxBufferLength: 30,
      maxMaxBufferLength: 60,
      backBufferLength: 60,
      // The page's own <track> elements carry the subtitles; the streams have no captions of their own.
      enableCEA708Captions: false,
      capLevelToPlayerSize: true,
      audioPreference: { name: input.dataset.renditionName, lang: input.dataset.renditionLanguage },
    });
    wantedAudio = input;
    hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, function () {
      if (wantedAudio) selectHlsAudio(wantedAudio);
    });
    hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, function (event, data) {
      if (wantedAudio && hlsIndex(wantedAudio) === data.id) {
        playing(wantedAudio);
        wantedAudio = null;
      }
    });
    hls.on(Hls.Events.ERROR, onHlsError);
    hls.attachMedia(video);
    hls.loadSource(hlsUrl);
    if (play) resume();
  }

  function selectNativeAudio(input) {
    var tracks = [];
    for (var i = 0; i < video.audioTracks.length; i++) tracks.push(video.audioTracks[i]);
    var index = renditionIndex(
      tracks,
      input,
      function (track) { return track.label; },
      function (track) { return track.language; }
    );
    if (index < 0) return;
    tracks.forEach(function (track, at) { track.enabled = at === index; });
    playing(input);
  }

  // play() without an unhandled rejection when the browser refuses to start (autoplay rules, a new source).
  function resume() {
    var started = video.play();
    if (started && started.catch) started.catch(function () {});
  }

  // A whole new source for the <video> (a track's file, or a stream played natively), at the same moment.
  function load(url, time, play, afterMetadata) {
    video.preload = "metadata"; // A stream's page says "none" until the script has chosen what plays.
    video.src = url;
    video.load();
    onMetadata(function () {
      afterMetadata();
      video.currentTime = time;
      showSubtitles(state.subs);
      if (play) resume();
    });
  }

  function start(kind, input, time, play) {
    if (hls) {
      hls.destroy();
      hls = null;
    }
    engine = kind;
    root.dataset.engine = kind;
    if (kind === "hls.js") startHlsJs(input, time, play);
    else if (kind === "native") load(hlsUrl, time, play, function () { selectNativeAudio(input); });
    else load(input.dataset.url, time, play, function () { playing(input); });
  }

  function switchAudio(input) {
    var previous = selectedAudio();
    var wasPlaying = !video.paused && !video.ended;
    var time = video.currentTime;
    // Interpreters speak a moment after the floor: step back so the start of the sentence is heard.
    var steps = previous && previous.dataset.kind === "original" && input.dataset.kind === "interpretation";
    if (steps) time = Math.max(0, time - stepBack);
    state.audio = input.value;
    var next = engineFor(input);
    if (next === engine && engine === "hls.js") {
      // Only the sound changes: hls.js fetches the other rendition from here on, the picture plays on.
      selectHlsAudio(input);
      if (steps) video.currentTime = time;
    } else if (next === engine && engine === "native") {
      selectNativeAudio(input);
      if (steps) video.currentTime = time;
    } else {
      start(next, input, time, wasPlaying);
    }
    remember();
  }

  // --- Links, chapters, sharing ---------------------------------------------------------------------------

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
  var startAt = parseFloat(root.dataset.start || "0") || 0;
  var first = selectedAudio();
  var firstEngine = first ? engineFor(first) : "file";
  if (firstEngine === "file" && video.getAttribute("src")) {
    // The page set the track's file already.
    engine = "file";
    root.dataset.engine = engine;
    onMetadata(function () {
      if (startAt > 0) video.currentTime = Math.min(startAt, video.duration || startAt);
      if (first) playing(first);
    });
  } else if (first) {
    start(firstEngine, first, startAt, false);
  }
  onMetadata(markChapter);
  showSubtitles(state.subs);
  root.dataset.ready = "true";
})();
