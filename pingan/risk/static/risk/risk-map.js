/* The risk heat map: areas coloured by the stored safety index; hover shows the index and its
   top components, click opens the area's page; the slider picks a stored window. */
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function drawRiskMap(el) {
    var labels = readJSON("risk-map-labels");
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.showLoading({ text: labels.loading || "" });
    var url = el.dataset.url + "?level=" + encodeURIComponent(el.dataset.level) +
      "&end=" + encodeURIComponent(el.dataset.end || "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (geojson) {
        chart.hideLoading();
        if (!geojson.features.length) {
          el.innerHTML = '<p class="pa-empty">' + escapeHtml(labels.empty || "") + "</p>";
          return;
        }
        var mapName = "risk-" + el.dataset.level;
        echarts.registerMap(mapName, geojson);
        var data = geojson.features.map(function (f) {
          var p = f.properties;
          return {
            name: p.code,
            value: p.value,
            props: p,
            itemStyle: {
              areaColor: p.hex,
              borderColor: p.hotspot ? "#5a0f08" : "#ffffff",
              borderWidth: p.hotspot ? 1.6 : 0.6
            }
          };
        });
        chart.setOption({
          tooltip: {
            trigger: "item",
            formatter: function (item) {
              var p = item.data && item.data.props;
              if (!p) { return escapeHtml(item.name); }
              var text = "<b>" + escapeHtml(p.name) + "</b><br>";
              if (p.value === null) { return text + escapeHtml(labels.none || ""); }
              text += escapeHtml(labels.index) + " <b>" + p.value.toFixed(1) + "</b> · " +
                escapeHtml(p.colour_label);
              if (p.hotspot) { text += " · " + escapeHtml(labels.hotspot); }
              p.top.forEach(function (c) {
                text += "<br>" + escapeHtml(c.label) + "：" + c.value + "（" +
                  escapeHtml(labels.score) + " " + Math.round(c.score) + "）";
              });
              return text;
            }
          },
          series: [{
            type: "map",
            map: mapName,
            nameProperty: "code",
            roam: true,
            selectedMode: false,
            layoutCenter: ["50%", "50%"],  // fill the card, whatever the area's shape
            layoutSize: "96%",
            data: data,
            label: {
              show: geojson.features.length <= 40,
              formatter: function (item) { return item.data ? item.data.props.name : ""; },
              fontSize: 11,
              color: "#1c2b3a"
            },
            labelLayout: { hideOverlap: true },
            emphasis: {
              itemStyle: { areaColor: "#1f4e8c" },
              label: { show: true, color: "#ffffff" }
            }
          }]
        });
        chart.on("click", function (item) {
          if (item.data && item.data.props && item.data.props.url) {
            window.location.href = item.data.props.url;
          }
        });
        el.dataset.ready = "true";
      })
      .catch(function () {
        chart.hideLoading();
        el.innerHTML = '<p class="pa-empty">' + escapeHtml(labels.failed || "") + "</p>";
      });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  /* The time slider: moving it shows the date; letting go opens that window. */
  function bindSlider(input) {
    var windows = readJSON(input.dataset.windows);
    var output = document.getElementById(input.dataset.output);
    input.addEventListener("input", function () {
      output.textContent = windows[input.value].value;
    });
    input.addEventListener("change", function () {
      var params = new URLSearchParams(window.location.search);
      params.set("end", windows[input.value].value);
      window.location.search = params.toString();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-risk-map]").forEach(drawRiskMap);
    document.querySelectorAll("[data-risk-slider]").forEach(bindSlider);
  });
})();
