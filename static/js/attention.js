// 防挂机 on the lesson page: report recent activity with each heartbeat and show the server's
// attention check. The server decides what counts (learning/attention.py); this script only tells
// it how long ago the page saw input, whether a video plays with sound at 1x, and posts the number
// the cadre pressed. lesson.js calls window.mjAttention.report() and .handle(data).
(function () {
  "use strict";
  var box = document.getElementById("lesson-progress");
  var dialog = document.getElementById("attention-check");
  if (!box || !dialog) { return; }
  var csrf = box.dataset.csrf;
  var lastInput = Date.now(); // opening the lesson is an action of the cadre
  var current = null; // the prompt on screen: {nonce, number, choices, seconds_left, answer_url}
  var deadline = 0;
  var ticker = null;
  var returnFocus = null;

  function seen() { lastInput = Date.now(); }
  ["keydown", "pointerdown", "mousemove", "wheel", "scroll", "touchstart", "input"].forEach(function (name) {
    window.addEventListener(name, seen, { passive: true, capture: true });
  });

  function videoPlaying() {
    var videos = document.querySelectorAll("video[data-video-id]");
    for (var i = 0; i < videos.length; i++) {
      var v = videos[i];
      if (!v.paused && !v.ended && !v.muted && v.volume > 0 && v.playbackRate === 1) { return true; }
    }
    return false;
  }

  function part(role) { return dialog.querySelector('[data-role="' + role + '"]'); }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    part("countdown").textContent = left > 0
      ? dialog.dataset.msgLeft.replace("%s", left)
      : dialog.dataset.msgLate;
  }

  function close() {
    current = null;
    dialog.hidden = true;
    if (ticker) { window.clearInterval(ticker); ticker = null; }
    if (returnFocus && document.contains(returnFocus)) { returnFocus.focus(); }
    returnFocus = null;
  }

  function open(prompt) {
    var fresh = !current || current.nonce !== prompt.nonce;
    current = prompt;
    if (!fresh) { return; }
    deadline = Date.now() + prompt.seconds_left * 1000;
    part("number").textContent = prompt.number;
    part("feedback").textContent = "";
    var buttons = part("choices");
    buttons.textContent = "";
    prompt.choices.forEach(function (n) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button attention-choice";
      b.textContent = n;
      b.dataset.answer = n;
      buttons.appendChild(b);
    });
    returnFocus = document.activeElement;
    dialog.hidden = false;
    tick();
    if (ticker) { window.clearInterval(ticker); }
    ticker = window.setInterval(tick, 1000);
    part("title").focus();
  }

  function answer(value) {
    if (!current) { return; }
    var prompt = current;
    fetch(prompt.answer_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ nonce: prompt.nonce, answer: parseInt(value, 10) })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.detail || response.status); }
        return data;
      });
    }).then(function (data) {
      var status = box.querySelector('[data-role="status"]');
      if (data.accepted) {
        close();
        if (status) { status.textContent = data.message; }
        var time = box.querySelector('[data-role="time"]');
        if (time) { time.textContent = data.time_seconds; }
      } else {
        part("feedback").textContent = data.message;
      }
    }).catch(function (error) {
      part("feedback").textContent = box.dataset.msgError + error.message;
      close();
    });
  }

  part("choices").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-answer]");
    if (button) { answer(button.dataset.answer); }
  });
  dialog.addEventListener("keydown", function (event) {
    // Keep Tab inside the prompt while it is open.
    if (event.key !== "Tab") { return; }
    var items = Array.prototype.slice.call(dialog.querySelectorAll("button"));
    if (!items.length) { return; }
    var first = items[0], last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || document.activeElement === part("title"))) {
      event.preventDefault(); last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault(); first.focus();
    }
  });

  window.mjAttention = {
    report: function () {
      return { input_age: Math.max(0, (Date.now() - lastInput) / 1000), video: videoPlaying() };
    },
    handle: function (data) {
      if (data && data.attention) { open(data.attention); } else if (current && data) { close(); }
    }
  };
})();
