// Playback rules of lesson videos (settings.LEARNING, enforced on the server too): keep the rate at
// or below the allowed maximum and, unless skipping ahead is allowed, stop seeking beyond the
// furthest point watched. The server counts only what these rules allow, whatever a client sends.
(function () {
  "use strict";
  var videos = document.querySelectorAll("video[data-video-id]");
  Array.prototype.forEach.call(videos, function (video) {
    var maxRate = parseFloat(video.dataset.maxRate) || 1;
    var seekAhead = video.dataset.seekAhead === "true";
    var tolerance = parseFloat(video.dataset.seekTolerance) || 0;
    var furthest = 0;
    var lastTime = 0;
    var correcting = false;

    video.addEventListener("ratechange", function () {
      if (video.playbackRate > maxRate) { video.playbackRate = maxRate; }
      if (video.defaultPlaybackRate > maxRate) { video.defaultPlaybackRate = maxRate; }
    });

    video.addEventListener("timeupdate", function () {
      if (!video.seeking && !correcting) {
        // Normal playback moves forward in small steps; that extends what was watched.
        if (video.currentTime > furthest && video.currentTime - lastTime < 2 * maxRate + 1) {
          furthest = video.currentTime;
        }
        lastTime = video.currentTime;
      }
    });

    video.addEventListener("seeking", function () {
      if (seekAhead || correcting) { return; }
      if (video.currentTime > furthest + tolerance) {
        correcting = true;
        video.currentTime = furthest;
      }
    });

    video.addEventListener("seeked", function () {
      correcting = false;
      lastTime = video.currentTime;
    });

    // Resuming where the cadre stopped (lesson.js) is a seek to a point watched before.
    video.addEventListener("loadedmetadata", function () {
      var box = document.getElementById("lesson-progress");
      var resume = box ? parseFloat(box.dataset.position) || 0 : 0;
      if (resume > furthest) { furthest = resume; }
    });
  });
})();
