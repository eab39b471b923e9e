// report.js draws the map and the charts of a commonground report from the
// JSON inlined in the page. Nothing is fetched: no tiles, no fonts, no data.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('cg-data').textContent);
  var CH = JSON.parse(document.getElementById('cg-charts').textContent);
  var S = D.style;
  var nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  var stats = { tiles: 0, cellsDrawn: 0, places: 0, roads: 0, stops: 0 };

  // Unpack the compact columns (see blob.go): coordinates above a base in
  // 1e-5 degrees, minutes in tenths, scenario changes as sparse pairs.
  (function unpack(c) {
    var n = c.lon.length, k, i;
    for (i = 0; i < n; i++) {
      c.lon[i] = Math.round((c.lon0 + c.lon[i] * 1e-5) * 1e5) / 1e5;
      c.lat[i] = Math.round((c.lat0 + c.lat[i] * 1e-5) * 1e5) / 1e5;
    }
    var tenths = function (row) { if (row) for (var j = 0; j < row.length; j++) if (row[j] >= 0) row[j] /= 10; };
    c.walk.forEach(tenths);
    c.drive.forEach(tenths);
    // A combination left out (null) is the least of its members' minutes.
    [c.walk, c.drive].forEach(function (rows) {
      rows.forEach(function (row, k) {
        if (row) return;
        var ms = D.categories[k].members || [], out = new Array(n);
        for (var j = 0; j < n; j++) {
          var best = -1;
          for (var q = 0; q < ms.length; q++) { var y = rows[ms[q]][j]; if (y >= 0 && (best < 0 || y < best)) best = y; }
          out[j] = best;
        }
        rows[k] = out;
      });
    });
    D.transit.forEach(function (w) { w.minutes.forEach(tenths); });
    ['gained', 'lost'].forEach(function (name) {
      var pairs = c[name], full = new Uint32Array(n);
      for (k = 0; k + 1 < pairs.length; k += 2) full[pairs[k]] = pairs[k + 1];
      c[name] = full;
    });
  })(D.cells);

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
  // Scenario change: blue and orange stay apart for every common form of
  // colour blindness (ColorBrewer PuOr/RdBu ends), unlike red and green.
  var gainColor = '#2166ac', loseColor = '#e08214';
  var narrow = window.innerWidth < 700;

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
      if ((C.gained[i] >>> c) & 1) return gainColor;
      if ((C.lost[i] >>> c) & 1) return loseColor;
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
      rows.push(swatch(gainColor) + 'comes within the standard');
      rows.push(swatch(loseColor) + 'falls beyond the standard');
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

  // Popups fit the screen: on a phone they take its width less a margin and
  // scroll inside rather than spill over.
  function popOpts() {
    var w = Math.min(420, window.innerWidth - 48);
    return { maxWidth: w, minWidth: Math.min(200, w), maxHeight: Math.round(window.innerHeight * 0.6), autoPanPadding: [12, 12] };
  }

  // ---- map -------------------------------------------------------------------
  // No tile fade: a faded-in tile gets its opacity in an animation frame,
  // which never comes while the browser prints, so printed maps lost their
  // cells.
  var map = L.map('map', { preferCanvas: true, zoomSnap: 0.25, attributionControl: true, fadeAnimation: false });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');

  // Cell geometry in Web Mercator pixels at zoom 0; half a cell side in the
  // same units depends on latitude (Mercator stretches by 1/cos(lat)).
  var crs = L.CRS.EPSG3857, px = new Float64Array(N), py = new Float64Array(N), hs = new Float64Array(N), hmax = 0;
  var popMax = 0;
  for (var k0 = 0; k0 < N; k0++) if (C.pop[k0] > popMax) popMax = C.pop[k0];
  if (!(popMax > 0)) popMax = 1;
  var minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
  for (var i = 0; i < N; i++) {
    var p = crs.latLngToPoint(L.latLng(C.lat[i], C.lon[i]), 0);
    px[i] = p.x; py[i] = p.y;
    // Grid cells are squares of the cell size; points and per-polygon
    // origins are circles whose area grows with their people.
    var halfM = D.cellSize / 2;
    if (D.origins !== 'grid') halfM = Math.max(D.originRadius * Math.sqrt(C.pop[i] / popMax), D.originRadius * 0.15);
    hs[i] = halfM * 256 / (40075016.686 * Math.cos(C.lat[i] * Math.PI / 180));
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
  // A CellLayer colours cells with options.color(i), or the main map's
  // current colouring; a cell whose colour is null is not drawn.
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
        var col = this.options.color ? this.options.color(c) : currentColor(c);
        if (!col) continue;
        // Snap to whole pixels: anti-aliased edges of neighbouring squares
        // would otherwise leave faint seams between them.
        var l = Math.floor((px[c] - h - x0) * s), t = Math.floor((py[c] - h - y0) * s);
        var r = Math.ceil((px[c] + h - x0) * s), b = Math.ceil((py[c] + h - y0) * s);
        ctx.fillStyle = col;
        if (D.origins === 'grid') {
          ctx.fillRect(l, t, Math.max(1, r - l), Math.max(1, b - t));
        } else {
          ctx.beginPath();
          ctx.arc((px[c] - x0) * s, (py[c] - y0) * s, Math.max(1.5, h * s), 0, 2 * Math.PI);
          ctx.fill();
        }
        drawn++;
      }
      stats.tiles++;
      stats.cellsDrawn += drawn;
      return tile;
    }
  });
  var cells = new CellLayer({ opacity: 0.85, updateWhenZooming: false, keepBuffer: 4 });
  cells.addTo(map);

  // Lines that take no clicks sit in panes below one canvas holding every
  // clickable marker: a canvas catches all clicks over its whole extent, so
  // places and stops on canvases of their own would hide each other's popups.
  function panes(m) {
    m.createPane('water').style.zIndex = 150; // under the cells (tile pane, 200)
    m.createPane('roads').style.zIndex = 410;
    m.createPane('routes').style.zIndex = 415;
    m.createPane('places').style.zIndex = 420;
    var lp = m.createPane('labels');
    lp.style.zIndex = 430;
    lp.style.pointerEvents = 'none';
  }
  panes(map);
  // Water under everything: a light blue only the base map uses.
  var waterFill = '#d4e6f5', waterLine = '#8fb8dc';
  function drawWater(m) {
    var r = L.canvas({ pane: 'water', padding: 0.5 });
    var unflat = function (flat) {
      var ll = [];
      for (var k = 0; k + 1 < flat.length; k += 2) ll.push([flat[k + 1], flat[k]]);
      return ll;
    };
    if (D.water.areas.length) L.polygon(D.water.areas.map(unflat), { renderer: r, stroke: false, fillColor: waterFill, fillOpacity: 1, interactive: false }).addTo(m);
    if (D.water.lines.length) L.polyline(D.water.lines.map(unflat), { renderer: r, color: waterLine, weight: 1.2, opacity: 1, interactive: false }).addTo(m);
  }
  drawWater(map);
  var roadRenderer = L.canvas({ pane: 'roads', padding: 0.5 });
  var stopRenderer = L.canvas({ pane: 'routes', padding: 0.5 });
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
    m.bindPopup(function () { return placeHTML(pl); }, popOpts());
    m._cgName = pl[3];
    m._cgCat = pl[2];
    placeLayers[pl[2]].addLayer(m);
    stats.places++;
  });
  placeLayers.forEach(function (g) { g.addTo(map); });

  var stopColor = '#263238', routeColor = '#3f51b5', siteColor = '#08519c';
  var stops = L.layerGroup();
  D.stops.forEach(function (s) {
    // Stops with a timetable are sized by departures per hour in the first
    // window: the area of the dot grows with the service.
    var ph = s[4] || [], r = ph.length ? 2 + Math.sqrt(ph[0]) : 3;
    var m = L.circleMarker([s[1], s[0]], { renderer: placeRenderer, radius: Math.min(r, 14), color: stopColor, weight: 1.5, fillColor: ph.length && ph[0] === 0 ? '#bbb' : '#fff', fillOpacity: 1, bubblingMouseEvents: false });
    m.bindPopup(function () {
      var h = '<div class="popup"><strong>' + esc(s[2] || 'Unnamed stop') + '</strong><br>Transit stop' + (s[3] ? ' (' + esc(s[3].replace(/_/g, ' ')) + ')' : '');
      ph.forEach(function (n, k) { h += '<br>' + esc(D.transit[k] ? D.transit[k].name : '') + ': ' + n.toFixed(1) + ' departures an hour'; });
      return h + '</div>';
    }, popOpts());
    stops.addLayer(m);
    stats.stops++;
  });

  var routes = L.layerGroup();
  D.routes.forEach(function (line) {
    routes.addLayer(L.polyline(line.map(function (p) { return [p[1], p[0]]; }), { renderer: stopRenderer, color: routeColor, weight: 1.2, opacity: 0.6, interactive: false }));
  });
  if (D.routes.length) routes.addTo(map);

  // Proposed sites: numbered discs above everything else.
  var sites = L.layerGroup();
  D.sites.forEach(function (st, k) {
    var m = L.marker([st[1], st[0]], { icon: L.divIcon({ className: 'site-icon', html: String(k + 1), iconSize: [22, 22] }), zIndexOffset: 1000,
      title: 'Proposed site ' + (k + 1), alt: 'Proposed site ' + (k + 1) });
    m.bindPopup('<div class="popup"><strong>Proposed site ' + (k + 1) + ': ' + esc(st[2] || 'unnamed') + '</strong><br>There now: ' + esc(st[3]) +
      '<br>Brings ' + nf.format(st[4]) + ' more people within their standard</div>', popOpts());
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
  // On a phone the layer list and the legend fold away so the map stays visible.
  var layerCtl = L.control.layers(null, overlays, { collapsed: narrow, position: 'topright' }).addTo(map);
  var layerToggle = layerCtl.getContainer().querySelector('.leaflet-control-layers-toggle');
  if (layerToggle) { layerToggle.textContent = 'Layers'; layerToggle.setAttribute('aria-label', 'Layers'); }
  L.control.scale({ position: 'bottomleft', metric: true, imperial: true }).addTo(map);

  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () {
    var box = L.DomUtil.create('details', 'legend');
    if (!narrow) box.open = true;
    box.innerHTML = '<summary>Legend</summary>';
    this._div = L.DomUtil.create('div', 'legend-body', box);
    this._div.innerHTML = legendHTML();
    L.DomEvent.disableClickPropagation(box);
    return box;
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
    var what = D.origins === 'grid' ? 'Cell' : (D.origins === 'points' ? 'Point' : 'Polygon origin');
    var h = '<div class="popup"><strong>' + what + (C.id ? ' ' + esc(C.id[i]) : '') + ' at ' + C.lat[i].toFixed(5) + ', ' + C.lon[i].toFixed(5) + '</strong>';
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
    if (i >= 0) L.popup(popOpts()).setLatLng([C.lat[i], C.lon[i]]).setContent(cellHTML(i)).openOn(map);
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

  // ---- orientation: town labels and place search ----------------------------
  // Cities show at every zoom, towns from zoom 10, villages from zoom 12,
  // so labels never bury the cells.
  var minZoom = { city: 0, town: 10, village: 12 };
  function townLabels(m, small) {
    var groups = {};
    D.towns.forEach(function (t) {
      var z = minZoom[t[3]];
      if (z === undefined) z = 13;
      if (small && t[3] === 'village') return;
      var g = groups[z] || (groups[z] = L.layerGroup());
      g.addLayer(L.marker([t[1], t[0]], {
        pane: 'labels', interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'town town-' + esc(t[3]), html: '<span>' + esc(t[2]) + '</span>', iconSize: null })
      }));
    });
    function show() {
      Object.keys(groups).forEach(function (z) {
        if (m.getZoom() >= +z) groups[z].addTo(m); else m.removeLayer(groups[z]);
      });
    }
    m.on('zoomend', show);
    show();
  }
  townLabels(map, false);

  var search = document.getElementById('place-search');
  if (search) {
    var list = document.getElementById('place-names'), seen = {};
    D.places.forEach(function (pl) {
      if (pl[3] && !seen[pl[3]]) { seen[pl[3]] = true; var o = document.createElement('option'); o.value = pl[3]; list.appendChild(o); }
    });
    D.towns.forEach(function (t) {
      if (!seen[t[2]]) { seen[t[2]] = true; var o = document.createElement('option'); o.value = t[2]; list.appendChild(o); }
    });
    var found = document.getElementById('place-found');
    var go = function () {
      var q = search.value.trim().toLowerCase();
      if (!q) return;
      var hit = null;
      placeLayers.forEach(function (g) {
        g.eachLayer(function (m) { if (!hit && m._cgName && m._cgName.toLowerCase().indexOf(q) >= 0) hit = m; });
      });
      if (hit) {
        var g0 = placeLayers[hit._cgCat];
        if (!map.hasLayer(g0)) g0.addTo(map);
        map.setView(hit.getLatLng(), Math.max(map.getZoom(), 15), { animate: false });
        hit.openPopup();
        found.textContent = '';
        return;
      }
      var t = D.towns.filter(function (t) { return t[2].toLowerCase().indexOf(q) >= 0; })[0];
      if (t) { map.setView([t[1], t[0]], 13, { animate: false }); found.textContent = ''; return; }
      found.textContent = 'No place or town called “' + search.value + '” on this map.';
    };
    search.addEventListener('change', go);
    document.getElementById('place-go').addEventListener('click', go);
  }

  // ---- small maps: the first screen's overview and the scenario's change ----
  function smallMap(id) {
    var el = document.getElementById(id);
    if (!el || N === 0) return null;
    var m = L.map(el, { preferCanvas: true, zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true, fadeAnimation: false });
    m.attributionControl.setPrefix(false);
    m.attributionControl.addAttribution('© OpenStreetMap contributors');
    panes(m);
    drawWater(m);
    var rr = L.canvas({ pane: 'roads', padding: 0.5 });
    Object.keys(D.roads).forEach(function (cls) {
      if (!/^(motorway|trunk|primary)/.test(cls)) return;
      D.roads[cls].forEach(function (flat) {
        var ll = [];
        for (var k = 0; k + 1 < flat.length; k += 2) ll.push([flat[k + 1], flat[k]]);
        L.polyline(ll, { renderer: rr, color: '#777', weight: 1, opacity: 0.7, interactive: false }).addTo(m);
      });
    });
    townLabels(m, true);
    L.control.scale({ position: 'bottomleft', metric: true, imperial: true }).addTo(m);
    return m;
  }
  var headCat = D.headCat;
  var overview = smallMap('overview');
  if (overview) {
    new CellLayer({ opacity: 0.9, color: function (i) {
      return headCat >= 0 && (C.under[i] >>> headCat) & 1 ? S.underColor : '#dde3e6';
    } }).addTo(overview);
    overview.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [6, 6] });
  }

  var changeMap = smallMap('change-map'), changeMarkers = [];
  if (changeMap) {
    var changeSel = document.getElementById('change-cat');
    var cc = changeSel ? parseInt(changeSel.value, 10) : D.changeCat;
    var changeCells = new CellLayer({ opacity: 0.9, color: function (i) {
      if ((C.gained[i] >>> cc) & 1) return gainColor;
      if ((C.lost[i] >>> cc) & 1) return loseColor;
      return '#dfe4e6';
    } }).addTo(changeMap);
    [[D.opened, true], [D.closed, false]].forEach(function (pair) {
      pair[0].forEach(function (pl) {
        var c = D.categories[pl[2]] || { label: '' };
        var m = L.marker([pl[1], pl[0]], {
          icon: L.divIcon({ className: 'mk ' + (pair[1] ? 'open' : 'closed'), html: pair[1] ? '+' : '×', iconSize: [20, 20] }),
          title: (pair[1] ? 'Opens: ' : 'Closes: ') + (pl[3] || c.label), alt: (pair[1] ? 'Opens: ' : 'Closes: ') + (pl[3] || c.label)
        });
        m.bindPopup('<div class="popup"><strong>' + (pair[1] ? 'Opens' : 'Closes') + ': ' + esc(pl[3] || 'unnamed') + '</strong><br>' + esc(c.label) + '</div>', popOpts());
        m.addTo(changeMap);
        changeMarkers.push(m);
      });
    });
    // Zoom to the cells that change for the chosen kind and to the places
    // opened and closed: at the scale of the whole study a change of a few
    // cells would not show.
    var fitChange = function () {
      var pts = [];
      for (var j = 0; j < N; j++) if (((C.gained[j] | C.lost[j]) >>> cc) & 1) pts.push([C.lat[j], C.lon[j]]);
      var marks = changeMarkers.map(function (m) { var ll = m.getLatLng(); return [ll.lat, ll.lng]; });
      // A lone far-off cell (a rural one within a short drive) would zoom
      // the map out until the main change is a speck: keep the 90% of
      // changed cells nearest their middle, and every opened or closed place.
      if (pts.length > 10) {
        var my = 0, mx = 0;
        pts.forEach(function (p) { my += p[0]; mx += p[1]; });
        my /= pts.length; mx /= pts.length;
        pts.sort(function (a, b) {
          return (a[0] - my) * (a[0] - my) + (a[1] - mx) * (a[1] - mx) - (b[0] - my) * (b[0] - my) - (b[1] - mx) * (b[1] - mx);
        });
        pts = pts.slice(0, Math.ceil(pts.length * 0.9));
      }
      pts = pts.concat(marks);
      if (pts.length) changeMap.fitBounds(L.latLngBounds(pts).pad(0.2), { maxZoom: 14, animate: false });
      else changeMap.fitBounds([[minLat, minLon], [maxLat, maxLon]], { animate: false });
    };
    fitChange();
    if (changeSel) changeSel.addEventListener('change', function () {
      cc = parseInt(changeSel.value, 10);
      changeCells.redraw();
      fitChange();
    });
  }

  // ---- area table: sort by a column, filter by name --------------------------
  var table = document.getElementById('area-table');
  if (table) {
    var tbody = table.tBodies[0], rowsAll = Array.prototype.slice.call(tbody.rows);
    var filter = document.getElementById('area-filter'), all = document.getElementById('area-all');
    var applyFilter = function () {
      var q = filter ? filter.value.trim().toLowerCase() : '';
      var showAll = !all || all.checked || q !== '';
      rowsAll.forEach(function (r) {
        var ok = (!q || r.textContent.toLowerCase().indexOf(q) >= 0) && (showAll || !r.classList.contains('more'));
        r.hidden = !ok;
      });
    };
    if (filter) filter.addEventListener('input', applyFilter);
    if (all) all.addEventListener('change', applyFilter);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      while (th.firstChild) b.appendChild(th.firstChild);
      th.appendChild(b);
      th.setAttribute('aria-sort', col === 0 ? 'ascending' : 'none');
      b.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        var num = th.getAttribute('data-sort') === 'num';
        var key = function (r) {
          var c = r.cells[col];
          return num ? parseFloat(c.getAttribute('data-v')) : c.textContent.trim().toLowerCase();
        };
        rowsAll.sort(function (x, y) {
          var a = key(x), z = key(y);
          var d = num ? a - z : (a < z ? -1 : a > z ? 1 : 0);
          return asc ? d : -d;
        });
        rowsAll.forEach(function (r) { tbody.appendChild(r); });
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      });
    });
    applyFilter();
  }

  // ---- charts ----------------------------------------------------------------
  // phoneChart fits a chart to a phone: the legend on one scrolling line,
  // category labels wrapped to a third of the width, fewer value ticks.
  function phoneChart(opt) {
    var list = function (x) { return x ? (Array.isArray(x) ? x : [x]) : []; };
    list(opt.legend).forEach(function (l) {
      if (l.show !== false) { l.type = 'scroll'; l.left = 0; l.right = 0; }
    });
    list(opt.grid).forEach(function (g) { if (+g.top > 40) g.top = 40; });
    list(opt.xAxis).concat(list(opt.yAxis)).forEach(function (a) {
      a.axisLabel = a.axisLabel || {};
      if (a.type === 'category') {
        a.axisLabel.width = Math.round(window.innerWidth / 3);
        a.axisLabel.overflow = 'break';
        a.axisLabel.lineHeight = 13;
      } else {
        a.splitNumber = 2;
      }
    });
  }

  var charts = [];
  CH.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    var opt = c.option;
    var fmt = c.unit === '%' ? function (v) { return v + '%'; } : function (v) { return nf.format(v) + ' people'; };
    if (opt.tooltip) opt.tooltip.valueFormatter = fmt;
    if (narrow) phoneChart(opt);
    chart.setOption(opt);
    charts.push(chart);
  });
  function resizeAll() {
    charts.forEach(function (c) { c.resize(); });
    [map, overview, changeMap].forEach(function (m) { if (m) m.invalidateSize(); });
  }
  window.addEventListener('resize', resizeAll);
  // On paper the map page shows the whole study area.
  window.addEventListener('beforeprint', function () {
    resizeAll();
    if (N > 0) map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [4, 4], animate: false });
    [map, overview, changeMap].forEach(function (m) { if (m) flattenForPrint(m); });
  });
  window.addEventListener('afterprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('.print-flat'), function (el) { el.remove(); });
  });

  // flattenForPrint draws what a map shows (water, cells, roads, routes,
  // places and town names, in the order of their panes) into one plain
  // canvas placed after the map, with a copy of its legend; print CSS shows
  // that instead of the live map. Chromium leaves the canvases inside
  // Leaflet's panes off the printed page although they hold their pixels
  // when printing starts, while a plain canvas prints.
  function flattenForPrint(m) {
    var box = m.getContainer(), r0 = box.getBoundingClientRect();
    if (!r0.width || !r0.height) return;
    var flat = document.createElement('canvas');
    flat.className = 'print-flat';
    flat.width = Math.round(r0.width); flat.height = Math.round(r0.height);
    var ctx = flat.getContext('2d');
    ctx.fillStyle = getComputedStyle(box).backgroundColor;
    ctx.fillRect(0, 0, flat.width, flat.height);
    ['water', 'tile', 'roads', 'routes', 'places'].forEach(function (pane) {
      Array.prototype.forEach.call(box.querySelectorAll('.leaflet-' + pane + '-pane canvas'), function (c) {
        var r = c.getBoundingClientRect();
        if (!r.width || !r.height) return;
        var layer = c.closest('.leaflet-layer');
        ctx.globalAlpha = layer ? parseFloat(getComputedStyle(layer).opacity) || 1 : 1;
        ctx.drawImage(c, r.left - r0.left, r.top - r0.top, r.width, r.height);
      });
    });
    ctx.globalAlpha = 1;
    Array.prototype.forEach.call(box.querySelectorAll('.leaflet-labels-pane .town span'), function (el) {
      var r = el.getBoundingClientRect(), cs = getComputedStyle(el);
      ctx.font = cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily;
      ctx.textBaseline = 'top';
      ctx.lineWidth = 3; ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.strokeText(el.textContent, r.left - r0.left, r.top - r0.top);
      ctx.fillStyle = cs.color;
      ctx.fillText(el.textContent, r.left - r0.left, r.top - r0.top);
    });
    box.parentNode.insertBefore(flat, box.nextSibling);
    var legendBox = box.querySelector('.legend');
    if (legendBox) {
      var copy = legendBox.cloneNode(true);
      copy.classList.add('print-flat', 'print-legend');
      flat.parentNode.insertBefore(copy, flat.nextSibling);
    }
  }

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

  // printCheck prepares the page for printing as the browser would, and
  // counts the pixels of the flattened main map that differ from the map's
  // paper colour: cells, roads and places must be on it. Last of the
  // checks, since it refits the map.
  function printCheck() {
    window.dispatchEvent(new Event('beforeprint'));
    var flat = document.querySelector('#map + canvas.print-flat'), n = -1;
    if (flat) {
      var d = flat.getContext('2d').getImageData(0, 0, flat.width, flat.height).data;
      n = 0;
      for (var q = 0; q < d.length; q += 4) if (d[q] !== d[0] || d[q + 1] !== d[1] || d[q + 2] !== d[2]) n++;
    }
    window.dispatchEvent(new Event('afterprint'));
    return n;
  }

  // clickAt sends a real mouse click to whatever element is on top at the
  // feature's position on map m, and returns the popup it opened, if any.
  function clickAt(m, latlng) {
    // A closed popup fades out for 200 ms before it leaves the page; the
    // check runs at once, so it takes the fading ones away first.
    m.closePopup();
    Array.prototype.forEach.call(m.getContainer().querySelectorAll('.leaflet-popup'), function (el) { el.remove(); });
    m.getContainer().scrollIntoView({ block: 'center' });
    var pt = m.latLngToContainerPoint(latlng), r = m.getContainer().getBoundingClientRect();
    var x = r.left + pt.x, y = r.top + pt.y, el = document.elementFromPoint(x, y), opened = null;
    if (!el) return null;
    var on = function (e) { opened = e.popup; };
    m.on('popupopen', on);
    ['mousedown', 'mouseup', 'click'].forEach(function (type) {
      el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window, clientX: x, clientY: y, button: 0 }));
    });
    m.off('popupopen', on);
    m.closePopup();
    return opened;
  }
  // loneMarker picks a marker of group g with no other within 40 m, so a
  // click at it can only mean it.
  function loneMarker(ms) {
    for (var a = 0; a < ms.length; a++) {
      var ok = true;
      for (var b = 0; b < ms.length && ok; b++) if (a !== b && ms[a].getLatLng().distanceTo(ms[b].getLatLng()) < 40) ok = false;
      if (ok) return ms[a];
    }
    return ms[0];
  }
  // clickLayers clicks one feature of every clickable layer, alone on the
  // map with the cells, and names the layers whose popup did not open.
  function clickLayers() {
    var groups = [];
    D.categories.forEach(function (c, k) { if (!c.composite) groups.push(['places: ' + c.label, placeLayers[k]]); });
    groups.push(['transit stops', stops], ['proposed sites', sites]);
    var on = groups.filter(function (g) { return map.hasLayer(g[1]); });
    var out = { tried: [], failed: [] };
    groups.forEach(function (g) {
      var ms = g[1].getLayers();
      if (!ms.length) return;
      groups.forEach(function (h) { map.removeLayer(h[1]); });
      g[1].addTo(map);
      var m = loneMarker(ms);
      map.setView(m.getLatLng(), 17, { animate: false });
      var p = clickAt(map, m.getLatLng());
      out.tried.push(g[0]);
      if (!p || p._source !== m) out.failed.push(g[0]);
    });
    groups.forEach(function (h) { map.removeLayer(h[1]); });
    on.forEach(function (g) { g[1].addTo(map); });
    if (N > 0 && map.hasLayer(cells)) {
      var i0 = 0;
      map.setView([C.lat[i0], C.lon[i0]], 16, { animate: false });
      var p = clickAt(map, L.latLng(C.lat[i0], C.lon[i0]));
      out.tried.push('cells');
      if (!p || p.getContent().indexOf('Residents:') < 0) out.failed.push('cells');
    }
    changeMarkers.forEach(function (m, k) {
      changeMap.setView(m.getLatLng(), 16, { animate: false });
      var p = clickAt(changeMap, m.getLatLng());
      out.tried.push('scenario marker ' + (k + 1));
      if (!p || p._source !== m) out.failed.push('scenario marker ' + (k + 1));
    });
    map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [12, 12], animate: false });
    window.scrollTo(0, 0);
    return out;
  }
  // layerColors lists the colour of every layer a reader tells apart on
  // the map; no two may be the same.
  function layerColors() {
    var out = [['underserved cells', S.underColor], ['transit stops', stopColor], ['water', waterFill], ['water lines', waterLine]];
    D.categories.forEach(function (c) { if (!c.composite) out.push(['places: ' + c.label, c.color]); });
    if (D.routes.length) out.push(['transit routes', routeColor]);
    if (D.sites.length) out.push(['proposed sites', siteColor]);
    if (D.opened.length || D.closed.length) out.push(['cells gaining', gainColor], ['cells losing', loseColor]);
    return out;
  }
  // tooWide names every control wider than the window or reaching past it.
  function tooWide() {
    var w = document.documentElement.clientWidth, out = [];
    document.querySelectorAll('input, select, button, textarea, summary, .leaflet-control, nav, .controls, .table-tools, figure, .chart, #map, .scroll').forEach(function (el) {
      // Inside a table that scrolls sideways a control may sit past the
      // window's edge: the scroll box itself is checked instead.
      if (el.parentElement && el.parentElement.closest('.scroll')) return;
      var r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;
      if (r.width > w + 1 || r.right > w + 1 + window.scrollX) out.push((el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className) + ' ' + Math.round(r.width) + ' px');
    });
    if (document.documentElement.scrollWidth > w + 1) {
      // Name the outermost elements that stick out, to say what to fix.
      var culprits = [];
      document.querySelectorAll('body *').forEach(function (el) {
        if (culprits.length >= 3 || el.closest('.scroll, .leaflet-container')) return;
        var r = el.getBoundingClientRect();
        if (r.right > w + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > w + 1 && el.parentElement !== document.body && el.parentElement.tagName !== 'MAIN' && el.parentElement.tagName !== 'SECTION')) {
          culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ')[0] : '') + ' ' + Math.round(r.right) + ' px');
        }
      });
      out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' px (' + culprits.join(', ') + ')');
    }
    return out;
  }
  // headlineBottom is how far down the page (not the window: the checks
  // above may have scrolled it) the headline's first line of figures ends:
  // its first big number, or the headline itself when shorter.
  function headlineBottom() {
    var h = document.querySelector('.headline');
    if (!h) return -1;
    var big = h.querySelector('.big') || h;
    return Math.round(big.getBoundingClientRect().bottom + window.scrollY);
  }
  // tocMissing names the sections the contents menu does not link to.
  function tocMissing() {
    return Array.prototype.filter.call(document.querySelectorAll('main > section[id]'), function (sec) {
      return !document.querySelector('nav.toc a[href="#' + sec.id + '"]');
    }).map(function (sec) { return sec.id; });
  }

  function verdict() {
    var exercised = location.hash === '#cg-selftest' ? exercise() : null;
    if (exercised) {
      exercised.clicks = clickLayers();
      exercised.colors = layerColors();
      exercised.tooWide = tooWide();
      exercised.tocMissing = tocMissing();
      exercised.width = document.documentElement.clientWidth;
      exercised.height = window.innerHeight;
      exercised.headlineBottom = headlineBottom();
      exercised.printPixels = printCheck();
    }
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
    // In a test frame (narrower than a headless window can be), hand the
    // verdict to the page around it.
    if (window.parent !== window) window.parent.postMessage({ cgSelfcheck: JSON.stringify(out) }, '*');
  }
  if (document.readyState === 'complete') setTimeout(verdict, 200);
  else window.addEventListener('load', function () { setTimeout(verdict, 200); });
})();
