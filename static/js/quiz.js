/* Quiz attempt page: countdown from the server deadline, autosave through the JSON API with
 * per-question sequence numbers, confirmation before submitting. No inline scripts (CSP). */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var ds = form.dataset;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var statusEl = document.getElementById("quiz-save-status");
  var submitting = false;
  var state = {};  // question id -> {inFlight, dirty, timer}

  function status(text, cls) {
    if (!statusEl) { return; }
    statusEl.textContent = text;
    statusEl.className = "save-status" + (cls ? " " + cls : "");
  }

  function seqInput(fs) { return fs.querySelector("input[data-role=sequence]"); }

  function readAnswer(fs) {
    var type = fs.dataset.type;
    if (type === "single" || type === "truefalse") {
      var checked = fs.querySelector("input[type=radio]:checked");
      return checked ? parseInt(checked.value, 10) : null;
    }
    if (type === "multiple") {
      return Array.prototype.map.call(fs.querySelectorAll("input[type=checkbox]:checked"), function (el) {
        return parseInt(el.value, 10);
      });
    }
    var field = fs.querySelector("input[type=text], textarea");
    return field ? field.value : null;
  }

  function writeAnswer(fs, answer) {
    var type = fs.dataset.type;
    if (type === "single" || type === "truefalse" || type === "multiple") {
      var chosen = Array.isArray(answer) ? answer : (answer === null ? [] : [answer]);
      fs.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (el) {
        el.checked = chosen.indexOf(parseInt(el.value, 10)) !== -1;
      });
    } else {
      var field = fs.querySelector("input[type=text], textarea");
      if (field) { field.value = answer || ""; }
    }
  }

  function entry(qid) {
    if (!state[qid]) { state[qid] = {inFlight: false, dirty: false, timer: null}; }
    return state[qid];
  }

  function pending() {
    return Object.keys(state).some(function (k) { return state[k].dirty || state[k].inFlight; });
  }

  function save(fs) {
    var qid = fs.dataset.questionId;
    var e = entry(qid);
    if (e.inFlight) { e.dirty = true; return Promise.resolve(); }
    e.dirty = false;
    e.inFlight = true;
    status(ds.msgSaving, "saving");
    var body = JSON.stringify({answer: readAnswer(fs), sequence: parseInt(seqInput(fs).value, 10)});
    return fetch(ds.answerUrl + qid, {
      method: "PUT", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: body
    }).then(function (resp) {
      return resp.json().then(function (data) { return {ok: resp.ok, code: resp.status, data: data}; });
    }).then(function (r) {
      e.inFlight = false;
      if (r.ok) {
        seqInput(fs).value = r.data.sequence;
        status(ds.msgSaved, "saved");
      } else if (r.code === 409 && r.data.question_id !== undefined) {
        // A newer answer exists (another tab): keep it and show it.
        seqInput(fs).value = r.data.sequence;
        writeAnswer(fs, r.data.answer);
        e.dirty = false;
        status(ds.msgStale, "warn");
      } else if (r.code === 409) {
        status(ds.msgClosed, "warn");
        window.location.reload();
        return;
      } else {
        status((r.data && r.data.detail) || ds.msgOffline, "error");
        return;
      }
      if (e.dirty) { return save(fs); }
    }).catch(function () {
      e.inFlight = false;
      e.dirty = true;
      status(ds.msgOffline, "error");
      clearTimeout(e.timer);
      e.timer = setTimeout(function () { save(fs); }, 5000);
    });
  }

  form.querySelectorAll("fieldset.question").forEach(function (fs) {
    fs.addEventListener("change", function () { save(fs); });
    fs.addEventListener("input", function (ev) {
      if (ev.target.matches("input[type=text], textarea")) {
        var e = entry(fs.dataset.questionId);
        e.dirty = true;
        clearTimeout(e.timer);
        e.timer = setTimeout(function () { save(fs); }, 800);
      }
    });
  });

  function flush() {
    var saves = [];
    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      var e = state[fs.dataset.questionId];
      if (e && e.dirty && !e.inFlight) { clearTimeout(e.timer); saves.push(save(fs)); }
    });
    return Promise.all(saves);
  }

  function unanswered() {
    var n = 0;
    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      var a = readAnswer(fs);
      if (a === null || a === "" || (Array.isArray(a) && a.length === 0)) { n += 1; }
    });
    return n;
  }

  form.addEventListener("submit", function (ev) {
    if (submitting) { return; }
    ev.preventDefault();
    var n = unanswered();
    var msg = (n ? ds.msgUnanswered.replace("{n}", n) + "\n" : "") + ds.msgConfirm;
    if (!window.confirm(msg)) { return; }
    submitting = true;
    flush().then(function () { form.submit(); }, function () { form.submit(); });
  });

  window.addEventListener("beforeunload", function (ev) {
    if (!submitting && pending()) { ev.preventDefault(); ev.returnValue = ""; }
  });

  // Countdown: the server's remaining seconds, measured against this device's monotonic clock.
  var left = ds.secondsLeft !== undefined ? parseInt(ds.secondsLeft, 10) : null;
  var out = document.getElementById("quiz-countdown-value");
  if (left !== null && out) {
    var end = performance.now() + left * 1000;
    var box = document.getElementById("quiz-countdown");
    var tick = function () {
      var s = Math.max(0, Math.round((end - performance.now()) / 1000));
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      out.textContent = (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (sec < 10 ? "0" : "") + sec;
      if (s <= 60) { box.classList.add("urgent"); }
      if (s <= 0) {
        clearInterval(timer);
        status(ds.msgTimeup, "warn");
        if (!submitting) { submitting = true; flush().then(function () { form.submit(); }, function () { form.submit(); }); }
      }
    };
    var timer = setInterval(tick, 1000);
    tick();
  }
})();
