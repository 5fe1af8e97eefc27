/* Pingan page behaviour. No inline scripts (CSP): pages opt in through data attributes. */
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  /* A map of org-tree polygons from a GeoJSON URL; hover names the area, click drills down. */
  function drawDivisionMap(el) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var labels = readJSON("pa-map-labels");
    chart.showLoading({ text: labels.loading || "" });
    fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (geojson) {
        chart.hideLoading();
        if (!geojson.features.length) {
          el.innerHTML = '<p class="pa-empty">' + (labels.empty || "") + "</p>";
          return;
        }
        var mapName = "pa-" + el.dataset.key;
        echarts.registerMap(mapName, geojson);
        var data = geojson.features.map(function (f) {
          return { name: f.properties.code, value: f.properties.children, props: f.properties };
        });
        chart.setOption({
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              var props = p.data && p.data.props;
              if (!props) { return p.name; }
              var text = "<b>" + props.name + "</b><br>" + props.level + " · " + props.code;
              if (props.children) { text += "<br>" + labels.children + "：" + props.children; }
              return text;
            }
          },
          series: [{
            type: "map",
            map: mapName,
            nameProperty: "code",
            roam: true,
            selectedMode: false,
            data: data,
            label: {
              show: geojson.features.length <= 40,
              formatter: function (p) { return p.data ? p.data.props.name : ""; },
              fontSize: 11,
              color: "#1c2b3a"
            },
            itemStyle: { areaColor: "#dce6f2", borderColor: "#1f4e8c", borderWidth: 0.8 },
            labelLayout: { hideOverlap: true },
            emphasis: {
              itemStyle: { areaColor: "#9fbbe0" },
              label: { show: true, color: "#0b1f36" }
            }
          }]
        });
        chart.on("click", function (p) {
          if (p.data && p.data.props && p.data.props.url) { window.location.href = p.data.props.url; }
        });
      })
      .catch(function () {
        chart.hideLoading();
        el.innerHTML = '<p class="pa-empty">' + (labels.failed || "") + "</p>";
      });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-division-map]").forEach(drawDivisionMap);
    var toggle = document.querySelector("[data-sidebar-toggle]");
    if (toggle) {
      toggle.addEventListener("click", function () {
        document.querySelector(".pa-sidebar").classList.toggle("show");
      });
    }
  });
})();
