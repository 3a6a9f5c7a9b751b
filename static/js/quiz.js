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
  var state = {};  // question id -> {inFlight, dirty, timer, conflict: {answer, sequence} | null}
  var submittedKey = "mj-quiz-submitted-" + ds.attemptId;

  // After submitting, Back must not show a live answering page: the server sends the page with no-store, and a
  // page restored from the back/forward cache (or the HTTP cache) asks the server and goes to the result.
  function leaveIfFinished(persisted) {
    var nav = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    var fromHistory = persisted || (nav && nav.type === "back_forward");
    var submitted = false;
    try { submitted = window.sessionStorage.getItem(submittedKey) === "1"; } catch (e) { /* storage off */ }
    if (!fromHistory && !submitted) { return; }
    if (submitted) { document.documentElement.classList.add("quiz-leaving"); }
    fetch(ds.attemptUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (data) {
        if (data && data.state !== "in_progress") { window.location.replace(ds.resultUrl); return; }
        // Still open (the submit never arrived): answering goes on.
        document.documentElement.classList.remove("quiz-leaving");
        try { window.sessionStorage.removeItem(submittedKey); } catch (e) { /* storage off */ }
      })
      .catch(function () { /* offline: the next save answers 409 and reloads */ });
  }
  window.addEventListener("pageshow", function (ev) { leaveIfFinished(ev.persisted); });

  function conflicts() {
    return Object.keys(state).filter(function (k) { return state[k].conflict; });
  }

  function status(text, cls) {
    if (!statusEl) { return; }
    if (conflicts().length && cls !== "error") {
      // An unresolved difference with another tab outranks "已保存" of any other question.
      text = ds.msgConflictStatus.replace("{n}", conflicts().length);
      cls = "warn";
    }
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
    if (!state[qid]) { state[qid] = {inFlight: false, dirty: false, timer: null, conflict: null}; }
    return state[qid];
  }

  function pending() {
    return Object.keys(state).some(function (k) { return state[k].dirty || state[k].inFlight; });
  }

  function sameAnswer(a, b) {
    var norm = function (v) {
      if (Array.isArray(v)) { return JSON.stringify(v.slice().sort(function (x, y) { return x - y; })); }
      return v === null || v === undefined ? "" : String(v);
    };
    return norm(a) === norm(b);
  }

  function describe(fs, answer) {
    // The other tab's answer in words: the options' texts, or the text it saved.
    if (answer === null || answer === undefined || answer === "" || (Array.isArray(answer) && !answer.length)) {
      return ds.msgNoAnswer;
    }
    var type = fs.dataset.type;
    if (type === "single" || type === "truefalse" || type === "multiple") {
      var ids = Array.isArray(answer) ? answer : [answer];
      return ids.map(function (id) {
        var input = fs.querySelector("input[value='" + parseInt(id, 10) + "']");
        var label = input && input.closest("label");
        return label ? label.textContent.trim() : String(id);
      }).join("、");
    }
    return String(answer);
  }

  function clearConflict(fs) {
    var e = entry(fs.dataset.questionId);
    e.conflict = null;
    var box = fs.querySelector(".answer-conflict");
    if (box) { box.remove(); }
    fs.classList.remove("has-conflict");
  }

  function showConflict(fs, answer, sequence) {
    var e = entry(fs.dataset.questionId);
    e.conflict = {answer: answer, sequence: sequence};
    var box = fs.querySelector(".answer-conflict");
    if (!box) {
      box = document.createElement("div");
      box.className = "answer-conflict";
      box.setAttribute("role", "alert");
      var p = document.createElement("p");
      p.appendChild(document.createTextNode(ds.msgConflict));
      var other = document.createElement("strong");
      other.className = "other-answer";
      p.appendChild(other);
      box.appendChild(p);
      var actions = document.createElement("p");
      actions.className = "conflict-actions";
      var keep = document.createElement("button");
      keep.type = "button";
      keep.className = "button";
      keep.dataset.action = "keep-mine";
      keep.textContent = ds.msgKeepMine;
      var use = document.createElement("button");
      use.type = "button";
      use.className = "button secondary";
      use.dataset.action = "use-other";
      use.textContent = ds.msgUseOther;
      actions.appendChild(keep);
      actions.appendChild(use);
      box.appendChild(actions);
      keep.addEventListener("click", function () {
        var c = entry(fs.dataset.questionId).conflict;
        if (!c) { return; }
        seqInput(fs).value = c.sequence;  // now this tab has seen the other answer: saving replaces it
        clearConflict(fs);
        save(fs);
      });
      use.addEventListener("click", function () {
        var c = entry(fs.dataset.questionId).conflict;
        if (!c) { return; }
        writeAnswer(fs, c.answer);
        seqInput(fs).value = c.sequence;
        clearConflict(fs);
        status(ds.msgSaved, "saved");
      });
      fs.querySelector(".question-head").insertAdjacentElement("afterend", box);
    }
    box.querySelector(".other-answer").textContent = describe(fs, answer);
    fs.classList.add("has-conflict");
    status("", "warn");
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
        clearConflict(fs);
        status(ds.msgSaved, "saved");
      } else if (r.code === 409 && r.data.question_id !== undefined) {
        // Another tab saved this question after this tab last did. What the user typed stays on screen;
        // if the two answers differ, the user chooses which one stands.
        if (sameAnswer(readAnswer(fs), r.data.answer)) {
          seqInput(fs).value = r.data.sequence;
          clearConflict(fs);
          status(ds.msgSaved, "saved");
        } else {
          showConflict(fs, r.data.answer, r.data.sequence);
          e.dirty = false;
          return;
        }
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
    var open = conflicts();
    if (open.length) {
      window.alert(ds.msgResolveFirst);
      var first = document.getElementById("q" + open[0]);
      if (first) { first.scrollIntoView({block: "center"}); }
      return;
    }
    var n = unanswered();
    var msg = (n ? ds.msgUnanswered.replace("{n}", n) + "\n" : "") + ds.msgConfirm;
    if (!window.confirm(msg)) { return; }
    submitting = true;
    try { window.sessionStorage.setItem(submittedKey, "1"); } catch (e) { /* storage off: the server check remains */ }
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
        if (!submitting) { submitting = true; try { window.sessionStorage.setItem(submittedKey, "1"); } catch (e) { /* off */ } flush().then(function () { form.submit(); }, function () { form.submit(); }); }
      }
    };
    var timer = setInterval(tick, 1000);
    tick();
  }
})();
