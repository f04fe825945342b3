// The watch page: switch audio without losing the moment, choose subtitles, jump to chapters, share a moment.
// Plain JavaScript over native elements (buttons, ranges, selects, radios), so every control works with the
// keyboard and without a build step. The page's own controls replace the browser's once this script runs: the
// browser's caption menu knew nothing of the page's subtitles, and the page draws the captions itself.
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
  var captionText = caption.querySelector(".caption-text") || caption;
  var box = root.querySelector("[data-player-box]") || root;
  var state = { audio: root.dataset.audio, subs: root.dataset.subs };
  var HLS_TYPE = "application/vnd.apple.mpegurl";
  var engine = null; // what feeds the <video>: "hls.js", "native" (HLS) or "file"
  var hls = null; // the hls.js instance while engine is "hls.js"
  var wantedAudio = null; // the audio input whose rendition hls.js is switching to
  var hlsFailed = false; // after an error hls.js could not recover from, the tracks' files play
  var mediaRecovered = false;
  var controls = null; // the page's own controls, once they replace the browser's
  var lastSubs = null; // the subtitles `c` and the subtitles button bring back

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
  // browsers draw no captions, and one overlay looks the same everywhere, full screen included. The block spans
  // the picture's width (CSS: centred, at most 80 %) and keeps the cue's own line breaks. Cue text is set as
  // text, never HTML.
  // The browser's active cues; before anything has played (a cue at 0:00, a deep link's moment) the browser
  // may not have computed them yet, so they are looked up by time.
  function activeCuesOf(track) {
    if (track.activeCues && track.activeCues.length) return Array.prototype.slice.call(track.activeCues);
    var now = video.currentTime;
    return Array.prototype.filter.call(track.cues || [], function (cue) {
      return cue.startTime <= now && now < cue.endTime;
    });
  }

  function renderCaption() {
    var lines = [];
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      if (track.mode === "disabled" || track.language !== state.subs) continue;
      activeCuesOf(track).forEach(function (cue) { lines.push(cue.getCueAsHTML().textContent); });
    }
    captionText.textContent = lines.join("\n");
    caption.lang = state.subs;
    caption.hidden = lines.length === 0;
  }

  function showSubtitles(language) {
    state.subs = language;
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      track.mode = track.language === language ? "hidden" : "disabled";
    }
    if (language !== "off") lastSubs = language;
    if (controls) controls.subtitlesChanged();
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
  // A cue at 0:00 is active before anything plays: draw it once its track has loaded.
  root.querySelectorAll("video track").forEach(function (element) {
    element.addEventListener("load", renderCaption);
  });
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

  // --- The page's own controls ----------------------------------------------------------------------------

  var RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  var SETTINGS_KEY = "catalogue.player";
  var pageLang = document.documentElement.lang || undefined;

  function timestamp(seconds) {
    var total = Math.floor(Math.max(0, seconds || 0) + 1e-6);
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var secs = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return hours ? hours + ":" + pad(minutes) + ":" + pad(secs) : minutes + ":" + pad(secs);
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] !== undefined ? values[name] : all;
    });
  }

  function formatRate(rate) {
    try {
      return new Intl.NumberFormat(pageLang).format(rate) + "×";
    } catch (error) {
      return rate + "×";
    }
  }

  // Size and background of the captions, and the volume, outlive the page (like a video site's settings).
  function loadSettings() {
    var saved = {};
    try {
      saved = JSON.parse(window.localStorage.getItem(SETTINGS_KEY) || "{}") || {};
    } catch (error) { /* Storage refused or unreadable: the defaults. */ }
    return saved;
  }

  function saveSettings(settings) {
    try {
      window.localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    } catch (error) { /* Private browsing may refuse: the settings last for this page only. */ }
  }

  function duration() {
    return isFinite(video.duration) ? video.duration : 0;
  }

  function seekTo(seconds) {
    var end = duration();
    var target = Math.max(0, end ? Math.min(seconds, end) : seconds);
    video.currentTime = target;
    return target;
  }

  function togglePlay() {
    if (video.paused || video.ended) resume();
    else video.pause();
  }

  // The subtitles chosen with the page's radios; `c` and the subtitles button choose them the same way.
  function chooseSubtitles(language) {
    var input = root.querySelector('input[name="subs"][value="' + CSS.escape(language) + '"]');
    if (input) input.checked = true;
    showSubtitles(language);
  }

  function subtitleName(language) {
    var input = root.querySelector('input[name="subs"][value="' + CSS.escape(language) + '"]');
    var label = input && input.closest("label");
    return label ? label.textContent.trim() : language;
  }

  function fallbackSubtitles() {
    var inputs = Array.prototype.slice.call(subsInputs).filter(function (input) { return input.value !== "off"; });
    var own = inputs.filter(function (input) { return input.value === pageLang; })[0];
    return (own || inputs[0] || { value: null }).value;
  }

  function toggleSubtitles() {
    if (state.subs !== "off") {
      chooseSubtitles("off");
      return "off";
    }
    var language = lastSubs || fallbackSubtitles();
    if (language) chooseSubtitles(language);
    return language || "off";
  }

  function fullscreenElement() {
    return document.fullscreenElement || document.webkitFullscreenElement || null;
  }

  // The whole player goes full screen, so the page's captions and controls come along. An iPhone can only
  // put the <video> itself full screen: there the browser draws the chosen subtitles for that while.
  function toggleFullscreen() {
    if (fullscreenElement()) {
      (document.exitFullscreen || document.webkitExitFullscreen).call(document);
      return;
    }
    var request = box.requestFullscreen || box.webkitRequestFullscreen;
    if (request) {
      var done = request.call(box);
      if (done && done.catch) done.catch(function () {});
    } else if (video.webkitEnterFullscreen) {
      nativeCaptions(true);
      video.webkitEnterFullscreen();
    }
  }

  function nativeCaptions(on) {
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      if (track.language !== state.subs) continue;
      track.mode = on ? "showing" : "hidden";
    }
  }

  function createControls() {
    var bar = root.querySelector(".controls");
    if (!bar) return null;
    var seek = bar.querySelector(".seek");
    var playButton = bar.querySelector(".play");
    var muteButton = bar.querySelector(".mute");
    var volume = bar.querySelector(".volume");
    var speed = bar.querySelector(".speed");
    var captionsButton = bar.querySelector(".captions");
    var settingsButton = bar.querySelector(".settings");
    var settingsPanel = bar.querySelector(".caption-settings");
    var fullscreenButton = bar.querySelector(".fullscreen");
    var helpButton = bar.querySelector(".help");
    var currentLabel = bar.querySelector(".time-current");
    var totalLabel = bar.querySelector(".time-total");
    var status = root.querySelector(".player-status");
    var help = root.querySelector("dialog.shortcuts");
    var settings = loadSettings();
    var shownSecond = -1;
    var dragging = false;
    var helpOpener = null;

    // The browser's controls and caption menu go: the page's take over, with the tracks as data only.
    video.controls = false;
    video.removeAttribute("controls");
    root.querySelectorAll("video track").forEach(function (track) { track.kind = "metadata"; });
    bar.hidden = false;
    box.dataset.controls = "page";

    function announce(text) {
      if (!status) return;
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 30);
    }

    function applySettings() {
      box.dataset.captionSize = String(settings.size || 100);
      box.dataset.captionBackground = String(settings.background === undefined ? 80 : settings.background);
      bar.querySelectorAll("select[data-setting]").forEach(function (select) {
        var value = settings[select.dataset.setting];
        if (value !== undefined) select.value = String(value);
      });
    }

    function showTime(force) {
      var now = video.currentTime || 0;
      var end = duration();
      if (!dragging) {
        seek.max = String(end);
        seek.value = String(now);
      }
      var second = Math.floor(now);
      if (!force && second === shownSecond) return;
      shownSecond = second;
      currentLabel.textContent = timestamp(now);
      totalLabel.textContent = timestamp(end);
      seek.setAttribute("aria-valuetext", fill(messages.position, { current: timestamp(now), total: timestamp(end) }));
    }

    function showPlaying() {
      var paused = video.paused || video.ended;
      box.dataset.paused = String(paused);
      playButton.setAttribute("aria-label", paused ? messages.play : messages.pause);
    }

    function showVolume() {
      var muted = video.muted || video.volume === 0;
      box.dataset.muted = String(muted);
      muteButton.setAttribute("aria-label", muted ? messages.unmute : messages.mute);
      volume.value = String(Math.round((video.muted ? 0 : video.volume) * 100));
      var percent = video.muted ? 0 : video.volume;
      try {
        volume.setAttribute("aria-valuetext", new Intl.NumberFormat(pageLang, { style: "percent" }).format(percent));
      } catch (error) { /* An unknown locale: the number alone. */ }
    }

    function showFullscreen() {
      var on = fullscreenElement() === box;
      box.dataset.fullscreen = String(on);
      fullscreenButton.setAttribute("aria-label", on ? messages.exit_fullscreen : messages.fullscreen);
    }

    function setRate(rate) {
      video.playbackRate = rate;
      speed.value = String(rate);
      announce(fill(messages.speed, { rate: formatRate(rate) }));
    }

    function stepRate(direction) {
      var at = RATES.indexOf(video.playbackRate);
      if (at === -1) at = RATES.indexOf(1);
      setRate(RATES[Math.max(0, Math.min(RATES.length - 1, at + direction))]);
    }

    function toggleMute() {
      if (video.muted || video.volume === 0) {
        video.muted = false;
        if (video.volume === 0) video.volume = 1;
        announce(messages.unmuted);
      } else {
        video.muted = true;
        announce(messages.muted);
      }
    }

    function closeSettings(returnFocus) {
      if (settingsPanel.hidden) return;
      settingsPanel.hidden = true;
      settingsButton.setAttribute("aria-expanded", "false");
      if (returnFocus) settingsButton.focus();
    }

    function openHelp() {
      if (!help || help.open) return;
      helpOpener = document.activeElement;
      if (help.showModal) help.showModal();
      else help.setAttribute("open", "");
    }

    // Keys the focused element uses itself: a button's Space, a slider's or a radio group's arrows.
    function ownsKey(target, key) {
      if (!target || !target.closest) return false;
      if (key === " ") return target.closest("button, a[href], input, summary, [role=option], [role=button]");
      if (/^Arrow|^Home$|^End$|^Page/.test(key)) {
        return target.closest("input, [role=listbox], [role=slider], [role=radiogroup], [role=menu], [role=tablist]");
      }
      return false;
    }

    function typing(target) {
      if (!target || !target.tagName) return false;
      if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
      return target.tagName === "INPUT" && !/^(range|radio|checkbox|button|submit|reset|file|color)$/.test(target.type);
    }

    function seekBy(seconds) {
      var at = seekTo((video.currentTime || 0) + seconds);
      announce(fill(messages.position, { current: timestamp(at), total: timestamp(duration()) }));
    }

    var SHORTCUTS = {
      " ": togglePlay,
      k: togglePlay,
      j: function () { seekBy(-10); },
      l: function () { seekBy(10); },
      ArrowLeft: function () { seekBy(-5); },
      ArrowRight: function () { seekBy(5); },
      c: function () {
        var language = toggleSubtitles();
        announce(language === "off" ? messages.subtitles_off : fill(messages.subtitles_on, { language: subtitleName(language) }));
      },
      f: toggleFullscreen,
      m: toggleMute,
      ">": function () { stepRate(1); },
      "<": function () { stepRate(-1); },
      "?": openHelp,
    };
    var REPEATABLE = { j: true, l: true, ArrowLeft: true, ArrowRight: true, ">": true, "<": true };

    function onKey(event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (help && help.open) return;
      var target = event.target;
      if (typing(target) || ownsKey(target, event.key)) return;
      var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      var action = SHORTCUTS[key];
      if (!action && /^[0-9]$/.test(key)) {
        action = function () { seekBy(duration() * parseInt(key, 10) / 10 - (video.currentTime || 0)); };
      }
      if (!action) return;
      event.preventDefault();
      if (event.repeat && !REPEATABLE[key] && !/^[0-9]$/.test(key)) return;
      action();
    }

    playButton.addEventListener("click", togglePlay);
    video.addEventListener("click", togglePlay);
    video.addEventListener("dblclick", toggleFullscreen);
    muteButton.addEventListener("click", toggleMute);
    captionsButton.addEventListener("click", toggleSubtitles);
    fullscreenButton.addEventListener("click", toggleFullscreen);
    helpButton.addEventListener("click", openHelp);
    if (help) {
      help.addEventListener("close", function () {
        if (helpOpener && helpOpener.focus) helpOpener.focus();
        helpOpener = null;
      });
    }

    seek.addEventListener("input", function () {
      dragging = true;
      video.currentTime = parseFloat(seek.value) || 0;
    });
    seek.addEventListener("change", function () { dragging = false; showTime(true); });
    seek.addEventListener("keydown", function (event) {
      var steps = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -10, PageUp: 10 };
      if (event.key in steps) seekTo((video.currentTime || 0) + steps[event.key]);
      else if (event.key === "Home") seekTo(0);
      else if (event.key === "End") seekTo(duration());
      else return;
      event.preventDefault();
    });
    volume.addEventListener("input", function () {
      var level = (parseInt(volume.value, 10) || 0) / 100;
      video.volume = level;
      video.muted = level === 0;
      settings.volume = level;
      saveSettings(settings);
    });
    speed.addEventListener("change", function () { setRate(parseFloat(speed.value) || 1); });

    settingsButton.addEventListener("click", function () {
      var open = settingsPanel.hidden;
      settingsPanel.hidden = !open;
      settingsButton.setAttribute("aria-expanded", String(open));
      if (open) settingsPanel.querySelector("select").focus();
    });
    settingsPanel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        closeSettings(true);
      }
    });
    document.addEventListener("click", function (event) {
      if (!settingsPanel.contains(event.target) && !settingsButton.contains(event.target)) closeSettings(false);
    });
    bar.querySelectorAll("select[data-setting]").forEach(function (select) {
      select.addEventListener("change", function () {
        settings[select.dataset.setting] = parseInt(select.value, 10);
        saveSettings(settings);
        applySettings();
      });
    });

    ["timeupdate", "seeked", "durationchange", "loadedmetadata"].forEach(function (name) {
      video.addEventListener(name, function () { showTime(name !== "timeupdate"); });
    });
    ["play", "pause", "ended", "emptied"].forEach(function (name) { video.addEventListener(name, showPlaying); });
    video.addEventListener("volumechange", function () {
      showVolume();
      settings.volume = video.volume;
      settings.muted = video.muted;
      saveSettings(settings);
    });
    video.addEventListener("ratechange", function () { speed.value = String(video.playbackRate); });
    document.addEventListener("fullscreenchange", showFullscreen);
    document.addEventListener("webkitfullscreenchange", showFullscreen);
    video.addEventListener("webkitendfullscreen", function () { nativeCaptions(false); });
    document.addEventListener("keydown", onKey);

    if (typeof settings.volume === "number") video.volume = Math.max(0, Math.min(1, settings.volume));
    if (settings.muted) video.muted = true;
    applySettings();
    showTime(true);
    showPlaying();
    showVolume();
    showFullscreen();

    return {
      subtitlesChanged: function () {
        captionsButton.setAttribute("aria-pressed", String(state.subs !== "off"));
        captionsButton.disabled = subsInputs.length <= 1;
      },
    };
  }

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
  controls = createControls();
  showSubtitles(state.subs);
  root.dataset.ready = "true";
})();
