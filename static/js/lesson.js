// Lesson heartbeats: report every N seconds while the tab is visible, with the video's played ranges.
// The server decides what counts (wall time between beats, one lesson at a time, caps); this
// script only stops reporting when the page is hidden and says "pause" so another tab may count.
(function () {
  "use strict";
  var box = document.getElementById("lesson-progress");
  if (!box) { return; }
  var url = box.dataset.heartbeatUrl;
  var csrf = box.dataset.csrf;
  var interval = Math.max(5, parseInt(box.dataset.interval, 10) || 15) * 1000;
  var videos = Array.prototype.slice.call(document.querySelectorAll("video[data-video-id]"));
  var timer = null;
  var inFlight = false;

  function el(role) { return box.querySelector('[data-role="' + role + '"]'); }

  // The page is rendered without the cadre's progress (so it can be cached); the first heartbeat, sent on
  // load, answers with it: study and watched time, completion, and where the first video was left.
  var resumed = false;
  function resume(position) {
    resumed = true;
    if (!videos.length || !(position > 1)) { return; }
    var video = videos[0];
    function seek() { if (position < video.duration - 1 && video.currentTime < 1) { video.currentTime = position; } }
    if (video.readyState >= 1) { seek(); } else { video.addEventListener("loadedmetadata", seek, { once: true }); }
  }

  function played() {
    var result = {};
    videos.forEach(function (video) {
      var ranges = [];
      for (var i = 0; i < video.played.length; i++) {
        ranges.push([video.played.start(i), video.played.end(i)]);
      }
      if (ranges.length) { result[video.dataset.videoId] = ranges; }
    });
    return result;
  }

  function payload(pause) {
    var body = { videos: played(), pause: !!pause };
    // Until the first answer says where the video was left, report no position (it would overwrite it).
    if (videos.length && resumed) { body.position = videos[0].currentTime || 0; }
    if (window.mjAttention) { body.activity = window.mjAttention.report(); } // 防挂机 (attention.js)
    return JSON.stringify(body);
  }

  function show(data) {
    if (!resumed) { resume(data.video_position); }
    el("time").textContent = data.time_seconds;
    var watched = el("watched");
    if (watched) { watched.textContent = data.watched_seconds; }
    el("bar").value = Math.min(data.time_seconds, data.required_seconds);
    var status = el("status");
    if (data.lesson_completed) {
      status.textContent = box.dataset.msgCompleted;
    } else if (!data.counting && data.reason) {
      status.textContent = data.reason;
    } else {
      status.textContent = box.dataset.msgCounting;
    }
    if (data.certificate_url) {
      el("certificate-link").href = data.certificate_url;
      el("certificate").hidden = false;
    }
  }

  function send(pause) {
    if (inFlight && !pause) { return; }
    inFlight = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!pause,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: payload(pause)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.detail || response.status); }
        return data;
      });
    }).then(function (data) {
      if (!pause) { show(data); }
      if (!pause && window.mjAttention) { window.mjAttention.handle(data); }
    }).catch(function (error) {
      el("status").textContent = box.dataset.msgError + error.message;
    }).then(function () { inFlight = false; });
  }

  function start() {
    if (timer || document.visibilityState !== "visible") { return; }
    send(false);
    timer = window.setInterval(function () {
      if (document.visibilityState === "visible") { send(false); }
    }, interval);
  }

  function stop() {
    if (!timer) { return; }
    window.clearInterval(timer);
    timer = null;
    send(true);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { start(); } else { stop(); }
  });
  window.addEventListener("pagehide", stop);
  start();
})();
