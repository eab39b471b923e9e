// report.js draws the map and the charts of a commonground report from the
// JSON inlined in the page. Nothing is fetched: no tiles, no fonts, no data.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('cg-data').textContent);
  var CH = JSON.parse(document.getElementById('cg-charts').textContent);
  var S = D.style;
  var nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  var stats = { tiles: 0, cellsDrawn: 0, places: 0, roads: 0, stops: 0 };

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function swatch(color, round) {
    return '<span class="swatch' + (round ? ' round' : '') + '" style="background:' + esc(color) + '"></span>';
  }
  function minutes(m) {
    return m < 0 ? 'no route' : (Math.round(m * 10) / 10) + ' min';
  }

  // ---- colour scales -------------------------------------------------------
  var breaks = D.breaks; // upper bounds of time bins, minutes
  function timeBin(m) {
    if (m < 0) return -1;
    for (var i = 0; i < breaks.length; i++) if (m <= breaks[i]) return i;
    return breaks.length;
  }
  function timeLabel(i) {
    if (i === 0) return 'up to ' + breaks[0] + ' min';
    if (i === breaks.length) return 'over ' + breaks[breaks.length - 1] + ' min';
    return breaks[i - 1] + '–' + breaks[i] + ' min';
  }
  var blues = ['#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];
  var countBins = [[0, 0], [1, 1], [2, 2], [3, 4], [5, 9], [10, Infinity]];
  function countBin(n) {
    for (var i = 0; i < countBins.length; i++) if (n <= countBins[i][1]) return i;
    return countBins.length - 1;
  }
  function spread(palette, k, n) { // k-th of n steps over a palette
    return palette[n <= 1 ? 0 : Math.round(k * (palette.length - 1) / (n - 1))];
  }
  var servedColor = '#cfd8dc';

  // ---- the current view ------------------------------------------------------
  var viewSel = document.getElementById('view');
  var catSel = document.getElementById('cat');
  var anyOpt = null;
  var C = D.cells, N = C.lon.length, K = D.categories.length;

  // Remoteness bins at the ARIA+ cut-offs of Australia's remoteness areas.
  var remoteCuts = [0.2, 2.4, 5.92, 10.53];
  var remoteBins = ['0–0.2 (like a major city)', '0.2–2.4 (inner regional)', '2.4–5.92 (outer regional)', '5.92–10.53 (remote)', 'above 10.53 (very remote)'];
  var remoteColors = ['#ffffcc', '#c2e699', '#78c679', '#31a354', '#006837'];
  function remoteBin(x) { var b = 0; while (b < remoteCuts.length && x > remoteCuts[b]) b++; return b; }
  function view() { return viewSel.value; }
  function cat() { return parseInt(catSel.value, 10); }

  // times returns the minutes array of a travel-time view: walk, drive, or
  // transit:K for the K-th public transport window; null for other views.
  function times(v, c) {
    if (v === 'walk' || v === 'drive') return C[v][c] || [];
    if (v.indexOf('transit:') === 0) {
      var w = D.transit[parseInt(v.slice(8), 10)];
      return w ? (w.minutes[c] || []) : [];
    }
    return null;
  }
  function modeName(v) {
    if (v === 'walk') return 'Walking';
    if (v === 'drive') return 'Driving';
    var w = D.transit[parseInt(v.slice(8), 10)];
    return 'By public transport (' + (w ? w.name : '') + ')';
  }
  function colorFn() {
    var v = view(), c = cat();
    if (times(v, c)) {
      var t = times(v, c);
      return function (i) { var b = timeBin(t[i]); return b < 0 ? S.unreachColor : S.timeColors[b]; };
    }
    if (v === 'under') {
      if (c < 0) return function (i) { return C.under[i] ? S.underColor : servedColor; };
      return function (i) { return (C.under[i] >>> c) & 1 ? S.underColor : servedColor; };
    }
    if (v === 'class') return function (i) { var k = D.classes[C.cls[i]]; return k ? k.color : '#999'; };
    if (v === 'change') return function (i) {
      if ((C.gained[i] >>> c) & 1) return '#1a9850';
      if ((C.lost[i] >>> c) & 1) return '#d73027';
      return servedColor;
    };
    if (v === 'remote') return function (i) { return C.rem.length ? remoteColors[remoteBin(C.rem[i])] : '#999'; };
    if (v === 'n15') return function (i) { return blues[countBin(C.n15[i])]; };
    return function (i) { return spread(blues, Math.min(C.k15[i], K), K + 1); };
  }

  function legendHTML() {
    var v = view(), c = cat(), h = '', rows = [];
    var label = c >= 0 && D.categories[c] ? D.categories[c].label : 'any kind of place';
    if (times(v, c)) {
      h = '<strong>' + esc(modeName(v)) + ' time to the nearest: ' + esc(label) + '</strong>';
      for (var i = 0; i <= breaks.length; i++) rows.push(swatch(S.timeColors[i]) + esc(timeLabel(i)));
      rows.push(swatch(S.unreachColor) + 'no route found');
    } else if (v === 'under') {
      h = '<strong>Underserved for: ' + esc(label) + '</strong>';
      rows.push(swatch(S.underColor) + 'underserved (beyond the area’s standard)');
      rows.push(swatch(servedColor) + 'within the standard');
      D.classes.forEach(function (k) { if (k.standard) rows.push('<span class="small">' + esc(k.label) + ': ' + esc(k.standard) + '</span>'); });
    } else if (v === 'class') {
      h = '<strong>Type of area</strong>';
      D.classes.forEach(function (k) { rows.push(swatch(k.color) + esc(k.label)); });
    } else if (v === 'change') {
      h = '<strong>Under the scenario, for: ' + esc(label) + '</strong>';
      rows.push(swatch('#1a9850') + 'comes within the standard');
      rows.push(swatch('#d73027') + 'falls beyond the standard');
      rows.push(swatch(servedColor) + 'no change');
    } else if (v === 'remote') {
      h = '<strong>Remoteness score (0–15, ARIA+ method)</strong>';
      remoteBins.forEach(function (b, i) { rows.push(swatch(remoteColors[i]) + esc(b)); });
    } else if (v === 'n15') {
      h = '<strong>Gathering places within a 15-minute walk</strong>';
      countBins.forEach(function (b, i) {
        rows.push(swatch(blues[i]) + (b[0] === b[1] ? b[0] : b[1] === Infinity ? b[0] + ' or more' : b[0] + '–' + b[1]));
      });
    } else {
      h = '<strong>Kinds of place within a 15-minute walk</strong>';
      for (var k = 0; k <= K; k++) rows.push(swatch(spread(blues, k, K + 1)) + k + ' of ' + K);
    }
    return h + '<br>' + rows.join('<br>');
  }

  // ---- map -------------------------------------------------------------------
  var map = L.map('map', { preferCanvas: true, zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');

  // Cell geometry in Web Mercator pixels at zoom 0; half a cell side in the
  // same units depends on latitude (Mercator stretches by 1/cos(lat)).
  var crs = L.CRS.EPSG3857, px = new Float64Array(N), py = new Float64Array(N), hs = new Float64Array(N), hmax = 0;
  var minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
  for (var i = 0; i < N; i++) {
    var p = crs.latLngToPoint(L.latLng(C.lat[i], C.lon[i]), 0);
    px[i] = p.x; py[i] = p.y;
    hs[i] = (D.cellSize / 2) * 256 / (40075016.686 * Math.cos(C.lat[i] * Math.PI / 180));
    if (hs[i] > hmax) hmax = hs[i];
    if (C.lat[i] < minLat) minLat = C.lat[i];
    if (C.lat[i] > maxLat) maxLat = C.lat[i];
    if (C.lon[i] < minLon) minLon = C.lon[i];
    if (C.lon[i] > maxLon) maxLon = C.lon[i];
  }
  var order = new Uint32Array(N);
  for (i = 0; i < N; i++) order[i] = i;
  order.sort(function (a, b) { return px[a] - px[b] || a - b; });
  var sx = new Float64Array(N);
  for (i = 0; i < N; i++) sx[i] = px[order[i]];
  function lowerBound(x) {
    var lo = 0, hi = N;
    while (lo < hi) { var mid = (lo + hi) >>> 1; if (sx[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // A grid layer draws cells as squares straight onto canvas tiles: tens of
  // thousands of cells stay fast because no per-cell object is created.
  var currentColor = colorFn();
  var CellLayer = L.GridLayer.extend({
    createTile: function (coords) {
      var tile = L.DomUtil.create('canvas', 'leaflet-tile');
      var size = this.getTileSize();
      tile.width = size.x; tile.height = size.y;
      var ctx = tile.getContext('2d');
      var s = Math.pow(2, coords.z), ext = size.x / s;
      var x0 = coords.x * ext, y0 = coords.y * ext, drawn = 0;
      for (var j = lowerBound(x0 - hmax); j < N && sx[j] <= x0 + ext + hmax; j++) {
        var c = order[j], h = hs[c];
        if (py[c] + h < y0 || py[c] - h > y0 + ext || px[c] + h < x0) continue;
        var col = currentColor(c);
        if (!col) continue;
        // Snap to whole pixels: anti-aliased edges of neighbouring squares
        // would otherwise leave faint seams between them.
        var l = Math.floor((px[c] - h - x0) * s), t = Math.floor((py[c] - h - y0) * s);
        var r = Math.ceil((px[c] + h - x0) * s), b = Math.ceil((py[c] + h - y0) * s);
        ctx.fillStyle = col;
        ctx.fillRect(l, t, Math.max(1, r - l), Math.max(1, b - t));
        drawn++;
      }
      stats.tiles++;
      stats.cellsDrawn += drawn;
      return tile;
    }
  });
  var cells = new CellLayer({ opacity: 0.85, updateWhenZooming: false, keepBuffer: 4 });
  cells.addTo(map);

  map.createPane('roads').style.zIndex = 410;
  map.createPane('stops').style.zIndex = 415;
  map.createPane('places').style.zIndex = 420;
  var roadRenderer = L.canvas({ pane: 'roads', padding: 0.5 });
  var stopRenderer = L.canvas({ pane: 'stops', padding: 0.5 });
  var placeRenderer = L.canvas({ pane: 'places', padding: 0.5, tolerance: 3 });

  var roadStyle = {
    motorway: ['#4a4a4a', 2.6], trunk: ['#555', 2.2], primary: ['#666', 1.8],
    secondary: ['#777', 1.3], tertiary: ['#888', 1]
  };
  var roads = L.layerGroup([], { attribution: 'Map data © <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors' });
  Object.keys(D.roads).sort().forEach(function (cls) {
    var lines = D.roads[cls].map(function (flat) {
      var ll = [];
      for (var k = 0; k + 1 < flat.length; k += 2) ll.push([flat[k + 1], flat[k]]);
      return ll;
    });
    var st = roadStyle[cls.replace(/_link$/, '')] || ['#999', 0.8];
    roads.addLayer(L.polyline(lines, { renderer: roadRenderer, color: st[0], weight: st[1], opacity: 0.75, interactive: false }));
    stats.roads += lines.length;
  });
  roads.addTo(map);
  map.attributionControl.addAttribution(roads.options.attribution);

  var tagNames = {
    religion: 'Religion', denomination: 'Denomination', opening_hours: 'Opening hours',
    wheelchair: 'Wheelchair access', operator: 'Run by'
  };
  function placeHTML(pl) {
    var c = D.categories[pl[2]], t = pl[5] || {};
    var h = '<div class="popup"><strong>' + esc(pl[3] || 'Unnamed ' + c.label.toLowerCase()) + '</strong><br>' + swatch(c.color, true) + esc(c.label);
    Object.keys(tagNames).forEach(function (k) {
      if (t[k]) h += '<br>' + tagNames[k] + ': ' + esc(t[k].replace(/_/g, ' '));
    });
    var addr = [t['addr:housenumber'], t['addr:street'], t['addr:city']].filter(Boolean).join(' ');
    if (addr) h += '<br>Address: ' + esc(addr);
    if (!t.wheelchair) h += '<br><span class="small">Wheelchair access: not recorded</span>';
    if (pl[4]) h += '<br><span class="small">OpenStreetMap: <code>' + esc(pl[4]) + '</code></span>';
    return h + '</div>';
  }
  var placeLayers = D.categories.map(function () { return L.layerGroup(); });
  D.places.forEach(function (pl) {
    var c = D.categories[pl[2]];
    var m = L.circleMarker([pl[1], pl[0]], {
      renderer: placeRenderer, radius: 5, color: '#222', weight: 1, fillColor: c.color, fillOpacity: 0.95,
      bubblingMouseEvents: false
    });
    m.bindPopup(function () { return placeHTML(pl); });
    placeLayers[pl[2]].addLayer(m);
    stats.places++;
  });
  placeLayers.forEach(function (g) { g.addTo(map); });

  var stops = L.layerGroup();
  D.stops.forEach(function (s) {
    // Stops with a timetable are sized by departures per hour in the first
    // window: the area of the dot grows with the service.
    var ph = s[4] || [], r = ph.length ? 2 + Math.sqrt(ph[0]) : 3;
    var m = L.circleMarker([s[1], s[0]], { renderer: stopRenderer, radius: Math.min(r, 14), color: '#333', weight: 1, fillColor: ph.length && ph[0] === 0 ? '#bbb' : '#fff', fillOpacity: 1, bubblingMouseEvents: false });
    m.bindPopup(function () {
      var h = '<div class="popup"><strong>' + esc(s[2] || 'Unnamed stop') + '</strong><br>Transit stop' + (s[3] ? ' (' + esc(s[3].replace(/_/g, ' ')) + ')' : '');
      ph.forEach(function (n, k) { h += '<br>' + esc(D.transit[k] ? D.transit[k].name : '') + ': ' + n.toFixed(1) + ' departures an hour'; });
      return h + '</div>';
    });
    stops.addLayer(m);
    stats.stops++;
  });

  var routes = L.layerGroup();
  D.routes.forEach(function (line) {
    routes.addLayer(L.polyline(line.map(function (p) { return [p[1], p[0]]; }), { renderer: stopRenderer, color: '#3f51b5', weight: 1.2, opacity: 0.6, interactive: false }));
  });
  if (D.routes.length) routes.addTo(map);

  // Proposed sites: numbered discs above everything else.
  var sites = L.layerGroup();
  D.sites.forEach(function (st, k) {
    var m = L.marker([st[1], st[0]], { icon: L.divIcon({ className: 'site-icon', html: String(k + 1), iconSize: [22, 22] }), zIndexOffset: 1000 });
    m.bindPopup('<div class="popup"><strong>Proposed site ' + (k + 1) + ': ' + esc(st[2] || 'unnamed') + '</strong><br>There now: ' + esc(st[3]) +
      '<br>Brings ' + nf.format(st[4]) + ' more people within their standard</div>');
    sites.addLayer(m);
  });
  if (D.sites.length) sites.addTo(map);

  var overlays = {};
  overlays['Cells (coloured as chosen above)'] = cells;
  if (D.sites.length) overlays['Proposed new sites <span class="small">(' + D.sites.length + ')</span>'] = sites;
  overlays['Major roads'] = roads;
  D.categories.forEach(function (c, k) {
    if (c.composite) return;
    var n = placeLayers[k].getLayers().length;
    overlays[swatch(c.color, true) + esc(c.label) + ' <span class="small">(' + nf.format(n) + ')</span>'] = placeLayers[k];
  });
  overlays['Transit stops <span class="small">(' + nf.format(D.stops.length) + ')</span>'] = stops;
  if (D.routes.length) overlays['Transit routes <span class="small">(' + nf.format(D.routes.length) + ' patterns)</span>'] = routes;
  L.control.layers(null, overlays, { collapsed: false, position: 'topright' }).addTo(map);
  L.control.scale({ position: 'bottomleft', metric: true, imperial: true }).addTo(map);

  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () {
    this._div = L.DomUtil.create('div', 'legend');
    this._div.innerHTML = legendHTML();
    return this._div;
  };
  legend.addTo(map);

  function cellAt(latlng) {
    var q = crs.latLngToPoint(latlng, 0), best = -1, bestD = Infinity;
    for (var j = lowerBound(q.x - hmax); j < N && sx[j] <= q.x + hmax; j++) {
      var c = order[j], dx = Math.abs(px[c] - q.x), dy = Math.abs(py[c] - q.y);
      if (dx <= hs[c] && dy <= hs[c] && dx + dy < bestD) { best = c; bestD = dx + dy; }
    }
    return best;
  }
  function cellHTML(i) {
    var k = D.classes[C.cls[i]] || { label: '?', standard: '' };
    var h = '<div class="popup"><strong>Cell at ' + C.lat[i].toFixed(5) + ', ' + C.lon[i].toFixed(5) + '</strong>';
    if (C.area[i] >= 0) h += '<br>Area: ' + esc(C.areaNames[C.area[i]]);
    h += '<br>Type of area: ' + esc(k.label) + (k.standard ? ' (standard: ' + esc(k.standard) + ')' : '');
    if (C.rem.length) h += '<br>Remoteness score: ' + C.rem[i].toFixed(2) + ' of 15';
    h += '<br>Residents: ' + nf.format(C.pop[i]);
    h += '<br>Within a 15-minute walk: ' + C.n15[i] + ' place' + (C.n15[i] === 1 ? '' : 's') + ' of ' + C.k15[i] + ' kind' + (C.k15[i] === 1 ? '' : 's');
    h += '<table><tr><th>Nearest</th><th>walk</th><th>drive</th>';
    D.transit.forEach(function (w) { h += '<th>transit, ' + esc(w.name) + '</th>'; });
    h += '<th></th></tr>';
    D.categories.forEach(function (c, k2) {
      var u = (C.under[i] >>> k2) & 1;
      h += '<tr><td>' + esc(c.label) + '</td><td>' + minutes(C.walk[k2][i]) + '</td><td>' + minutes(C.drive[k2][i]) + '</td>';
      D.transit.forEach(function (w) { h += '<td>' + minutes((w.minutes[k2] || [])[i]) + '</td>'; });
      h += '<td>' + (u ? '<span class="under">underserved</span>' : 'ok') + '</td></tr>';
    });
    return h + '</table></div>';
  }
  map.on('click', function (e) {
    if (!map.hasLayer(cells)) return;
    var i = cellAt(e.latlng);
    if (i >= 0) L.popup().setLatLng([C.lat[i], C.lon[i]]).setContent(cellHTML(i)).openOn(map);
  });

  function update() {
    var v = view(), needsCat = times(v, 0) !== null || v === 'under' || v === 'change';
    catSel.disabled = !needsCat;
    document.getElementById('cat-label').classList.toggle('disabled', !needsCat);
    if (v === 'under' && !anyOpt) {
      anyOpt = new Option('Any kind of place', '-1');
      catSel.add(anyOpt);
    } else if (v !== 'under' && anyOpt) {
      if (catSel.value === '-1') catSel.value = '0';
      catSel.remove(anyOpt.index);
      anyOpt = null;
    }
    currentColor = colorFn();
    legend._div.innerHTML = legendHTML();
    cells.redraw();
  }
  viewSel.addEventListener('change', update);
  catSel.addEventListener('change', update);

  if (N > 0) {
    map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [12, 12] });
  } else if (D.places.length > 0) {
    map.fitBounds(D.places.map(function (pl) { return [pl[1], pl[0]]; }), { padding: [12, 12] });
  } else {
    map.setView([0, 0], 2);
  }

  // ---- charts ----------------------------------------------------------------
  var charts = [];
  CH.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    var opt = c.option;
    var fmt = c.unit === '%' ? function (v) { return v + '%'; } : function (v) { return nf.format(v) + ' people'; };
    if (opt.tooltip) opt.tooltip.valueFormatter = fmt;
    chart.setOption(opt);
    charts.push(chart);
  });
  function resizeAll() { charts.forEach(function (c) { c.resize(); }); map.invalidateSize(); }
  window.addEventListener('resize', resizeAll);
  window.addEventListener('beforeprint', resizeAll);

  // ---- self-check ----------------------------------------------------------------
  // With #cg-selftest in the address, the page also works every control once
  // (each colouring, each kind of place, a cell popup, a place popup) so a
  // headless test exercises the code behind them.
  function exercise() {
    var out = { views: 0, cellPopup: '', placePopup: '', legend: '' };
    Array.prototype.map.call(viewSel.options, function (o) { return o.value; }).forEach(function (v) {
      viewSel.value = v;
      update();
      if (catSel.disabled) { out.views++; return; }
      Array.prototype.map.call(catSel.options, function (o) { return o.value; }).forEach(function (c) {
        catSel.value = c;
        update();
        out.views++;
      });
    });
    viewSel.value = 'walk';
    catSel.value = '0';
    update();
    out.legend = legend._div.textContent;
    if (N > 0) {
      map.fire('click', { latlng: L.latLng(C.lat[0], C.lon[0]) });
      var pc = document.querySelector('#map .leaflet-popup-content');
      out.cellPopup = pc ? pc.textContent : '';
      map.closePopup();
    }
    var first = placeLayers.filter(function (g) { return g.getLayers().length > 0; })[0];
    if (first) {
      var m = first.getLayers()[0];
      m.openPopup();
      var pe = m.getPopup() && m.getPopup().getElement();
      out.placePopup = pe ? pe.textContent : '';
      map.closePopup();
    }
    return out;
  }

  function verdict() {
    var exercised = location.hash === '#cg-selftest' ? exercise() : null;
    var el = document.getElementById('map');
    var out = {
      done: true,
      errors: window.__cg ? window.__cg.errors : ['self-check script did not run'],
      violations: window.__cg ? window.__cg.violations : [],
      requests: performance.getEntriesByType('resource').map(function (r) { return r.name; })
        .filter(function (n) { return !/^(data|blob):/.test(n); }),
      map: {
        canvases: el.querySelectorAll('canvas').length, svgs: el.querySelectorAll('svg').length,
        tiles: stats.tiles, cellsDrawn: stats.cellsDrawn, cells: N, places: stats.places, roads: stats.roads, stops: stats.stops
      },
      exercised: exercised,
      charts: CH.map(function (c) {
        var e = document.getElementById(c.id);
        return {
          id: c.id,
          rendered: !!(e && e.querySelector('canvas, svg') && echarts.getInstanceByDom(e)),
          width: e ? e.clientWidth : 0
        };
      })
    };
    document.getElementById('cg-selfcheck').textContent = JSON.stringify(out);
  }
  if (document.readyState === 'complete') setTimeout(verdict, 200);
  else window.addEventListener('load', function () { setTimeout(verdict, 200); });
})();
