// The archivist's subtitle editor: the current revision's cues in a table beside the player, edited in place
// (text, timing), re-timed (shift all or later cues by an offset or to the playhead, stretch between two
// anchors), split, merged, inserted, deleted; quality warnings as you type; saved as a new revision.
//
// Saving sends the edits API's body (design.md §8) to the page's own route: operations on the base revision's
// cues by their index, computed from what changed (a split is the first part's new timing and text plus an
// inserted second part, a merge the first cue's new timing and text plus a deleted second), so that the server
// applies them all or none and runs an upload's checks. 409: someone saved first; that revision is shown.
// Everything the page shows is set as text, never as HTML (cues are untrusted text).
(function () {
  "use strict";
  var root = document.querySelector("[data-editor]");
  if (!root) return;
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var messages = JSON.parse(document.getElementById("editor-messages").textContent);
  var video = root.querySelector("video");
  var caption = root.querySelector(".caption");
  var captionText = root.querySelector(".caption-text");
  var tbody = root.querySelector(".editor-table tbody");
  var rowTemplate = document.getElementById("editor-row");
  var statusLine = root.querySelector(".editor-status");
  var problemsBox = root.querySelector(".editor-problems");
  var clock = root.querySelector(".editor-now");
  var selectedLine = root.querySelector(".editor-selected");
  var anchorsLine = root.querySelector(".editor-anchors");
  var offsetInput = root.querySelector(".editor-offset");
  var baseLabel = document.querySelector(".editor-base");
  var shortcuts = document.querySelector(".editor-shortcuts");
  var limits = data.limits;
  var NUDGE_MS = 100;
  var NEW_CUE_MS = 2000;

  var base = []; // The base revision's cues: what the operations' indices name.
  var baseRevision = 0;
  var rows = []; // The cues as edited, in order of start: {key, base (index or null), start, end, text, voice, el}
  var selected = -1;
  var anchors = []; // At most two: {key, time}
  var nextKey = 1;
  var saving = false;

  // --- Text and times --------------------------------------------------------------------------------------

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) text = "0" + text;
    return text;
  }

  function formatTime(ms) {
    var sign = ms < 0 ? "-" : "";
    var rest = Math.abs(Math.round(ms));
    var hours = Math.floor(rest / 3600000);
    var minutes = Math.floor(rest / 60000) % 60;
    var seconds = Math.floor(rest / 1000) % 60;
    var head = hours ? hours + ":" + pad(minutes, 2) : String(minutes);
    return sign + head + ":" + pad(seconds, 2) + "." + pad(rest % 1000, 3);
  }

  // "1:02.5", "01:02:03,250", "75.2": milliseconds, or NaN when it cannot be read.
  function parseTime(text) {
    var parts = text.trim().split(":");
    if (parts.length > 3 || parts[0] === "") return NaN;
    var last = /^(\d{1,7})(?:[.,](\d{1,3}))?$/.exec(parts[parts.length - 1]);
    if (!last) return NaN;
    var ms = parseInt(last[1], 10) * 1000 + parseInt((last[2] || "").padEnd(3, "0") || "0", 10);
    var unit = 60000;
    for (var i = parts.length - 2; i >= 0; i--) {
      if (!/^\d{1,6}$/.test(parts[i])) return NaN;
      ms += parseInt(parts[i], 10) * unit;
      unit *= 60;
    }
    if (parts.length > 1 && parseInt(last[1], 10) > 59) return NaN;
    if (parts.length > 2 && parseInt(parts[1], 10) > 59) return NaN;
    return ms;
  }

  // "-1.5", "+0.25", "2s", "-250ms": milliseconds, or NaN.
  function parseOffset(text) {
    var match = /^([+-]?)(\d{1,7})(?:[.,](\d{1,3}))?\s*(ms|s)?$/.exec(text.trim());
    if (!match || (match[4] === "ms" && match[3])) return NaN;
    var ms = match[4] === "ms" ? parseInt(match[2], 10)
      : parseInt(match[2], 10) * 1000 + parseInt((match[3] || "").padEnd(3, "0") || "0", 10);
    return match[1] === "-" ? -ms : ms;
  }

  // As the server keeps cue text (editing.clean_text): no blank lines, no spaces at the ends of lines.
  function cleanText(text) {
    return text.replace(/\r\n?/g, "\n").split("\n").map(function (line) {
      return line.replace(/\s+$/, "");
    }).filter(function (line) { return line !== ""; }).join("\n").replace(/^\s+/, "");
  }

  // As the server splits a cue's text (editing.split_text): between lines, else at the space nearest the point
  // where `fraction` of the cue's time has passed; a single word goes to both parts.
  function splitText(text, fraction) {
    var lines = text.split("\n");
    var target = fraction * text.length;
    var best = -1;
    var distance = Infinity;
    if (lines.length > 1) {
      var end = 0;
      for (var k = 0; k < lines.length - 1; k++) {
        end += lines[k].length + 1;
        if (Math.abs(end - target) < distance) { distance = Math.abs(end - target); best = k + 1; }
      }
      return [lines.slice(0, best).join("\n"), lines.slice(best).join("\n")];
    }
    for (var i = 1; i < text.length - 1; i++) {
      if (text[i] === " " && Math.abs(i - target) < distance) { distance = Math.abs(i - target); best = i; }
    }
    if (best < 0) return [text, text];
    return [text.slice(0, best).replace(/\s+$/, ""), text.slice(best + 1).replace(/^\s+/, "")];
  }

  function now() {
    return Math.round((video.currentTime || 0) * 1000);
  }

  // --- Status and problems -----------------------------------------------------------------------------------

  function say(text) {
    statusLine.textContent = text;
  }

  function clearProblems() {
    problemsBox.hidden = true;
    problemsBox.textContent = "";
  }

  function showProblems(lines, extra) {
    clearProblems();
    var heading = document.createElement("p");
    heading.textContent = messages.not_saved;
    problemsBox.appendChild(heading);
    var list = document.createElement("ul");
    lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    problemsBox.appendChild(list);
    if (extra) problemsBox.appendChild(extra);
    problemsBox.hidden = false;
  }

  function markDirty() {
    root.dataset.dirty = "true";
    say(messages.unsaved);
  }

  // --- The table ---------------------------------------------------------------------------------------------

  function load(revision, cues) {
    baseRevision = revision;
    base = cues.map(function (cue) { return { start: cue.start, end: cue.end, text: cue.text, voice: cue.voice }; });
    rows = cues.map(function (cue, index) {
      return { key: nextKey++, base: index, start: cue.start, end: cue.end, text: cue.text, voice: cue.voice };
    });
    anchors = [];
    root.dataset.revision = String(revision);
    if (baseLabel) baseLabel.textContent = fill(messages.revision, { n: revision });
    delete root.dataset.dirty;
    render();
  }

  function labelRow(row, index) {
    var number = index + 1;
    var cells = row.el;
    cells.seek.textContent = String(number);
    cells.seek.setAttribute("aria-label", fill(messages.seek, { n: number }));
    cells.start.setAttribute("aria-label", fill(messages.start_label, { n: number }));
    cells.end.setAttribute("aria-label", fill(messages.end_label, { n: number }));
    cells.text.setAttribute("aria-label", fill(messages.text_label, { n: number }));
  }

  function buildRow(row) {
    var tr = rowTemplate.content.firstElementChild.cloneNode(true);
    row.el = {
      tr: tr,
      seek: tr.querySelector(".cue-seek"),
      start: tr.querySelector(".cue-start"),
      end: tr.querySelector(".cue-end"),
      text: tr.querySelector(".cue-text"),
      voice: tr.querySelector(".cue-voice"),
      warnings: tr.querySelector(".cue-warnings"),
      shown: null,
    };
    tr.dataset.key = String(row.key);
    row.el.start.value = formatTime(row.start);
    row.el.end.value = formatTime(row.end);
    row.el.text.value = row.text;
    row.el.voice.textContent = row.voice || "";
    return tr;
  }

  function render() {
    var focused = document.activeElement;
    var focusKey = null;
    var focusClass = null;
    if (focused && tbody.contains(focused)) {
      focusKey = focused.closest("tr").dataset.key;
      focusClass = focused.className.split(" ")[0];
    }
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row, index) {
      fragment.appendChild(row.el ? row.el.tr : buildRow(row));
      labelRow(row, index);
    });
    tbody.textContent = "";
    tbody.appendChild(fragment);
    if (selected >= rows.length) selected = rows.length - 1;
    updateWarnings();
    showSelection();
    if (focusKey) {
      var again = tbody.querySelector('tr[data-key="' + focusKey + '"] .' + focusClass);
      if (again) again.focus();
    }
    drawCaption();
  }

  function refreshRow(row) {
    row.el.start.value = formatTime(row.start);
    row.el.end.value = formatTime(row.end);
    row.el.start.removeAttribute("aria-invalid");
    row.el.end.removeAttribute("aria-invalid");
  }

  function byStart() {
    var current = selected >= 0 ? rows[selected] : null;
    rows.sort(function (a, b) { return a.start - b.start; });
    selected = current ? rows.indexOf(current) : -1;
  }

  // After times change: every row shows its times, the table is in order of start, the warnings follow.
  function retimed() {
    rows.forEach(function (row) { if (row.el) refreshRow(row); });
    byStart();
    render();
    markDirty();
  }

  // --- Live quality warnings (the server's checks, parsing.quality_warnings, with the same thresholds) -------

  function warningsFor(row, number, previousEnd) {
    var found = [];
    var text = cleanText(row.text);
    var lines = text.split("\n");
    var length = row.end - row.start;
    var values = { cue: number };
    function add(kind, name, limit) {
      found.push({ kind: kind, text: fill(messages[name], { cue: number, limit: limit }) });
    }
    if (!text) found.push({ kind: "error", text: messages.no_text });
    if (row.start < 0) add("error", "before_zero");
    if (length < 0) found.push({ kind: "error", text: fill(messages.end_before_start, values) });
    if (lines.some(function (line) { return line.length > limits.line_chars; })) add("warning", "line_too_long", limits.line_chars);
    if (lines.length > limits.lines) add("warning", "too_many_lines", limits.lines);
    if (length > 0 && (text.length - lines.length + 1) * 1000 / length > limits.cps) add("warning", "reading_speed", limits.cps);
    if (length < limits.min_ms) add("warning", "too_short", limits.min_ms / 1000);
    if (length > limits.max_ms) add("warning", "too_long", limits.max_ms / 1000);
    if (previousEnd !== null && row.start < previousEnd) add("warning", "overlap");
    if (data.duration_ms !== null && row.end > data.duration_ms) add("warning", "after_end");
    return found;
  }

  function updateWarnings() {
    var previousEnd = null;
    var errors = 0;
    rows.forEach(function (row, index) {
      var found = warningsFor(row, index + 1, previousEnd);
      previousEnd = previousEnd === null ? row.end : Math.max(previousEnd, row.end);
      var key = found.map(function (w) { return w.kind + w.text; }).join("|");
      errors += found.filter(function (w) { return w.kind === "error"; }).length;
      if (!row.el || row.el.shown === key) return;
      row.el.shown = key;
      row.el.warnings.textContent = "";
      found.forEach(function (warning) {
        var item = document.createElement("li");
        item.className = warning.kind;
        item.textContent = warning.text;
        row.el.warnings.appendChild(item);
      });
      row.el.tr.classList.toggle("has-error", found.some(function (w) { return w.kind === "error"; }));
      row.el.tr.classList.toggle("has-warning", found.length > 0);
    });
    root.dataset.errors = String(errors);
  }

  // --- Selection and playback ---------------------------------------------------------------------------------

  function select(index, focus) {
    if (index < 0 || index >= rows.length) return;
    selected = index;
    showSelection();
    if (focus) rows[index].el.text.focus();
  }

  function showSelection() {
    rows.forEach(function (row, index) {
      if (!row.el) return;
      row.el.tr.classList.toggle("is-selected", index === selected);
      if (index === selected) row.el.tr.setAttribute("aria-current", "true");
      else row.el.tr.removeAttribute("aria-current");
    });
    var row = rows[selected];
    selectedLine.textContent = row ? fill(messages.selected, {
      n: selected + 1, count: rows.length, start: formatTime(row.start), end: formatTime(row.end),
    }) : messages.none_selected;
  }

  function selectedRow() {
    if (selected < 0 || !rows[selected]) {
      say(messages.none_selected);
      return null;
    }
    return rows[selected];
  }

  // The captions come from the cues as edited, not from the served file: the archivist sees each change at once.
  function drawCaption() {
    var t = now();
    var lines = [];
    rows.forEach(function (row) {
      var on = row.start <= t && t < row.end;
      if (on) lines.push(cleanText(row.text));
      if (row.el) row.el.tr.classList.toggle("is-playing", on);
    });
    captionText.textContent = lines.join("\n");
    caption.hidden = lines.length === 0;
    clock.textContent = formatTime(t);
  }

  function tick() {
    drawCaption();
    if (!video.paused && !video.ended) window.requestAnimationFrame(tick);
  }

  function togglePlay() {
    if (video.paused || video.ended) {
      var started = video.play();
      if (started && started.catch) started.catch(function () {});
    } else {
      video.pause();
    }
  }

  function seek(ms) {
    video.currentTime = Math.max(0, ms) / 1000;
    drawCaption();
  }

  // --- Edits --------------------------------------------------------------------------------------------------

  function moveRows(chosen, ms) {
    chosen.forEach(function (row) { row.start += ms; row.end += ms; });
    retimed();
    say(fill(messages.shifted[chosen.length === 1 ? "one" : "other"], {
      n: chosen.length, offset: (ms > 0 ? "+" : "") + String(ms / 1000),
    }));
  }

  function laterRows(row) {
    return rows.filter(function (other) { return other.start >= row.start; });
  }

  function shift(which) {
    var ms = parseOffset(offsetInput.value);
    if (isNaN(ms)) {
      offsetInput.setAttribute("aria-invalid", "true");
      say(messages.bad_offset);
      offsetInput.focus();
      return;
    }
    offsetInput.removeAttribute("aria-invalid");
    if (which === "all") {
      moveRows(rows.slice(), ms);
      return;
    }
    var row = selectedRow();
    if (row) moveRows(laterRows(row), ms);
  }

  function shiftToNow() {
    var row = selectedRow();
    if (row) moveRows(laterRows(row), now() - row.start);
  }

  function nudge(ms) {
    var row = selectedRow();
    if (row) moveRows([row], ms);
  }

  function startNow() {
    var row = selectedRow();
    if (!row) return;
    var t = now();
    if (row.end <= t) row.end = t + (row.end - row.start);
    row.start = t;
    retimed();
  }

  function endNow() {
    var row = selectedRow();
    if (!row) return;
    row.end = now();
    retimed();
  }

  function split() {
    var row = selectedRow();
    if (!row) return;
    var t = now();
    if (!(row.start < t && t < row.end)) {
      say(messages.not_inside);
      return;
    }
    var parts = splitText(cleanText(row.text), (t - row.start) / (row.end - row.start));
    var second = { key: nextKey++, base: null, start: t, end: row.end, text: parts[1], voice: row.voice };
    row.end = t;
    row.text = parts[0];
    row.el.text.value = parts[0];
    rows.splice(selected + 1, 0, second);
    retimed();
  }

  function merge() {
    var row = selectedRow();
    if (!row) return;
    var next = rows[selected + 1];
    if (!next) {
      say(messages.last_cue);
      return;
    }
    row.start = Math.min(row.start, next.start);
    row.end = Math.max(row.end, next.end);
    row.text = [cleanText(row.text), cleanText(next.text)].filter(Boolean).join("\n");
    row.voice = row.voice || next.voice;
    row.el.text.value = row.text;
    row.el.voice.textContent = row.voice || "";
    rows.splice(selected + 1, 1);
    retimed();
  }

  function insert() {
    var t = now();
    var following = rows.filter(function (row) { return row.start > t; })[0];
    var end = t + NEW_CUE_MS;
    if (following && following.start < end && following.start - t >= limits.min_ms) end = following.start;
    var row = { key: nextKey++, base: null, start: t, end: end, text: "", voice: null };
    rows.push(row);
    selected = rows.length - 1;
    retimed();
    select(rows.indexOf(row), true);
  }

  function remove() {
    var row = selectedRow();
    if (!row) return;
    rows.splice(selected, 1);
    anchors = anchors.filter(function (anchor) { return anchor.key !== row.key; });
    showAnchors();
    retimed();
    if (rows.length) select(Math.min(selected, rows.length - 1), true);
  }

  function rowByKey(key) {
    return rows.filter(function (row) { return row.key === key; })[0] || null;
  }

  function showAnchors() {
    anchorsLine.textContent = anchors.map(function (anchor) {
      return fill(messages.anchor, { n: rows.indexOf(rowByKey(anchor.key)) + 1, time: formatTime(anchor.time) });
    }).join(" ");
  }

  function anchor() {
    var row = selectedRow();
    if (!row) return;
    anchors = anchors.filter(function (other) { return other.key !== row.key; });
    anchors.push({ key: row.key, time: now() });
    if (anchors.length > 2) anchors.shift();
    showAnchors();
  }

  // Every time mapped linearly so that both anchored cues start at their moments (editing.stretch on the server).
  function stretch() {
    var first = anchors[0] && rowByKey(anchors[0].key);
    var last = anchors[1] && rowByKey(anchors[1].key);
    if (!first || !last || first.start === last.start) {
      say(messages.need_anchors);
      return;
    }
    var scale = (anchors[1].time - anchors[0].time) / (last.start - first.start);
    if (scale <= 0) {
      say(messages.need_anchors);
      return;
    }
    var offset = anchors[0].time - first.start * scale;
    rows.forEach(function (row) {
      row.start = Math.round(row.start * scale + offset);
      row.end = Math.round(row.end * scale + offset);
    });
    anchors = [];
    showAnchors();
    retimed();
    say(messages.stretched);
  }

  // --- Saving -------------------------------------------------------------------------------------------------

  // The edits API's operations that turn the base into the rows: indices name the base's cues.
  function operations() {
    var ops = [];
    var kept = {};
    rows.forEach(function (row) {
      var text = cleanText(row.text);
      if (row.base === null) {
        ops.push({ op: "insert", start_s: row.start / 1000, end_s: row.end / 1000, text: text });
        return;
      }
      kept[row.base] = true;
      var was = base[row.base];
      // Only a text the archivist changed: the base's own may hold what cleaning would touch (a leading space).
      if (row.text !== was.text && text !== was.text) ops.push({ op: "text", cue: row.base, text: text });
      if (row.start !== was.start || row.end !== was.end) {
        ops.push({ op: "timing", cue: row.base, start_s: row.start / 1000, end_s: row.end / 1000 });
      }
    });
    base.forEach(function (cue, index) {
      if (!kept[index]) ops.push({ op: "delete", cue: index });
    });
    return ops;
  }

  function conflict(body) {
    var other = body.current;
    var extra = document.createElement("div");
    extra.className = "editor-conflict";
    if (other) {
      var facts = document.createElement("p");
      facts.textContent = fill(messages.conflict, { name: other.uploaded_by, date: other.created_at, count: other.cue_count });
      var link = document.createElement("a");
      link.href = other.vtt_url;
      link.textContent = fill(messages.open_other, { n: other.revision });
      var reload = document.createElement("button");
      reload.type = "button";
      reload.className = "secondary";
      reload.textContent = fill(messages.load_other, { n: other.revision });
      reload.addEventListener("click", function () {
        delete root.dataset.dirty;
        window.location.reload();
      });
      extra.appendChild(facts);
      extra.appendChild(link);
      extra.appendChild(document.createTextNode(" "));
      extra.appendChild(reload);
    }
    root.dataset.conflict = String(body.revision);
    showProblems(body.errors.map(function (error) { return error.message; }), extra);
  }

  function answered(response, body) {
    if (response.status === 201) {
      clearProblems();
      delete root.dataset.conflict;
      load(body.revision, body.cues);
      say(fill(messages.saved, { n: body.revision }));
    } else if (response.status === 409) {
      say("");
      conflict(body);
    } else {
      say("");
      showProblems((body.errors || []).map(function (error) { return error.message; }));
    }
  }

  function save() {
    if (saving) return;
    // A time typed but not yet left (Ctrl+S in its field) is taken first.
    var typing = document.activeElement;
    if (typing && typing.matches(".cue-start, .cue-end")) {
      var row = rows[Array.prototype.indexOf.call(tbody.children, typing.closest("tr"))];
      var shown = formatTime(typing.classList.contains("cue-start") ? row.start : row.end);
      if (typing.value !== shown) typing.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var ops = operations();
    if (!ops.length) {
      say(messages.nothing);
      return;
    }
    if (root.dataset.errors !== "0") {
      var lines = [];
      tbody.querySelectorAll(".cue-warnings li.error").forEach(function (item) { lines.push(item.textContent); });
      showProblems(lines);
      return;
    }
    saving = true;
    say(messages.saving);
    fetch(data.save_url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ base_revision: baseRevision, operations: ops }),
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) throw new Error("session");
      return response.json().then(function (body) { answered(response, body); });
    }).catch(function (error) {
      say("");
      showProblems([error && error.message === "session" ? messages.session : messages.offline]);
    }).then(function () {
      saving = false;
    });
  }

  // --- Wiring -------------------------------------------------------------------------------------------------

  var actions = {
    "start-now": startNow,
    "end-now": endNow,
    split: split,
    merge: merge,
    insert: insert,
    "delete": remove,
    "shift-all": function () { shift("all"); },
    "shift-later": function () { shift("later"); },
    "shift-to-now": shiftToNow,
    anchor: anchor,
    stretch: stretch,
    save: save,
    help: function () { shortcuts.showModal(); },
  };

  root.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (button && actions[button.dataset.action]) actions[button.dataset.action]();
    var seekButton = event.target.closest(".cue-seek");
    if (seekButton) {
      var index = Array.prototype.indexOf.call(tbody.children, seekButton.closest("tr"));
      select(index, false);
      seek(rows[index].start);
    }
  });

  tbody.addEventListener("focusin", function (event) {
    var tr = event.target.closest("tr");
    if (tr) select(Array.prototype.indexOf.call(tbody.children, tr), false);
  });

  tbody.addEventListener("input", function (event) {
    var tr = event.target.closest("tr");
    var row = rows[Array.prototype.indexOf.call(tbody.children, tr)];
    if (!row) return;
    if (event.target.classList.contains("cue-text")) {
      row.text = event.target.value;
      updateWarnings();
      drawCaption();
      markDirty();
    }
  });

  // A time is taken when its field is left (or Enter): then the table is put back in order.
  tbody.addEventListener("change", function (event) {
    var field = event.target;
    var isStart = field.classList.contains("cue-start");
    if (!isStart && !field.classList.contains("cue-end")) return;
    var row = rows[Array.prototype.indexOf.call(tbody.children, field.closest("tr"))];
    var ms = parseTime(field.value);
    if (isNaN(ms)) {
      field.setAttribute("aria-invalid", "true");
      say(messages.bad_time);
      return;
    }
    if (isStart) row.start = ms;
    else row.end = ms;
    retimed();
  });

  var keys = {
    BracketLeft: function () { nudge(-NUDGE_MS); },
    BracketRight: function () { nudge(NUDGE_MS); },
    Comma: function () { seek(now() - NUDGE_MS); },
    Period: function () { seek(now() + NUDGE_MS); },
    ArrowUp: function () { select(selected - 1, true); },
    ArrowDown: function () { select(selected + 1, true); },
    KeyN: startNow,
    KeyX: split,
    KeyM: merge,
    KeyI: insert,
    Delete: remove,
  };

  document.addEventListener("keydown", function (event) {
    if (shortcuts.open) return;
    var handler = null;
    if (event.ctrlKey && !event.altKey && event.code === "Space") handler = togglePlay;
    else if ((event.ctrlKey || event.metaKey) && !event.altKey && event.code === "KeyS") handler = save;
    else if (event.altKey && !event.ctrlKey && !event.metaKey) {
      handler = event.shiftKey ? (event.code === "KeyN" ? endNow : null) : keys[event.code] || null;
    }
    if (!handler) return;
    event.preventDefault();
    handler();
  });

  window.addEventListener("beforeunload", function (event) {
    if (root.dataset.dirty === "true") {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  ["timeupdate", "seeked", "loadedmetadata"].forEach(function (name) { video.addEventListener(name, drawCaption); });
  video.addEventListener("play", function () { window.requestAnimationFrame(tick); });

  // A packaged stream plays through hls.js (or natively); otherwise the default audio track's own file.
  var hlsUrl = root.dataset.hls;
  if (hlsUrl && window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls({ maxBufferLength: 30, enableCEA708Captions: false });
    hls.attachMedia(video);
    hls.loadSource(hlsUrl);
  } else if (hlsUrl && video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = hlsUrl;
  }

  load(data.revision, data.cues);
  select(0, false);
  say("");
  root.dataset.ready = "true";
})();
