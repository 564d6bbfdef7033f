/* Leercoach dashboard charts. Uses the vendored Chart.js 4.6.1 (chart.umd.min.js, MIT,
 * from the npm registry package chart.js@4.6.1; see chart.js.LICENSE.md).
 *
 * The page hands over plain data in <script type="application/json" id="dashboard-data">
 * (built by adapters/web/dashboard.py); this script only turns it into Chart.js options.
 * A number the dashboard hides (fewer than 5 people) arrives as null and stays a gap; the
 * table under each chart says "te weinig deelnemers". No inline script, nothing external.
 */
(function () {
  "use strict";

  var PALETTE = ["#2f6f5e", "#d08c2f", "#4a6fa5", "#a6465a", "#7b8b3a", "#6b5b95", "#3c9db0",
                 "#9a3b12"];
  var MUTED = "#9aa5b1";

  function colour(index, total) {
    // Peer reviews: met / not met / no answer read best as green / amber / grey.
    if (total === 3 && index === 2) { return MUTED; }
    return PALETTE[index % PALETTE.length];
  }

  function percentTicks(value) { return value + "%"; }

  function datasetOf(chart, dataset, index) {
    var line = (dataset.type || chart.type) === "line";
    var tint = colour(index, chart.datasets.length);
    var found = {
      label: dataset.label,
      data: dataset.data,
      backgroundColor: line ? tint : tint + "cc",
      borderColor: tint,
      borderWidth: line ? 2 : 1,
      spanGaps: false,
      tooltips: dataset.tooltips || null
    };
    if (dataset.axis === "y2") { found.yAxisID = "y2"; }
    else if (chart.horizontal) { found.xAxisID = "x"; }
    else { found.yAxisID = "y"; }
    if (dataset.type) { found.type = dataset.type; }
    // In a mixed chart the line is drawn over the bars (the lowest order is on top).
    found.order = line ? 0 : 1;
    if (line) { found.pointRadius = 3; found.tension = 0; found.fill = false; }
    if (line && dataset.emphasis) { found.borderWidth = 3; found.borderDash = [6, 4]; }
    return found;
  }

  function valueAxis(title, percent, stacked, beyond) {
    var axis = {
      beginAtZero: true,
      stacked: stacked,
      title: { display: true, text: title },
      ticks: { precision: 0 }
    };
    if (percent) {
      if (beyond) { axis.suggestedMax = 100; } else { axis.max = 100; }
      axis.ticks.callback = percentTicks;
    }
    return axis;
  }

  function configOf(chart) {
    var categories = { stacked: chart.stacked, ticks: { autoSkip: true } };
    var values = valueAxis(chart.axis, chart.percent, chart.stacked, chart.beyond);
    var scales = chart.horizontal ? { x: values, y: categories } : { x: categories, y: values };
    if (chart.axis2) {
      scales.y2 = valueAxis(chart.axis2, true, false, false);
      scales.y2.position = "right";
      scales.y2.grid = { drawOnChartArea: false };
    }
    var bars = chart.horizontal ? chart.labels.length : 0;
    return {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, index) {
          return datasetOf(chart, dataset, index);
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: true,
        // Horizontal bars get taller with more of them; the rest keep 2:1.
        aspectRatio: bars > 6 ? Math.max(0.9, 12 / bars) : 2,
        indexAxis: chart.horizontal ? "y" : "x",
        scales: scales,
        plugins: {
          legend: { display: chart.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var own = item.dataset.tooltips;
                if (own && own[item.dataIndex]) { return own[item.dataIndex]; }
                var value = chart.horizontal ? item.parsed.x : item.parsed.y;
                var percent = chart.percent || item.dataset.yAxisID === "y2";
                return item.dataset.label + ": " + value + (percent ? "%" : "");
              }
            }
          }
        }
      }
    };
  }

  function hasValues(chart) {
    return chart.datasets.some(function (dataset) {
      return dataset.data.some(function (value) { return value !== null; });
    });
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent || "{}");
    (data.charts || []).forEach(function (chart) {
      var holder = document.querySelector('[data-chart="' + chart.key + '"]');
      var canvas = holder && holder.querySelector("canvas");
      if (!canvas) { return; }
      if (!chart.labels.length || !hasValues(chart)) {
        // Nothing to draw (or all of it hidden): the table below says why.
        holder.hidden = true;
        holder.setAttribute("data-empty", "true");
        return;
      }
      holder.setAttribute("data-drawn", "true");
      new window.Chart(canvas, configOf(chart));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
