// critmin dashboard: draw every Plotly figure the server sent as JSON in a data-figure attribute,
// on first load and after each htmx swap. Geo charts take their base map from this server.
(function () {
  "use strict";
  var script = document.getElementById("critmin-js");
  var config = {
    responsive: true,
    displaylogo: false,
    topojsonURL: (script && script.dataset.topojsonUrl) || "/static/topojson/"
  };

  function draw(root) {
    var plots = (root || document).querySelectorAll(".plot[data-figure]:not([data-drawn])");
    plots.forEach(function (el) {
      el.setAttribute("data-drawn", "pending");
      var figure = JSON.parse(el.getAttribute("data-figure"));
      Plotly.newPlot(el, figure.data, figure.layout || {}, config).then(function () {
        el.setAttribute("data-drawn", "yes");
      }, function (err) {
        el.setAttribute("data-drawn", "failed");
        el.textContent = "This chart could not be drawn: " + err;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
