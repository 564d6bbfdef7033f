// The personal page's focus chart: months along, competences up; a framed square where a
// competence was the chosen focus, a dot (larger for more weeks) where weekly plans worked
// on it, so "chosen and practised" shows as a dot in a square. The data is JSON in
// #me-data; without Chart.js the table beneath the chart says the same.
(function () {
  "use strict";
  var source = document.getElementById("me-data");
  var holder = document.querySelector('[data-chart="focus"]');
  if (!source || !holder || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent || "{}");
  var canvas = holder.querySelector("canvas");
  if (!canvas || !data.months || !data.months.length) { return; }
  var style = getComputedStyle(document.documentElement);
  var accent = style.getPropertyValue("--accent").trim() || "#2f6f5e";
  var soft = style.getPropertyValue("--accent-soft").trim() || "#e3f1ec";
  var muted = style.getPropertyValue("--muted").trim() || "#616e7c";
  var labels = data.labels || {};
  // A row per competence: the chart grows with the list instead of squeezing it.
  holder.style.height = Math.max(160, 90 + 46 * data.competences.length) + "px";

  function weeks(count) {
    return count + " " + (count === 1 ? labels.week : labels.weeks);
  }

  new window.Chart(canvas, {
    type: "line",
    data: {
      datasets: [
        {
          label: labels.chosen,
          data: data.chosen,
          order: 1,
          showLine: false,
          pointStyle: "rectRounded",
          pointRadius: 14,
          pointHoverRadius: 15,
          pointBorderWidth: 3,
          backgroundColor: soft,
          borderColor: accent
        },
        {
          label: labels.planned,
          data: data.planned,
          order: 0,
          showLine: false,
          pointStyle: "circle",
          pointRadius: function (context) {
            var point = context.raw || {};
            return 4 + 1.5 * Math.min(point.weeks || 1, 5);
          },
          backgroundColor: muted,
          borderColor: muted
        }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { type: "category", labels: data.months, offset: true },
        y: { type: "category", labels: data.competences, offset: true }
      },
      plugins: {
        legend: { reverse: true, labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: function (context) {
              var point = context.raw || {};
              var text = context.dataset.label + ": " + point.y;
              return point.weeks ? text + " (" + weeks(point.weeks) + ")" : text;
            }
          }
        }
      }
    }
  });
})();
