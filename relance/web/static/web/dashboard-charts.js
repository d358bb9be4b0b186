/* The dashboard's charts, drawn by Chart.js from the #dashboard-charts JSON: the aging, then one
   chart per group of KPIs sharing a unit (every KPI's 12 months); without JavaScript the tables
   say the same. A static file (not inline) for the Content-Security-Policy. */
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") return;
  var data = JSON.parse(document.getElementById("dashboard-charts").textContent);
  var lang = document.documentElement.lang || "fr";
  var money = new Intl.NumberFormat(lang, {maximumFractionDigits: 0});
  var cents = new Intl.NumberFormat(lang, {minimumFractionDigits: 2, maximumFractionDigits: 2});
  var tenth = new Intl.NumberFormat(lang, {maximumFractionDigits: 1});
  var colours = ["#4a7fb5", "#d9534f", "#5cb85c", "#8e6c8a", "#f0ad4e"];
  var months = data.months.map(function (day) {
    return new Date(day + "T00:00:00").toLocaleDateString(lang, {month: "short", year: "2-digit"});
  });
  var ticks = {
    money: function (v) { return money.format(v); },
    cost: function (v) { return cents.format(v); },
    j: function (v) { return tenth.format(v) + " " + data.labels.days; },
    "%": function (v) { return tenth.format(v) + " %"; }
  };
  data.charts.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: months,
        datasets: spec.series.map(function (series, index) {
          var colour = colours[index % colours.length];
          return {label: series.label, data: series.data, backgroundColor: colour, borderColor: colour, spanGaps: true};
        })
      },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: {y: {beginAtZero: true, ticks: {callback: ticks[spec.unit]}}}
      }
    });
  });
  new Chart(document.getElementById("chart-aging"), {
    type: "bar",
    data: {labels: data.aging_labels, datasets: [{label: data.labels.amount, data: data.aging, backgroundColor: ["#5cb85c", "#f0ad4e", "#ec971f", "#d9534f", "#c9302c", "#8b1e1b"]}]},
    options: {animation: false, maintainAspectRatio: false, indexAxis: "y", plugins: {legend: {display: false}},
              scales: {x: {beginAtZero: true, ticks: {callback: ticks.money}}}}
  });
});
