/* The analysts' map (/mapa/): units as vector tiles, a heat map of their energy, municipalities coloured
 * by a figure, the filters of the list, a drawn selection (totals, list, export, saved selections) and a
 * unit's panel. State lives in the address's query string, so a link reproduces the view. */
(function () {
  "use strict";

  var C = JSON.parse(document.getElementById("mapa-config").textContent);
  var NUM = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 0 });
  var DEC = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 2 });
  var MESES = ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"];
  var CLASSES = { RE: ["Residencial", "#4dabf7"], CO: ["Comercial", "#f76707"], IN: ["Industrial", "#c92a2a"],
    RU: ["Rural", "#37b24d"], PP: ["Poder público", "#7048e8"], IP: ["Iluminação pública", "#fab005"],
    SP: ["Serviço público", "#1098ad"], CP: ["Consumo próprio", "#868e96"] };
  var PALETA = ["#1c7ed6", "#f76707", "#37b24d", "#c92a2a", "#7048e8", "#fab005", "#1098ad", "#d6336c",
    "#5c940d", "#862e9c", "#e8590c", "#0b7285"];
  var RAMPA = ["#fff3bf", "#ffd43b", "#fd7e14", "#e8590c", "#c92a2a"];
  var SCORE = [[0, "#adb5bd", "sem score"], [1, "#74c0fc", "1–39"], [40, "#ffd43b", "40–59"],
    [60, "#fd7e14", "60–79"], [80, "#c92a2a", "80–100"]];
  var DIC = [[0, "#37b24d", "até 1 h"], [1, "#ffd43b", "1–4 h"], [4, "#fd7e14", "4–10 h"], [10, "#c92a2a", "mais de 10 h"]];

  var el, form;  // set when the document is read (the script loads in its head)
  var $ = function (id) { return document.getElementById(id); };
  var map, grade, rede, calor, municipios, desenho, marcador, area = null, proximo = null, dadosCalor = {};

  function fmt(v, dec) { return v === null || v === undefined ? "—" : (dec ? DEC : NUM).format(v); }
  function energia(kwh) {
    if (kwh === null || kwh === undefined) return "—";
    return kwh >= 1e6 ? DEC.format(kwh / 1e6) + " GWh" : kwh >= 1e3 ? DEC.format(kwh / 1e3) + " MWh" : NUM.format(kwh) + " kWh";
  }
  function esc(text) { var d = document.createElement("div"); d.textContent = text === null || text === undefined ? "" : String(text); return d.innerHTML; }

  // --- Filters and the address -------------------------------------------------------------------

  function filtros() {
    var out = {};
    new FormData(form).forEach(function (v, k) { if (String(v).trim() !== "") out[k] = String(v).trim(); });
    if (out.score_min !== undefined) {  // a minimum score is the chosen offer's: score_<oferta>_min
      if (out.oferta) out["score_" + out.oferta + "_min"] = out.score_min;
      delete out.score_min;
    }
    return out;
  }
  function campos() {  // the form as typed, for the address
    var out = {};
    new FormData(form).forEach(function (v, k) { if (String(v).trim() !== "") out[k] = String(v).trim(); });
    return out;
  }
  function qs(params) {
    return Object.keys(params).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }).join("&");
  }
  function gravarEndereco() {
    var p = campos(), c = map.getCenter();
    p.z = map.getZoom(); p.lat = c.lat.toFixed(5); p.lon = c.lng.toFixed(5);
    p.cor = $("cor").value;
    if (!$("camada-unidades").checked) p.unidades = "0";
    if ($("camada-calor").checked) p.calor = "1";
    if ($("camada-rede").checked) p.rede = "1";
    if ($("camada-municipios").checked) p.municipios = $("metrica").value;
    if (area && area.selecao) p.selecao = area.selecao;
    else if (area) p.area = JSON.stringify(area.geojson);
    history.replaceState(null, "", "?" + qs(p));
  }
  function lerEndereco() {
    var p = new URLSearchParams(location.search);
    Array.prototype.forEach.call(form.elements, function (f) { if (f.name && p.has(f.name)) f.value = p.get(f.name); });
    if (p.has("cor")) $("cor").value = p.get("cor");
    if (p.get("unidades") === "0") $("camada-unidades").checked = false;
    if (p.get("calor") === "1") $("camada-calor").checked = true;
    if (p.get("rede") === "1") $("camada-rede").checked = true;
    if (p.has("municipios")) { $("camada-municipios").checked = true; $("metrica").value = p.get("municipios"); }
    return p;
  }

  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ Accept: "application/json", "X-CSRFToken": C.csrf }, options.headers || {});
    if (options.json !== undefined) {
      options.body = JSON.stringify(options.json);
      options.headers["Content-Type"] = "application/json";
      delete options.json;
    }
    return fetch(url, options).then(function (r) {
      if (r.status === 204) return null;
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(mensagem(body));
        return body;
      });
    });
  }
  function mensagem(body) {
    if (!body || typeof body !== "object") return "erro";
    return Object.keys(body).map(function (k) {
      var v = body[k];
      return (k === "detail" ? "" : k + ": ") + (Array.isArray(v) ? v.join("; ") : typeof v === "object" ? JSON.stringify(v) : v);
    }).join(" · ");
  }
  function aviso() {  // what the filters leave out, said rather than ignored silently
    return form.elements.score_min.value && !form.elements.oferta.value ? "O score mínimo vale para uma oferta: escolha qual." : "";
  }
  function erro(id, text) { var p = $(id); p.textContent = text || ""; p.hidden = !text; }

  // --- Base map -----------------------------------------------------------------------------------

  function semBase(why) {
    if (el.classList.contains("sem-base")) return;
    el.classList.add("sem-base");
    var note = L.control({ position: "bottomleft" });
    note.onAdd = function () { var d = L.DomUtil.create("div", "mapa-aviso"); d.textContent = why; return d; };
    note.addTo(map);
    var ufs = filtros().uf ? [filtros().uf] : C.ufs_com_dados;
    ufs.forEach(function (uf) {
      fetch(C.contornos + uf + ".geojson").then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (data) L.geoJSON(data, { pane: "contornos", interactive: false, style: { color: "#adb5bd", weight: 0.8, fill: false } }).addTo(map);
      });
    });
  }

  // --- Units: vector tiles ------------------------------------------------------------------------

  function corUnidade(p) {
    var modo = $("cor").value;
    if (modo === "classe") { var c = CLASSES[(p.classe || "").slice(0, 2)]; return c ? c[1] : "#868e96"; }
    if (modo === "segmento") {
      var i = C.segmentos.indexOf(p.segmento);
      return i < 0 ? "#868e96" : PALETA[i % PALETA.length];
    }
    var escala = modo === "score" ? SCORE : DIC, v = modo === "score" ? p.score : p.media_dic, cor = escala[0][1];
    if (v === null || v === undefined) return "#adb5bd";
    escala.forEach(function (s) { if (v >= s[0]) cor = s[1]; });
    return cor;
  }
  function estiloUnidade(p, zoom) {
    var r = zoom >= 16 ? 6 : zoom >= 14 ? 4.5 : 3.5;
    return { radius: r, fill: true, fillColor: corUnidade(p), fillOpacity: 0.85, color: "#212529", weight: 0.6 };
  }
  function estiloCelula(p) {
    var n = p.unidades || 1;
    return { radius: Math.min(3 + Math.log(n + 1) * 1.6, 14), fill: true, fillColor: "#1c7ed6", fillOpacity: 0.45,
      color: "#1864ab", weight: 0.6 };
  }

  var Grade = L.VectorGrid.Protobuf.extend({
    // The decoded tile is shared with the heat map before the grid draws it.
    _getVectorTilePromise: function (coords, tile) {
      var self = this;
      return L.VectorGrid.Protobuf.prototype._getVectorTilePromise.call(this, coords, tile).then(function (json) {
        self.fire("decodificado", { coords: coords, json: json });
        return json;
      });
    },
    // A point has no latitude of its own (it is drawn in tile pixels): Leaflet 1.9 reads the event's
    // position off a marker-like target, so the mouse's position is used instead (VectorGrid issue 148).
    _createLayer: function (feat, pxPerExtent, style) {
      var layer = L.VectorGrid.Protobuf.prototype._createLayer.call(this, feat, pxPerExtent, style);
      if (feat.type === 1) layer.getLatLng = null;
      return layer;
    },
  });

  function urlTiles() {
    var q = qs(filtros());
    return C.tiles + (q ? "?" + q : "");
  }

  function montarGrade() {
    grade = new Grade(urlTiles(), {
      rendererFactory: L.svg.tile,
      interactive: true,
      maxNativeZoom: 18,
      getFeatureId: function (f) { return f.properties.uc_id; },
      vectorTileLayerStyles: { unidades: estiloUnidade, celulas: estiloCelula },
    });
    grade.on("decodificado", function (e) {
      var pontos = [], n = 0, coords = e.coords;
      Object.keys(e.json.layers).forEach(function (nome) {
        var camada = e.json.layers[nome], ext = camada.extent || 4096;
        (camada.features || []).forEach(function (f) {
          var g = f.geometry && f.geometry[0] && f.geometry[0][0];
          if (!g) return;
          n += nome === "unidades" ? 1 : f.properties.unidades || 0;
          var ll = map.unproject(L.point((coords.x + g.x / ext) * 256, (coords.y + g.y / ext) * 256), coords.z);
          pontos.push([ll.lat, ll.lng, f.properties.energia_anual_kwh || 0]);
        });
      });
      dadosCalor[coords.z + "/" + coords.x + "/" + coords.y] = { z: coords.z, pontos: pontos, n: n };
    });
    grade.on("load", function () {
      var z = map.getZoom(), n = 0;
      Object.keys(dadosCalor).forEach(function (k) { if (dadosCalor[k].z !== z) delete dadosCalor[k]; else n += dadosCalor[k].n; });
      el.dataset.unidadesTiles = n;
      el.dataset.carregado = String(Number(el.dataset.carregado || 0) + 1);
      desenharCalor();
    });
    grade.on("click", function (e) {
      if (e.layer && e.layer.properties && e.layer.properties.uc_id) abrirUnidade(e.layer.properties.uc_id);
    });
    if ($("camada-unidades").checked) grade.addTo(map);
  }

  // --- The network: notable points and transformers at street zoom ---------------------------------------

  var REDE = { trafo: "#212529", ponto: "#868e96" };
  function urlRede() {
    var f = filtros(), q = qs(Object.keys(f).filter(function (k) { return k === "distribuidora" || k === "ano"; })
      .reduce(function (o, k) { o[k] = f[k]; return o; }, {}));
    return C.rede + (q ? "?" + q : "");
  }
  function montarRede() {
    rede = new Grade(urlRede(), {
      rendererFactory: L.svg.tile,
      interactive: true,
      minZoom: C.rede_zoom,
      maxNativeZoom: 18,
      pane: "overlayPane",
      vectorTileLayerStyles: {
        rede: function (p) {
          var trafo = p.fonte === "UNTRMT";
          return { radius: trafo ? 5 : 2.5, fill: true, fillColor: trafo ? REDE.trafo : REDE.ponto, fillOpacity: p.ficticio ? 0.35 : 0.9,
            color: trafo ? "#fcc419" : "#495057", weight: trafo ? 2 : 0.5 };
        },
      },
    });
    rede.on("click", function (e) {
      var p = e.layer && e.layer.properties;
      if (!p) return;
      var nome = p.fonte === "UNTRMT" ? "Transformador" : "Ponto notável";
      L.popup().setLatLng(e.latlng).setContent("<b>" + nome + " " + esc(p.cod_id) + "</b><br>" + esc(p.unidades) +
        " unidade(s) ligada(s)" + (p.ficticio ? "<br>ponto fictício (apoio do desenho)" : "") + "<br>" + esc(p.distribuidora) + " · " + esc(p.ano)).openOn(map);
    });
    if ($("camada-rede").checked) rede.addTo(map);
  }

  function legenda() {
    var modo = $("cor").value, itens = [];
    if (modo === "classe") itens = Object.keys(CLASSES).map(function (k) { return CLASSES[k]; });
    else if (modo === "segmento") itens = C.segmentos.map(function (s, i) { return [C.nomes_segmentos[i], PALETA[i % PALETA.length]]; });
    else itens = (modo === "score" ? SCORE : DIC).map(function (s) { return [s[2], s[1]]; });
    $("legenda").innerHTML = "<b>Unidades por " + esc($("cor").selectedOptions[0].textContent) + "</b>" +
      itens.map(function (i) { return '<span><i style="background:' + i[1] + '"></i>' + esc(i[0]) + "</span>"; }).join("") +
      '<span><i style="background:#1c7ed6;opacity:.6"></i>célula (abaixo do zoom ' + C.pontos_zoom + "; tamanho = unidades)</span>" +
      ($("camada-rede").checked ? '<span><i style="background:' + REDE.trafo + ';border:2px solid #fcc419"></i>transformador</span>' +
        '<span><i style="background:' + REDE.ponto + '"></i>ponto notável (zoom ' + C.rede_zoom + "+)</span>" : "");
  }

  // --- Heat map -----------------------------------------------------------------------------------

  function desenharCalor() {
    if (!$("camada-calor").checked) { if (calor) map.removeLayer(calor); return; }
    var pts = [], max = 0;
    Object.keys(dadosCalor).forEach(function (k) { pts = pts.concat(dadosCalor[k].pontos); });
    pts.forEach(function (p) { if (p[2] > max) max = p[2]; });
    var dados = pts.map(function (p) { return [p[0], p[1], max ? Math.sqrt(p[2] / max) : 0]; });
    if (!calor) calor = L.heatLayer(dados, { radius: 24, blur: 18, maxZoom: 12, max: 0.6, minOpacity: 0.25 });
    else calor.setLatLngs(dados);
    if (!map.hasLayer(calor)) calor.addTo(map);
  }

  // --- Municipalities -----------------------------------------------------------------------------

  var geoUF = {};
  function desenharMunicipios() {
    if (municipios) { map.removeLayer(municipios); municipios = null; }
    $("legenda-municipios").innerHTML = "";
    if (!$("camada-municipios").checked) return;
    var f = filtros(), ufs = f.uf ? [f.uf] : C.ufs_com_dados, metrica = $("metrica").value;
    if (!ufs.length) { $("legenda-municipios").textContent = "Sem municípios com unidades."; return; }
    var pedidos = ufs.map(function (uf) {
      var geo = geoUF[uf] || fetch(C.contornos + uf + ".geojson").then(function (r) { return r.json(); });
      geoUF[uf] = geo;
      return Promise.all([geo, api(C.municipios + "?" + qs(Object.assign({}, f, { uf: uf })))]);
    });
    Promise.all(pedidos).then(function (partes) {
      var valores = {}, feicoes = [];
      partes.forEach(function (p) {
        p[1].forEach(function (row) { valores[row.codigo] = row; });
        feicoes = feicoes.concat(p[0].features);
      });
      var lista = Object.keys(valores).map(function (k) { return valores[k][metrica]; }).filter(function (v) { return v !== null; }).sort(function (a, b) { return a - b; });
      var cortes = [0.2, 0.4, 0.6, 0.8].map(function (q) { return lista.length ? lista[Math.floor(q * (lista.length - 1))] : 0; });
      function cor(v) {
        if (v === null || v === undefined) return null;
        var i = 0; cortes.forEach(function (c) { if (v > c) i++; });
        return RAMPA[i];
      }
      municipios = L.geoJSON({ type: "FeatureCollection", features: feicoes }, {
        pane: "municipios",
        style: function (ft) {
          var row = valores[ft.properties.cod_ibge], c = row ? cor(row[metrica]) : null;
          return { color: "#868e96", weight: 0.6, fillColor: c || "#fff", fillOpacity: c ? 0.65 : 0 };
        },
        onEachFeature: function (ft, layer) {
          var row = valores[ft.properties.cod_ibge];
          layer.bindTooltip(esc(ft.properties.nome) + (row ? ": " + valorMetrica(metrica, row[metrica]) + " (" + fmt(row.unidades) + " unidades)" : ": sem unidades"));
        },
      }).addTo(map);
      var nome = $("metrica").selectedOptions[0].textContent, bordas = [lista[0]].concat(cortes);
      $("legenda-municipios").className = "legenda-mapa faixa";
      $("legenda-municipios").innerHTML = "<b>Municípios por " + esc(nome) + "</b>" + (lista.length ? RAMPA.map(function (c, i) {
        return '<span><i style="background:' + c + '"></i>' + (i === 0 ? "até " + valorMetrica(metrica, cortes[0]) : "acima de " + valorMetrica(metrica, bordas[i])) + "</span>";
      }).join("") : "<span>sem valores</span>");
    }).catch(function (e) { $("legenda-municipios").textContent = "Municípios: " + e.message; });
  }
  function valorMetrica(m, v) {
    if (v === null || v === undefined) return "—";
    if (m === "energia_anual_kwh") return energia(v);
    if (m === "pct_livre") return fmt(v, true) + " %";
    if (m === "media_dic") return fmt(v, true) + " h";
    return fmt(v, m === "media_fic");
  }

  // --- Totals of the visible area -----------------------------------------------------------------

  var pedidoTotais = 0;
  function totais() {
    var b = map.getBounds(), id = ++pedidoTotais;
    var box = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)]
      .map(function (v) { return v.toFixed(5); }).join(",");
    api(C.resumo + "?" + qs(Object.assign({}, filtros(), { bbox: box }))).then(function (r) {
      if (id !== pedidoTotais) return;
      erro("erro-filtros", aviso());
      preencherTotais($("totais"), r);
    }).catch(function (e) { erro("erro-filtros", e.message); });
  }
  function preencherTotais(box, r) {
    box.querySelectorAll("[data-campo]").forEach(function (b) {
      var k = b.dataset.campo, v = r[k];
      b.textContent = k === "energia_anual_kwh" ? energia(v) : k === "demanda_pico_kw" ? (v === null ? "—" : fmt(v) + " kW")
        : k === "media_dic" ? (v === null ? "—" : fmt(v, true) + " h") : fmt(v, k !== "unidades");
    });
  }

  // --- Selection ----------------------------------------------------------------------------------

  function circuloPoligono(c, raio) {  // a circle as a 64-vertex polygon (the API takes polygons)
    var ring = [], lat = c.lat * Math.PI / 180;
    for (var i = 0; i <= 64; i++) {
      var a = (i % 64) / 64 * 2 * Math.PI;
      ring.push([+(c.lng + raio * Math.cos(a) / (111320 * Math.cos(lat))).toFixed(6), +(c.lat + raio * Math.sin(a) / 110574).toFixed(6)]);
    }
    return { type: "Polygon", coordinates: [ring] };
  }
  function geometria(layer) {
    if (layer instanceof L.Circle) return circuloPoligono(layer.getLatLng(), layer.getRadius());
    var g = layer.toGeoJSON(6).geometry;
    return g;
  }
  function paramsSelecao() { return Object.assign({}, filtros(), { poligono: JSON.stringify(area.geojson) }); }

  function selecionar(geojson, selecao) {
    area = { geojson: geojson, selecao: selecao || null };
    $("selecao").hidden = false;
    $("selecao-dica").hidden = true;
    mostrar($("painel-selecao"));
    erro("erro-selecao", "");
    $("exportacao").hidden = true;
    gravarEndereco();
    api(C.resumo + "?" + qs(paramsSelecao())).then(function (r) {
      var cards = [["unidades", "Unidades", fmt(r.unidades)], ["energia", "Energia", energia(r.energia_anual_kwh)],
        ["demanda", "Demanda", r.demanda_pico_kw === null ? "—" : fmt(r.demanda_pico_kw) + " kW"],
        ["dic", "DIC médio", r.media_dic === null ? "—" : fmt(r.media_dic, true) + " h"], ["fic", "FIC médio", fmt(r.media_fic, true)]];
      $("selecao-totais").innerHTML = cards.map(function (c) { return '<div class="card" data-total="' + c[0] + '">' + c[1] + "<b>" + c[2] + "</b></div>"; }).join("");
      area.unidades = r.unidades;
      tabelaGrupos($("por-classe"), "Por classe", r.por_classe);
      tabelaGrupos($("por-segmento"), "Por segmento", r.por_segmento);
    }).catch(function (e) { erro("erro-selecao", e.message); });
    listar(true);
  }
  function tabelaGrupos(t, titulo, rows) {
    t.innerHTML = "<caption>" + titulo + "</caption><tr><th></th><th class='n'>unid.</th><th class='n'>energia</th></tr>" +
      rows.slice(0, 8).map(function (r) {
        return "<tr><td>" + esc(r.nome || r.codigo || "sem") + "</td><td class='n'>" + fmt(r.unidades) + "</td><td class='n'>" + energia(r.energia_anual_kwh) + "</td></tr>";
      }).join("");
  }
  function listar(inicio) {
    var tbody = $("lista").querySelector("tbody");
    var url = inicio ? C.lista + "?" + qs({ ordering: $("sentido").value + $("ordem").value, page_size: 50 }) : proximo;
    if (inicio) tbody.innerHTML = "";
    if (!url) return;
    var body = paramsSelecao();
    api(url, { method: "POST", json: body }).then(function (page) {
      page.results.forEach(function (u) {
        var tr = document.createElement("tr");
        tr.dataset.uc = u.uc_id;
        var melhor = Math.max.apply(null, [u.score_acl, u.score_arbitragem, u.score_backup, u.score_gtd].map(function (s) { return s === null ? -1 : s; }));
        tr.innerHTML = "<td title='" + esc(u.cod_id) + "'>" + esc(u.cod_id) + "<small>" + esc(u.municipio_nome || "") + "</small></td><td>" + esc(u.classe_consumo || "") +
          "</td><td class='n'>" + fmt(u.energia_anual_kwh) + "</td><td class='n'>" + fmt(u.demanda_pico_kw) + "</td><td class='n'>" + fmt(u.media_dic, true) +
          "</td><td class='n'>" + (melhor < 0 ? "—" : melhor) + "</td>";
        tr.addEventListener("click", function () { abrirUnidade(u.uc_id, true); });
        tbody.appendChild(tr);
      });
      proximo = page.next;
      $("mais").hidden = !proximo;
      $("lista-nota").textContent = "Ordenada por " + $("ordem").selectedOptions[0].textContent + ": unidades sem esse valor ficam fora da lista (a exportação as traz no fim).";
    }).catch(function (e) { erro("erro-selecao", e.message); });
  }

  function exportar(formato) {
    if (!area) return;
    var estado = $("exportacao-estado"), barra = $("exportacao-progresso");
    $("exportacao").hidden = false;
    barra.value = 0; estado.textContent = "na fila…";
    var filtrosJob = Object.assign(paramsSelecao(), { ordering: $("sentido").value + $("ordem").value });
    api(C.exportacoes, { method: "POST", json: { formato: formato, filtros: filtrosJob } }).then(function (job) {
      var url = C.exportacoes + job.id + "/";
      (function acompanhar() {
        api(url).then(function (j) {
          var total = area.unidades || 0;
          barra.value = total ? Math.min(100, 100 * j.linhas_escritas / total) : 0;
          if (j.status === "completed") {
            barra.value = 100;
            estado.innerHTML = fmt(j.linhas_escritas) + " linhas · <a id='baixar' href='" + esc(j.arquivo_url) + "'>baixar " + formato.toUpperCase() + "</a>";
          } else if (j.status === "failed") {
            estado.textContent = "falhou: " + (j.erro || "");
          } else {
            estado.textContent = (j.status === "running" ? "escrevendo… " : "na fila… ") + fmt(j.linhas_escritas) + " linhas";
            setTimeout(acompanhar, 800);
          }
        }).catch(function (e) { estado.textContent = e.message; });
      })();
    }).catch(function (e) { estado.textContent = e.message; });
  }

  function listarSalvas() {
    api(C.selecoes).then(function (rows) {
      var ul = $("salvas");
      ul.innerHTML = rows.length ? "" : "<li class='dica'>nenhuma ainda</li>";
      rows.forEach(function (s) {
        var li = document.createElement("li"), a = document.createElement("a"), x = document.createElement("button");
        a.href = "?selecao=" + s.id; a.textContent = s.nome; a.dataset.id = s.id;
        a.addEventListener("click", function (ev) { ev.preventDefault(); abrirSelecao(s.id); });
        x.type = "button"; x.textContent = "excluir"; x.title = "excluir a seleção " + s.nome;
        x.addEventListener("click", function () {
          fetch(C.selecoes + s.id + "/", { method: "DELETE", credentials: "same-origin", headers: { "X-CSRFToken": C.csrf } }).then(listarSalvas);
        });
        li.appendChild(a); li.appendChild(x); ul.appendChild(li);
      });
    });
  }
  function abrirSelecao(id) {
    api(C.selecoes + id + "/").then(function (s) {
      Array.prototype.forEach.call(form.elements, function (f) { if (f.name) f.value = ""; });
      Object.keys(s.filtros || {}).forEach(function (k) {
        var m = /^score_(.+)_min$/.exec(k);
        if (m) { form.elements.oferta.value = m[1]; form.elements.score_min.value = s.filtros[k]; }
        else if (form.elements[k]) form.elements[k].value = s.filtros[k];
      });
      desenho.clearLayers();
      var layer = L.geoJSON(s.geometria, { style: { color: "#e8590c", weight: 2, fillOpacity: 0.08, className: "yo-selecao" } });
      layer.eachLayer(function (l) { desenho.addLayer(l); });
      map.fitBounds(layer.getBounds(), { maxZoom: 16 });
      $("salvar").elements.nome.value = s.nome;
      aplicar(false);
      selecionar(s.geometria, s.id);
      $("painel-selecao").open = true;
      $("selecao").dataset.aberta = s.nome;
    }).catch(function (e) { erro("erro-selecao", "Seleção " + id + ": " + e.message); $("selecao").hidden = false; });
  }

  // --- Unit panel ---------------------------------------------------------------------------------

  function grafico(titulo, series, unidade) {
    // Bars of 12 months (a second series as a line), on one scale, as a small SVG.
    var W = 300, H = 92, pad = 14, passo = (W - 2 * pad) / 12, todos = [];
    series.forEach(function (s) { s.valores.forEach(function (v) { if (v !== null && v !== undefined) todos.push(v); }); });
    var topo = Math.max.apply(null, todos.concat([0.0001]));
    var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("class", "grafico");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", titulo);
    function y(v) { return H - pad - (v / topo) * (H - 2 * pad); }
    series.forEach(function (s, si) {
      if (si === 0) {
        s.valores.forEach(function (v, i) {
          var r = document.createElementNS(ns, "rect");
          var h = v ? (v / topo) * (H - 2 * pad) : 0;
          r.setAttribute("x", (pad + i * passo + passo * 0.15).toFixed(1));
          r.setAttribute("width", (passo * 0.7).toFixed(1));
          r.setAttribute("y", (H - pad - h).toFixed(1));
          r.setAttribute("height", h.toFixed(1));
          r.setAttribute("fill", s.cor);
          var t = document.createElementNS(ns, "title");
          t.textContent = MESES[i] + ": " + (v === null || v === undefined ? "sem dado" : fmt(v, true) + " " + unidade);
          r.appendChild(t);
          svg.appendChild(r);
        });
      } else {
        var pts = s.valores.map(function (v, i) { return v === null || v === undefined ? null : (pad + (i + 0.5) * passo).toFixed(1) + "," + y(v).toFixed(1); }).filter(Boolean);
        var pl = document.createElementNS(ns, "polyline");
        pl.setAttribute("points", pts.join(" "));
        pl.setAttribute("fill", "none"); pl.setAttribute("stroke", s.cor); pl.setAttribute("stroke-width", "2");
        svg.appendChild(pl);
      }
    });
    MESES.forEach(function (m, i) {
      if (i % 2) return;
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", (pad + (i + 0.5) * passo).toFixed(1)); t.setAttribute("y", H - 2);
      t.setAttribute("font-size", "9"); t.setAttribute("text-anchor", "middle"); t.setAttribute("fill", "#6c757d");
      t.textContent = m; svg.appendChild(t);
    });
    var topoT = document.createElementNS(ns, "text");
    topoT.setAttribute("x", 2); topoT.setAttribute("y", 10); topoT.setAttribute("font-size", "9"); topoT.setAttribute("fill", "#495057");
    topoT.textContent = "máx. " + fmt(topo, true) + " " + unidade;
    svg.appendChild(topoT);
    var box = document.createElement("div"), h = document.createElement("h4");
    h.textContent = titulo;
    box.appendChild(h); box.appendChild(svg);
    return box;
  }

  function dl(pares) {
    return "<dl>" + pares.filter(function (p) { return p[1] !== null && p[1] !== undefined && p[1] !== ""; })
      .map(function (p) { return "<dt>" + esc(p[0]) + "</dt><dd>" + esc(p[1]) + "</dd>"; }).join("") + "</dl>";
  }
  function dominio(d) { return d ? (d.codigo || d.cod_aneel || d.cod_ibge || d.subclasse || "") + (d.descricao || d.nome ? " · " + (d.descricao || d.nome) : "") : null; }

  function abrirUnidade(uc, centralizar) {
    var box = $("unidade");
    $("painel-unidade").hidden = false;
    $("painel-unidade").open = true;
    box.innerHTML = "<p class='dica'>carregando…</p>";
    api(C.lista + uc + "/").then(function (u) {
      var s = u.scores, id = u.identidade;
      box.innerHTML = "<p><b>" + esc(u.cod_id) + "</b></p>" + dl([
        ["distribuidora", dominio(u.distribuidora)], ["ano", u.ano], ["camada", u.camada], ["situação", u.situacao],
        ["classe", dominio(u.classe_consumo)], ["PF/PJ", u.tipo_cliente], ["segmento", dominio(u.segmento_mercado)],
        ["CNAE", dominio(u.cnae)], ["tensão", dominio(u.grupo_tensao)], ["subgrupo", dominio(u.grupo_tarifario)],
        ["município", u.municipio_nome ? u.municipio_nome + "/" + u.uf : null], ["bairro", u.bairro],
        ["energia anual", energia(u.energia_anual_kwh)], ["demanda de pico", u.demanda_pico_kw === null ? null : fmt(u.demanda_pico_kw, true) + " kW"],
        ["demanda contratada", u.demanda_contratada_kw === null ? null : fmt(u.demanda_contratada_kw, true) + " kW"],
        ["DIC / FIC médios", fmt(u.media_dic, true) + " h / " + fmt(u.media_fic, true)],
        ["mercado livre", u.livre ? "sim" + (u.mercado_livre ? " (" + u.mercado_livre.fonte.toUpperCase() + ")" : "") : "não"],
        ["GD", u.possui_gd ? "sim" : "não"],
        ["localização", u.fonte_coordenada ? (C.fontes_coordenada[u.fonte_coordenada] || u.fonte_coordenada) + (u.lat !== null ? " (" + u.lat.toFixed(5) + ", " + u.lon.toFixed(5) + ")" : "") : "sem localização"],
      ]);
      var meses = u.meses || [];
      var col = function (k) { return meses.map(function (m) { return m[k]; }); };
      box.appendChild(grafico("Energia por mês (kWh)", [{ valores: col("energia_total_kwh"), cor: "#1c7ed6" }], "kWh"));
      box.appendChild(grafico("Demanda por mês (kW; linha: contratada)", [{ valores: col("demanda_total_kw"), cor: "#7048e8" }, { valores: col("demanda_contratada_kw"), cor: "#e8590c" }], "kW"));
      box.appendChild(grafico("DIC por mês (h; linha: FIC)", [{ valores: col("dic_h"), cor: "#c92a2a" }, { valores: col("fic"), cor: "#2b8a3e" }], ""));
      var extra = document.createElement("div");
      var html = "";
      if (id) {
        html += "<h4>Enriquecimento</h4>" + dl([["resultado", id.resultado], ["empresa", id.razao_social], ["nome fantasia", id.nome_fantasia],
          ["CNPJ", id.cnpj || id.cnpj_basico], ["porte", id.porte ? id.porte.descricao : null], ["probabilidade", id.probabilidade === null ? null : fmt(100 * id.probabilidade, true) + " %"]]);
      } else if (u.enriquecimento && u.enriquecimento.length) {
        html += "<h4>Enriquecimento</h4>" + dl([["último resultado", u.enriquecimento[0].resultado || u.enriquecimento[0].status]]);
      }
      if (s) {
        html += "<h4>Scores</h4>" + dl(Object.keys(s.ofertas).map(function (k) {
          var o = s.ofertas[k];
          return [k.toUpperCase(), o.score === null ? "—" : o.score + (o.valor_rs_ano ? " · R$ " + fmt(o.valor_rs_ano) + "/ano" : "")];
        }).concat([["melhor oferta", s.melhor_oferta]]));
      }
      html += "<p class='links-mapa'>" + (C.admin_unidade ? "<a id='unidade-admin' href='" + C.admin_unidade.replace("{id}", u.uc_id) + "'>no admin</a> · " : "") +
        "<a id='unidade-api' href='" + C.lista + u.uc_id + "/'>na API</a></p>";
      extra.innerHTML = html;
      box.appendChild(extra);
      if (marcador) map.removeLayer(marcador);
      if (u.lat !== null) {
        marcador = L.circleMarker([u.lat, u.lon], { radius: 11, color: "#c92a2a", weight: 3, fill: false, interactive: false }).addTo(map);
        if (centralizar) map.setView([u.lat, u.lon], Math.max(map.getZoom(), C.pontos_zoom + 2));
      }
      mostrar($("painel-unidade"));
    }).catch(function (e) { box.innerHTML = "<p class='erro'>" + esc(e.message) + "</p>"; });
  }

  function mostrar(painel) {  // a panel brought into view: in the side panel's own scroll, or the page's on a phone
    if (estreito()) painel.scrollIntoView({ block: "start" });
    else painel.parentNode.scrollTop = painel.offsetTop - 8;
  }
  function estreito() { return window.matchMedia("(max-width: 900px)").matches; }

  // --- Wiring -------------------------------------------------------------------------------------

  var espera;
  function aplicar(gravar) {
    erro("erro-filtros", aviso());
    grade.setUrl(urlTiles());
    rede.setUrl(urlRede());
    dadosCalor = {};
    totais();
    desenharMunicipios();
    if (area && gravar !== false) selecionar(area.geojson, null);
    if (gravar !== false) gravarEndereco();
  }

  function iniciar() {
    el = $("mapa");
    form = $("filtros");
    if (estreito()) { $("painel-filtros").open = false; $("painel-camadas").open = false; }  // the map first
    var p = lerEndereco();
    map = L.map(el, { preferCanvas: false, minZoom: 3, maxZoom: 19 });
    map.createPane("municipios").style.zIndex = 350;
    map.createPane("contornos").style.zIndex = 340;
    el.mapa = map;
    if (p.has("lat") && p.has("lon")) map.setView([+p.get("lat"), +p.get("lon")], +(p.get("z") || 5));
    else map.setView([-15.8, -51.9], 4);
    if (C.base) {
      var base = L.tileLayer(C.base, { maxZoom: 19, attribution: C.atribuicao || "" });
      base.on("tileerror", function () { map.removeLayer(base); semBase("Mapa de fundo indisponível: contornos municipais (IBGE 2022)"); });
      base.addTo(map);
    } else {
      semBase("Sem mapa de fundo: contornos municipais (IBGE 2022)");
    }
    montarGrade();
    montarRede();
    legenda();
    desenho = new L.FeatureGroup().addTo(map);
    map.addControl(new L.Control.Draw({
      position: "topleft",
      draw: { polyline: false, marker: false, circlemarker: false,
        polygon: { allowIntersection: false, showArea: false, shapeOptions: { color: "#e8590c", className: "yo-selecao" } },
        rectangle: { shapeOptions: { color: "#e8590c", className: "yo-selecao" } }, circle: { shapeOptions: { color: "#e8590c", className: "yo-selecao" } } },
      edit: { featureGroup: desenho, edit: false },
    }));
    map.on(L.Draw.Event.CREATED, function (e) {
      desenho.clearLayers();
      desenho.addLayer(e.layer);
      $("salvar").elements.nome.value = "";
      selecionar(geometria(e.layer));
    });
    map.on(L.Draw.Event.DELETED, function () {
      area = null; $("selecao").hidden = true; $("selecao-dica").hidden = false; gravarEndereco();
    });
    map.on("moveend", function () {
      clearTimeout(espera);
      espera = setTimeout(function () { totais(); gravarEndereco(); }, 250);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); aplicar(); });
    form.addEventListener("reset", function () { setTimeout(aplicar, 0); });
    $("cor").addEventListener("change", function () { grade.redraw(); legenda(); gravarEndereco(); });
    $("camada-unidades").addEventListener("change", function (e) { if (e.target.checked) grade.addTo(map); else map.removeLayer(grade); gravarEndereco(); });
    $("camada-calor").addEventListener("change", function () { desenharCalor(); gravarEndereco(); });
    $("camada-rede").addEventListener("change", function (e) { if (e.target.checked) rede.addTo(map); else map.removeLayer(rede); legenda(); gravarEndereco(); });
    $("camada-municipios").addEventListener("change", function () { desenharMunicipios(); gravarEndereco(); });
    $("metrica").addEventListener("change", function () { desenharMunicipios(); gravarEndereco(); });
    $("ordem").addEventListener("change", function () { listar(true); });
    $("sentido").addEventListener("change", function () { listar(true); });
    $("mais").addEventListener("click", function () { listar(false); });
    $("exportar-csv").addEventListener("click", function () { exportar("csv"); });
    $("exportar-xlsx").addEventListener("click", function () { exportar("xlsx"); });
    $("salvar").addEventListener("submit", function (e) {
      e.preventDefault();
      var nome = e.target.elements.nome.value.trim(), dados = { nome: nome, geometria: area.geojson, filtros: filtros() };
      var pedido = area.selecao ? api(C.selecoes + area.selecao + "/", { method: "PUT", json: dados }) : api(C.selecoes, { method: "POST", json: dados });
      pedido.then(function (s) { area.selecao = s.id; erro("erro-selecao", ""); gravarEndereco(); listarSalvas(); })
        .catch(function (err) { erro("erro-selecao", err.message); });
    });
    totais();
    desenharMunicipios();
    listarSalvas();
    if (p.has("selecao")) abrirSelecao(p.get("selecao"));
    else if (p.has("area")) {
      try {
        var g = JSON.parse(p.get("area"));
        L.geoJSON(g, { style: { color: "#e8590c", weight: 2, fillOpacity: 0.08, className: "yo-selecao" } }).eachLayer(function (l) { desenho.addLayer(l); });
        selecionar(g);
      } catch (err) { erro("erro-selecao", "área do endereço ilegível"); }
    }
  }

  document.addEventListener("DOMContentLoaded", iniciar);
})();
