// The watch page's transcript: the cues of the chosen subtitle language, following playback, searchable,
// each line a button that seeks there. Cues come from the JSON API when needed; cue text and voices are
// untrusted, so they only ever become text nodes (and <mark> elements this script creates), never HTML.
//
// The list is one composite widget (a listbox) with one tab stop, however many lines it has: the arrow keys,
// Page Up/Down, Home and End move between lines (a roving tabindex), Enter or Space plays from the line.
(function () {
  "use strict";
  var root = document.querySelector("[data-player]");
  var panel = document.querySelector("[data-transcript]");
  if (!root || !panel) return;
  var video = root.querySelector("video");
  var offPart = panel.querySelector(".transcript-off");
  var onPart = panel.querySelector(".transcript-on");
  var list = panel.querySelector(".transcript-lines");
  var search = panel.querySelector("#transcript-search");
  var status = panel.querySelector(".transcript-status");
  var followButton = panel.querySelector(".transcript-follow");
  var download = panel.querySelector(".transcript-download");
  var messages = JSON.parse((document.getElementById("player-messages") || {}).textContent || "{}");
  var PLACEHOLDER = "__lang__";
  // After the viewer scrolls the transcript, it stops following playback for this long.
  var FOLLOW_PAUSE_MS = 5000;

  var cache = {}; // language -> promise of cues
  var language = null;
  var lines = []; // { cue, item, button, voice, text, voiceText, cueText, folded }
  var current = -1;
  var active = -1; // the line that holds the list's one tab stop
  var following = true;
  var userScrolledAt = 0;
  var ownScrollTop = null; // the scrollTop this script set last, to tell its own scrolling from the viewer's
  var searchTimer = null;

  // --- Folding: Turkish-aware and accent-free, so `IZMIR` finds `İzmir` and `calisma` finds `Çalışma` -----

  var SPECIAL = { "İ": "i", "I": "i", "ı": "i" };
  // After lower-casing: letters Unicode does not decompose (as catalogue/text.py folds them for the site search),
  // final sigma, and typographic apostrophes so `l'equite` finds `l’équité`.
  var AFTER = {
    "œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ς": "σ",
    "’": "'", "‘": "'", "ʼ": "'",
  };
  var MARKS = /[\u0300-\u036f]/g;

  function foldChar(ch) {
    if (SPECIAL[ch]) return SPECIAL[ch];
    var folded = ch.normalize("NFD").replace(MARKS, "").toLowerCase();
    var out = "";
    for (var i = 0; i < folded.length; i++) out += AFTER[folded[i]] || folded[i];
    return out;
  }

  function chars(text) {
    // Code points, so a character outside the BMP is folded as one.
    return Array.from ? Array.from(text) : text.split("");
  }

  function fold(text) {
    return chars(text).map(foldChar).join("");
  }

  // The folded text, with where each of its code units comes from in the original (for highlighting).
  function foldWithMap(text) {
    var folded = "";
    var starts = [];
    var ends = [];
    var at = 0;
    chars(text).forEach(function (ch) {
      var f = foldChar(ch);
      for (var i = 0; i < f.length; i++) {
        starts.push(at);
        ends.push(at + ch.length);
      }
      folded += f;
      at += ch.length;
    });
    return { text: folded, starts: starts, ends: ends, original: text };
  }

  // Ranges [start, end) of the original text where any of the folded words occurs, merged and sorted.
  function matchRanges(map, words) {
    var ranges = [];
    words.forEach(function (word) {
      var from = 0;
      var found;
      while ((found = map.text.indexOf(word, from)) !== -1) {
        var start = map.starts[found];
        var end = map.ends[found + word.length - 1];
        // Combining marks after the match fold to nothing: keep them with the letter they belong to.
        while (end < map.original.length && fold(map.original.charAt(end)) === "") end++;
        ranges.push([start, end]);
        from = found + Math.max(1, word.length);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    ranges.forEach(function (range) {
      var last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push(range.slice());
    });
    return merged;
  }

  // Text nodes and <mark> elements only: the cue's text is never parsed as HTML.
  function paint(element, text, ranges) {
    while (element.firstChild) element.removeChild(element.firstChild);
    var at = 0;
    ranges.forEach(function (range) {
      if (range[0] > at) element.appendChild(document.createTextNode(text.slice(at, range[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(range[0], range[1]);
      element.appendChild(mark);
      at = range[1];
    });
    if (at < text.length || !ranges.length) element.appendChild(document.createTextNode(text.slice(at)));
  }

  // --- Rendering ----------------------------------------------------------------------------------------

  function timestamp(seconds) {
    var total = Math.floor(Math.max(0, seconds) + 1e-6);
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var secs = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return hours ? hours + ":" + pad(minutes) + ":" + pad(secs) : minutes + ":" + pad(secs);
  }

  function oneLine(value) {
    return String(value == null ? "" : value).replace(/\s+/g, " ").trim();
  }

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function render(cues) {
    while (list.firstChild) list.removeChild(list.firstChild);
    lines = [];
    current = -1;
    active = -1;
    cues.forEach(function (cue, index) {
      var item = document.createElement("li");
      item.setAttribute("role", "none");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "transcript-line";
      button.setAttribute("role", "option");
      button.setAttribute("aria-selected", "false");
      button.tabIndex = -1;
      button.dataset.index = String(index);
      button.appendChild(span("time", timestamp(cue.start_s)));
      var body = span("cue-body", "");
      var voiceText = oneLine(cue.voice);
      var voice = null;
      if (voiceText) {
        voice = span("cue-voice", voiceText);
        body.appendChild(voice);
      }
      var cueText = oneLine(cue.text);
      var text = span("cue-text", cueText);
      body.appendChild(text);
      button.appendChild(body);
      item.appendChild(button);
      list.appendChild(item);
      lines.push({
        cue: cue, item: item, button: button, voice: voice, text: text,
        voiceText: voiceText, cueText: cueText, folded: null,
      });
    });
    setOwnScroll(0);
    applySearch();
    markCurrent(true);
    if (active === -1) setActive(firstVisible(0, 1), false);
  }

  // --- The one tab stop, and the keys that move it -----------------------------------------------------

  function visible(index) {
    return lines[index] && !lines[index].item.hidden;
  }

  // The first visible line from `index` on, going `step` (1 or -1); -1 when there is none.
  function firstVisible(index, step) {
    for (var i = index; i >= 0 && i < lines.length; i += step) {
      if (visible(i)) return i;
    }
    return -1;
  }

  function setActive(index, focus) {
    if (lines[active] && active !== index) {
      lines[active].button.tabIndex = -1;
      lines[active].button.setAttribute("aria-selected", "false");
    }
    active = index;
    var line = lines[active];
    if (!line) return;
    line.button.tabIndex = 0;
    line.button.setAttribute("aria-selected", "true");
    if (focus) {
      line.button.focus({ preventScroll: true });
      scrollIntoList(line);
    }
  }

  function focusInList() {
    return list.contains(document.activeElement);
  }

  // Keep a line visible by scrolling the list only (the page stays where it is).
  function scrollIntoList(line) {
    var listBox = list.getBoundingClientRect();
    var lineBox = line.button.getBoundingClientRect();
    if (lineBox.top < listBox.top) setOwnScroll(list.scrollTop - (listBox.top - lineBox.top) - 4);
    else if (lineBox.bottom > listBox.bottom) setOwnScroll(list.scrollTop + (lineBox.bottom - listBox.bottom) + 4);
  }

  function lineAfter(from, count) {
    var step = count > 0 ? 1 : -1;
    var found = from;
    for (var i = from + step, moved = 0; i >= 0 && i < lines.length && moved < Math.abs(count); i += step) {
      if (visible(i)) {
        found = i;
        moved++;
      }
    }
    return found;
  }

  var MOVES = {
    ArrowDown: function (from) { return lineAfter(from, 1); },
    ArrowUp: function (from) { return lineAfter(from, -1); },
    PageDown: function (from) { return lineAfter(from, 10); },
    PageUp: function (from) { return lineAfter(from, -10); },
    Home: function () { return firstVisible(0, 1); },
    End: function () { return firstVisible(lines.length - 1, -1); },
  };

  list.addEventListener("keydown", function (event) {
    var move = MOVES[event.key];
    if (!move || event.altKey || event.ctrlKey || event.metaKey || !lines.length) return;
    event.preventDefault();
    var target = move(active === -1 ? firstVisible(0, 1) : active);
    if (target === -1) return;
    // Reading ahead: the list stops following playback until the viewer picks a line or asks for it.
    stopFollowing();
    setActive(target, true);
  });

  // --- Search -------------------------------------------------------------------------------------------

  function applySearch() {
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    var count = 0;
    lines.forEach(function (line) {
      if (!line.folded) line.folded = { voice: foldWithMap(line.voiceText), text: foldWithMap(line.cueText) };
      var matches = words.every(function (word) {
        return line.folded.text.text.indexOf(word) !== -1 || line.folded.voice.text.indexOf(word) !== -1;
      });
      if (!words.length) matches = true;
      line.item.hidden = !matches;
      if (matches) count++;
      paint(line.text, line.cueText, words.length ? matchRanges(line.folded.text, words) : []);
      if (line.voice) paint(line.voice, line.voiceText, words.length ? matchRanges(line.folded.voice, words) : []);
    });
    if (!words.length) setStatus(lines.length ? "" : messages.transcript_empty);
    else if (!count) setStatus(messages.transcript_no_match);
    else setStatus(matchesMessage(count));
    // The tab stop stays on a line one can see: the line being said when it matches, else the first match.
    if (!visible(active)) setActive(visible(current) ? current : firstVisible(0, 1), false);
    // Hiding lines may shorten the list and move its scroll position: that move is not the viewer's.
    ownScrollTop = list.scrollTop;
    if (following) scrollToCurrent();
  }

  function matchesMessage(count) {
    var forms = messages.transcript_matches || {};
    var category = "other";
    try {
      category = new Intl.PluralRules(document.documentElement.lang || undefined).select(count);
    } catch (error) { /* An unknown locale: the general form. */ }
    var form = forms[category] || forms.other || "{n}";
    return form.replace("{n}", count.toLocaleString(document.documentElement.lang || undefined));
  }

  function setStatus(text) {
    status.textContent = text || "";
  }

  // --- Following playback -------------------------------------------------------------------------------

  function cueAt(time) {
    var active = -1;
    var started = -1;
    for (var i = 0; i < lines.length; i++) {
      var cue = lines[i].cue;
      if (cue.start_s <= time) {
        started = i;
        if (time < cue.end_s) active = i;
      }
    }
    // Between two cues the one just spoken stays current, as in a media player's transcript.
    return active !== -1 ? active : started;
  }

  function setCurrent(index) {
    if (index === current) return false;
    if (lines[current]) lines[current].button.removeAttribute("aria-current");
    current = index;
    if (lines[current]) lines[current].button.setAttribute("aria-current", "true");
    // Tabbing into the list lands on the line being said, unless the viewer is moving in the list.
    if (visible(current) && !focusInList()) setActive(current, false);
    return true;
  }

  function setOwnScroll(top) {
    list.scrollTop = top;
    ownScrollTop = list.scrollTop; // As the browser clamped it.
  }

  // Scroll the list itself (never the page) so the current line sits in its upper part.
  function scrollToCurrent() {
    var line = lines[current];
    if (!line || line.item.hidden) return;
    var listBox = list.getBoundingClientRect();
    var lineBox = line.button.getBoundingClientRect();
    var top = list.scrollTop + (lineBox.top - listBox.top) - Math.max(0, (list.clientHeight - lineBox.height) / 3);
    setOwnScroll(Math.max(0, Math.round(top)));
  }

  function markCurrent(force) {
    if (!lines.length) return;
    var changed = setCurrent(cueAt(video.currentTime));
    if (!following && Date.now() - userScrolledAt >= FOLLOW_PAUSE_MS && !video.paused) resumeFollowing();
    else if (following && (changed || force)) scrollToCurrent();
  }

  function resumeFollowing() {
    following = true;
    userScrolledAt = 0;
    followButton.hidden = true;
    scrollToCurrent();
  }

  function stopFollowing() {
    userScrolledAt = Date.now();
    if (following) {
      following = false;
      followButton.hidden = false;
    }
  }

  function viewerScrolled() {
    if (!lines.length) return;
    stopFollowing();
  }

  list.addEventListener("scroll", function () {
    if (ownScrollTop !== null && Math.abs(list.scrollTop - ownScrollTop) <= 1) return;
    ownScrollTop = null;
    viewerScrolled();
  }, { passive: true });
  list.addEventListener("wheel", viewerScrolled, { passive: true });
  list.addEventListener("touchmove", viewerScrolled, { passive: true });

  followButton.addEventListener("click", function () {
    resumeFollowing();
    // The button goes away: keep the keyboard on the line being spoken.
    if (visible(current)) setActive(current, true);
  });

  list.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.transcript-line") : null;
    if (!button || !list.contains(button)) return;
    var line = lines[parseInt(button.dataset.index, 10)];
    if (!line) return;
    video.currentTime = line.cue.start_s;
    setCurrent(lines.indexOf(line));
    setActive(lines.indexOf(line), false);
    following = true;
    userScrolledAt = 0;
    followButton.hidden = true;
    scrollToCurrent();
  });

  video.addEventListener("timeupdate", function () { markCurrent(false); });
  video.addEventListener("seeked", function () { markCurrent(false); });

  // --- Languages ----------------------------------------------------------------------------------------

  function urlFor(pattern, lang) {
    return pattern.split(PLACEHOLDER).join(encodeURIComponent(lang));
  }

  // The API hands out cues a page at a time (design §8: no response grows with the file), each page naming
  // the next; they are fetched one after another and joined. The server's order is the cues' order.
  function fetchPages(url, collected) {
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var cues = collected.concat(Array.isArray(data.cues) ? data.cues : []);
        return data.next ? fetchPages(data.next, cues) : cues;
      });
  }

  function cuesFor(lang) {
    if (!cache[lang]) {
      cache[lang] = fetchPages(urlFor(panel.dataset.cuesUrl, lang), []);
      cache[lang].catch(function () { delete cache[lang]; }); // A failure may be retried later.
    }
    return cache[lang];
  }

  function show(lang) {
    if (!lang || lang === "off") {
      language = "off";
      panel.dataset.state = "off";
      panel.dataset.language = "";
      offPart.hidden = false;
      onPart.hidden = true;
      return;
    }
    if (lang === language && panel.dataset.state !== "error") return;
    language = lang;
    panel.dataset.language = lang;
    panel.dataset.state = "loading";
    offPart.hidden = true;
    onPart.hidden = false;
    list.lang = lang;
    download.href = urlFor(panel.dataset.textUrl, lang);
    while (list.firstChild) list.removeChild(list.firstChild);
    lines = [];
    current = -1;
    active = -1;
    followButton.hidden = true;
    following = true;
    setStatus(messages.transcript_loading);
    cuesFor(lang).then(function (cues) {
      if (language !== lang) return; // The viewer chose another language meanwhile.
      render(cues);
      panel.dataset.state = "ready";
    }, function () {
      if (language !== lang) return;
      panel.dataset.state = "error";
      setStatus(messages.transcript_failed);
    });
  }

  root.addEventListener("subtitles:change", function (event) {
    show(event.detail && event.detail.language);
  });

  // "Show the transcript in…" while subtitles are off: choose that subtitle language, as the radio does.
  panel.querySelectorAll(".transcript-languages button[data-language]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = root.querySelector('input[name="subs"][value="' + CSS.escape(button.dataset.language) + '"]');
      if (!input) return;
      input.checked = true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      search.focus();
    });
  });

  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(applySearch, 120);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // Not a form: nothing to submit.
      clearTimeout(searchTimer);
      applySearch();
    }
  });

  var checked = root.querySelector('input[name="subs"]:checked');
  show(root.dataset.subs || (checked ? checked.value : "off"));
})();
