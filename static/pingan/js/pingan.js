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
            layoutCenter: ["50%", "50%"],  // fill the card, whatever the area's shape
            layoutSize: "96%",
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

  /* Formsets: "add" clones the empty form, numbering it like Django's formset expects. */
  function addFormsetRow(button) {
    var prefix = button.dataset.formsetAdd;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    document.getElementById(prefix + "-forms").appendChild(holder.firstElementChild);
    total.value = String(index + 1);
  }

  /* Drafts: long forms keep their text in this browser so a closed tab loses nothing.
     Personal identifiers (ID numbers, phones) and files are never stored. */
  var DRAFT_SKIP = /(id_number|phone|csrfmiddlewaretoken|attachments|TOTAL_FORMS|INITIAL_FORMS)/;
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !DRAFT_SKIP.test(el.name) && el.type !== "file" && el.type !== "submit";
    });
  }
  function saveDraft(form) {
    var data = {};
    draftFields(form).forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      data[el.name] = el.value;
    });
    try { localStorage.setItem(form.dataset.draftKey, JSON.stringify(data)); } catch (e) { /* full or disabled */ }
  }
  function restoreDraft(form) {
    var raw = null;
    try { raw = localStorage.getItem(form.dataset.draftKey); } catch (e) { return; }
    if (!raw || form.querySelector(".is-invalid, .text-danger.small")) { return; }
    var data = JSON.parse(raw);
    draftFields(form).forEach(function (el) {
      if (!(el.name in data)) { return; }
      if (el.type === "radio" || el.type === "checkbox") { el.checked = el.value === data[el.name]; }
      else if (!el.value || el.tagName === "SELECT") { el.value = data[el.name]; }
    });
  }

  /* Intake: the category follows the routing panel's top suggestion until the clerk picks one
     (category_auto tells the server the value was not the clerk's choice). */
  function followSuggestedCategory(panel) {
    var select = document.getElementById("id_category");
    var auto = document.getElementById("id_category_auto");
    var suggested = panel.dataset.suggestedCategory;
    if (!select || !auto || !suggested || (select.value && !auto.value)) { return; }
    select.value = suggested;
    auto.value = select.value === suggested ? "1" : "";
  }
  document.addEventListener("htmx:afterSettle", function () {
    var panel = document.getElementById("suggest-panel");
    if (panel) { followSuggestedCategory(panel); }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    // a filter that applies as soon as it is chosen (no inline handler: the CSP forbids them)
    if (target.hasAttribute("data-autosubmit") && target.form) { target.form.requestSubmit(); }
    if (target.id === "id_category") {  // setting .value raises no event: the clerk chose
      var auto = document.getElementById("id_category_auto");
      if (auto) { auto.value = ""; }
    }
    // the panel reads the place, the category and the parties' ID numbers: ask it again when
    // one changes (here, not in an htmx trigger filter, which the CSP's no-eval forbids)
    var host = document.getElementById("suggest-host");
    if (host && (target.id === "id_grid" || target.id === "id_category" ||
                 /id_number$/.test(target.name || ""))) {
      htmx.trigger(host, "pa-suggest");
    }
  });

  /* A region that scrolls (a wide table, a long list) takes keyboard focus, so that it can be
     scrolled without a mouse (WCAG 2.1.1). */
  function focusableScrollers(root) {
    root.querySelectorAll(".table-responsive, .list-group-flush, .pa-checklist").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
      if (scrolls && !el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) { focusableScrollers(event.target); });

  document.addEventListener("DOMContentLoaded", function () {
    focusableScrollers(document);
    document.querySelectorAll("[data-formset-add]").forEach(function (button) {
      button.addEventListener("click", function () { addFormsetRow(button); });
    });
    document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
      var clear = form.querySelector("[data-draft-clear]");
      if (clear) {
        clear.addEventListener("click", function () {
          localStorage.removeItem(form.dataset.draftKey);
          form.reset();
        });
      }
    });
    document.querySelectorAll("[data-draft-done]").forEach(function (el) {
      try { localStorage.removeItem(el.dataset.draftDone); } catch (e) { /* ignore */ }
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-echarts]").forEach(function (el) {
      var chart = echarts.init(el);
      chart.setOption(readJSON(el.dataset.echarts));
      window.addEventListener("resize", function () { chart.resize(); });
    });
    document.querySelectorAll("[data-division-map]").forEach(drawDivisionMap);
    var toggle = document.querySelector("[data-sidebar-toggle]");
    if (toggle) {
      toggle.addEventListener("click", function () {
        document.querySelector(".pa-sidebar").classList.toggle("show");
      });
    }
  });
})();
