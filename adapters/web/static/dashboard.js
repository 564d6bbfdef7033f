/* Leercoach dashboard charts. Uses the vendored Chart.js 4.6.1 (chart.umd.min.js, MIT,
 * from the npm registry package chart.js@4.6.1; see chart.js.LICENSE.md).
 *
 * The page hands over plain data in <script type="application/json" id="dashboard-data">
 * (built by adapters/web/dashboard.py); this script only turns it into Chart.js options.
 * A number the dashboard hides (fewer than 5 people) arrives as null with `hidden` set for
 * it: its place on the chart is hatched and labelled (the `hiddenValues` plugin below), so
 * it never reads as a zero or an empty bar; the legend names the hatching and the table
 * says "te weinig deelnemers". No inline script, nothing external.
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

  var HATCH_INK = "#7b8794";
  var LABEL_INK = "#3e4c59";

  function hatch(context) {
    // A small tile with a diagonal line, repeated: the pattern that means "hidden".
    var tile = document.createElement("canvas");
    tile.width = 8; tile.height = 8;
    var pen = tile.getContext("2d");
    pen.fillStyle = "#f5f7fa";
    pen.fillRect(0, 0, 8, 8);
    pen.strokeStyle = HATCH_INK;
    pen.lineWidth = 1.2;
    pen.beginPath();
    pen.moveTo(0, 8); pen.lineTo(8, 0);
    pen.moveTo(-2, 2); pen.lineTo(2, -2);
    pen.moveTo(6, 10); pen.lineTo(10, 6);
    pen.stroke();
    return context.createPattern(tile, "repeat");
  }

  // Hidden values are hatched where they have a place of their own: a bar, or the one line
  // of a chart. Among several lines the legend names the team as (partly) hidden instead.
  function hiddenIndexes(chart) {
    var found = [];
    var line = chart.type === "line";
    if (line && chart.datasets.length > 1) { return found; }
    chart.labels.forEach(function (label, index) {
      if (chart.datasets.some(function (dataset) {
        return dataset.hidden && dataset.hidden[index];
      })) { found.push(index); }
    });
    return found;
  }

  // Hatches the band of every category with a hidden value, behind the bars and lines that
  // are shown, and writes the hidden label in it.
  function hiddenValuesPlugin(chart) {
    return {
      id: "hiddenValues",
      beforeDatasetsDraw: function (drawn) {
        var indexes = hiddenIndexes(chart);
        if (!indexes.length) { return; }
        var context = drawn.ctx;
        var area = drawn.chartArea;
        var scale = chart.horizontal ? drawn.scales.y : drawn.scales.x;
        var band = (chart.horizontal ? area.bottom - area.top : area.right - area.left) /
          Math.max(chart.labels.length, 1);
        var size = Math.max(Math.min(band * 0.8, 80), 6);
        context.save();
        context.font = "12px system-ui, sans-serif";
        indexes.forEach(function (index) {
          var middle = scale.getPixelForValue(index);
          if (chart.horizontal) {
            context.fillStyle = hatch(context);
            context.fillRect(area.left, middle - size / 2, area.right - area.left, size);
            context.fillStyle = LABEL_INK;
            context.textAlign = "right";
            context.textBaseline = "middle";
            context.fillText(chart.hidden_label, area.right - 4, middle);
          } else {
            context.fillStyle = hatch(context);
            context.fillRect(middle - size / 2, area.top, size, area.bottom - area.top);
            context.save();
            context.fillStyle = LABEL_INK;
            context.translate(middle, area.top + 6);
            context.rotate(Math.PI / 2);
            context.textAlign = "left";
            context.textBaseline = "middle";
            context.fillText(chart.hidden_label, 0, 0);
            context.restore();
          }
        });
        context.restore();
      }
    };
  }

  function datasetOf(chart, dataset, index) {
    var line = (dataset.type || chart.type) === "line";
    var tint = colour(index, chart.datasets.length);
    var found = {
      label: dataset.label,
      data: dataset.data,
      backgroundColor: tint,  // opaque: a hatched (hidden) band behind must not show through
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
    return {
      type: chart.type,
      plugins: [hiddenValuesPlugin(chart)],
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, index) {
          return datasetOf(chart, dataset, index);
        })
      },
      options: {
        animation: false,
        responsive: true,
        // The holder's height (CSS, taller on a phone) decides; horizontal bars get taller
        // with more of them.
        maintainAspectRatio: false,
        indexAxis: chart.horizontal ? "y" : "x",
        scales: scales,
        plugins: {
          legend: {
            display: chart.datasets.length > 1 || hiddenIndexes(chart).length > 0,
            position: "bottom",
            labels: {
              generateLabels: function (drawn) {
                var items = window.Chart.defaults.plugins.legend.labels.generateLabels(drawn);
                if (hiddenIndexes(chart).length) {
                  items.push({ text: chart.hidden_label, fillStyle: hatch(drawn.ctx),
                               strokeStyle: HATCH_INK, lineWidth: 1, hidden: false,
                               datasetIndex: -1 });
                }
                return items;
              }
            },
            onClick: function (event, item, legend) {
              if (item.datasetIndex < 0) { return; }
              window.Chart.defaults.plugins.legend.onClick.call(this, event, item, legend);
            }
          },
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
    // A hidden value counts: it is drawn (hatched), so an all-hidden chart is not empty.
    return chart.datasets.some(function (dataset) {
      return dataset.data.some(function (value, index) {
        return value !== null || (dataset.hidden && dataset.hidden[index]);
      });
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
      holder.setAttribute("data-hidden-values", String(hiddenIndexes(chart).length));
      if (chart.horizontal && chart.labels.length > 6) {
        holder.style.height = Math.min(40 + chart.labels.length * 28, 900) + "px";
      }
      new window.Chart(canvas, configOf(chart));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
