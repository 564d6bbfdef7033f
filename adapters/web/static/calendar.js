// The diary calendar on /me (templates/me.html): on a screen narrower than a year of
// weeks, show the newest weeks first; older ones are a scroll to the left. Nothing else.
(function () {
  "use strict";
  function newestInView() {
    document.querySelectorAll(".heatmap-scroll").forEach(function (box) {
      box.scrollLeft = box.scrollWidth;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", newestInView);
  } else {
    newestInView();
  }
}());
