// The cash-in chart of the forecast page, drawn by Chart.js from the #cash-in-chart JSON: bars
// per period (expected, at the due date), lines for the running totals with the expected one's
// range as a band. Without JavaScript the table under it says the same. A static file: the
// Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") return;
  var data = JSON.parse(document.getElementById("cash-in-chart").textContent);
  var money = new Intl.NumberFormat(document.documentElement.lang || "fr", {maximumFractionDigits: 0});
  var n = data.names;
  new Chart(document.getElementById("chart-cash-in"), {
    data: {
      labels: data.labels,
      datasets: [
        {type: "bar", label: n.expected, data: data.expected, yAxisID: "period", backgroundColor: "#4a7fb5"},
        {type: "bar", label: n.naive, data: data.naive, yAxisID: "period", backgroundColor: "#c7c7c7"},
        {type: "line", label: n.low, data: data.low, yAxisID: "total", borderColor: "rgba(74,127,181,0.35)", pointRadius: 0, fill: false},
        {type: "line", label: n.high, data: data.high, yAxisID: "total", borderColor: "rgba(74,127,181,0.35)", backgroundColor: "rgba(74,127,181,0.15)", pointRadius: 0, fill: "-1"},
        {type: "line", label: n.cumulative, data: data.cumulative, yAxisID: "total", borderColor: "#1f4e79", backgroundColor: "#1f4e79"},
        {type: "line", label: n.cumulative_naive, data: data.cumulative_naive, yAxisID: "total", borderColor: "#888", backgroundColor: "#888", borderDash: [6, 4]}
      ]
    },
    options: {
      animation: false, maintainAspectRatio: false,
      interaction: {mode: "index", intersect: false},
      scales: {
        period: {position: "left", beginAtZero: true, title: {display: true, text: n.period}, ticks: {callback: function (v) { return money.format(v); }}},
        total: {position: "right", beginAtZero: true, grid: {drawOnChartArea: false}, title: {display: true, text: n.total}, ticks: {callback: function (v) { return money.format(v); }}}
      }
    }
  });
});
