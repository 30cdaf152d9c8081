/* Small read-only maps (the admin's unit and notable-point pages): a marker on the configured base map.
 * When the base cannot load (offline, blocked) or none is configured, the map turns to a blank base with
 * the outlines of the municipalities of the place's UF (IBGE 2022), the place's own municipality marked. */
(function () {
  "use strict";

  function outlines(map, el) {
    if (!el.dataset.uf) return;
    fetch(el.dataset.contornos + el.dataset.uf + ".geojson")
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var own = null;
        L.geoJSON(data, {
          onEachFeature: function (f, layer) { if (f.properties.cod_ibge === el.dataset.municipio) own = layer; },
          interactive: false,
          style: function (f) {
            var own = f.properties.cod_ibge === el.dataset.municipio;
            return { color: own ? "#1c7ed6" : "#868e96", weight: own ? 2.5 : 1, fill: own, fillOpacity: 0.06 };
          },
        }).addTo(map);
        // Without a base map a street-level view is empty: show the place within its municipality.
        if (own) map.fitBounds(own.getBounds(), { maxZoom: 13, padding: [10, 10] });
      });
  }

  function blank(map, el, why) {
    if (el.classList.contains("sem-base")) return;
    el.classList.add("sem-base");
    var note = L.control({ position: "bottomleft" });
    note.onAdd = function () {
      var div = L.DomUtil.create("div", "yo-mapa-aviso");
      div.textContent = why;
      return div;
    };
    note.addTo(map);
    outlines(map, el);
  }

  function init(el) {
    var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
    var map = L.map(el, { scrollWheelZoom: false }).setView([lat, lon], 15);
    if (el.dataset.tiles) {
      var tiles = L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.atribuicao || "" });
      tiles.on("tileerror", function () {
        map.removeLayer(tiles);
        blank(map, el, "Mapa de fundo indisponível: contornos municipais (IBGE 2022)");
      });
      tiles.addTo(map);
    } else {
      blank(map, el, "Contornos municipais (IBGE 2022)");
    }
    L.circleMarker([lat, lon], { radius: 8, color: "#c92a2a", weight: 2, fillOpacity: 0.6 })
      .bindTooltip(el.dataset.rotulo || "", { permanent: false })
      .addTo(map);
    el.mapa = map;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".yo-mapa").forEach(init);
  });
})();
