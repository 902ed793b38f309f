/* wikiloves-kit map helpers (no dependencies; Leaflet is passed in). Draws the backdrop and an overview's cells;
 * decodes the country's region outlines; builds a monument's Commons UploadWizard link in the
 * page from one URL template per map, so a large map does not carry a 300-character URL per point.
 * The result is byte-for-byte the link reports.filters.upload_wizard_url writes into the lists:
 * values percent-encoded like Python's quote(safe="") with "~" as %7E. */
(function (root) {
  "use strict";
  function encode(text) {
    return encodeURIComponent(String(text)).replace(/[!'()*~]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }
  // upload: {"described": template, "plain": template} with the tokens WLKTOKID and WLKTOKDESC.
  function uploadUrl(upload, p) {
    var url = p.label ? upload.described.split("WLKTOKDESC").join(encode(p.label)) : upload.plain;
    url = url.split("WLKTOKID").join(encode(p.uid));
    if (typeof p.lat === "number" && typeof p.lon === "number") {
      url += "&lat=" + encode(p.lat.toFixed(6)) + "&lon=" + encode(p.lon.toFixed(6));
    }
    return url;
  }
  // doc: one country's region outlines as shipped (reports/static/regions/XX.json): rings of
  // integers in 1/doc.scale degree, delta-coded. Returns GeoJSON features (same as
  // reports.region_outlines.region_features in Python).
  function regionFeatures(doc) {
    if (!doc || !doc.regions) return [];
    return doc.regions.map(function (r) {
      var polygons = r.p.map(function (polygon) {
        return polygon.map(function (ring) {
          var out = [], x = 0, y = 0;
          for (var i = 0; i + 1 < ring.length; i += 2) {
            x += ring[i]; y += ring[i + 1];
            out.push([x / doc.scale, y / doc.scale]);
          }
          var first = out[0], last = out[out.length - 1];
          if (out.length && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0], first[1]]);
          return out;
        });
      });
      return { type: "Feature", properties: { name: r.name, wikidata: r.wikidata, iso: r.iso },
               geometry: { type: "MultiPolygon", coordinates: polygons } };
    });
  }
  // The map's backdrop: a lon/lat graticule instead of tiles (the page contacts no server), the
  // country filled with its neighbours faint (Natural Earth), and the country's regions as thin
  // lines named on hover (län, regioni, cantons …; Natural Earth admin-1). isChosen(feature)
  // tells which region to draw bolder; returns the regions layer (restyle it with
  // layer.setStyle(layer.wlkStyle) when the choice changes).
  function backdrop(L, map, outlines, regionDoc, isChosen) {
    var grid = [];
    for (var lon = -180; lon <= 180; lon += 5) grid.push([[-85, lon], [85, lon]]);
    for (var lat = -80; lat <= 80; lat += 5) grid.push([[lat, -180], [lat, 180]]);
    L.polyline(grid, { color: "#b8c6d3", weight: 1, interactive: false, className: "wlk-grid" }).addTo(map);
    L.geoJSON(outlines, { interactive: false, style: function (f) {
      return f.properties.main
        ? { color: "#6b7f91", weight: 1.2, fillColor: "#f7f5ef", fillOpacity: 1, className: "wlk-outline wlk-country" }
        : { color: "#a9b6c2", weight: 0.8, fillColor: "#eceae3", fillOpacity: 1, className: "wlk-outline wlk-neighbour" };
    } }).addTo(map);
    var plain = { color: "#8a9aab", weight: 0.8, opacity: 0.9, fill: true, fillOpacity: 0, className: "wlk-region" };
    function style(f) { return isChosen && isChosen(f) ? { color: "#4d5f70", weight: 2.2 } : plain; }
    var layer = L.geoJSON(regionFeatures(regionDoc), {
      style: style,
      onEachFeature: function (f, part) {
        var name = f.properties.name;
        if (name) part.bindTooltip(function () {
          var span = document.createElement("span");
          span.textContent = name;  // text, never markup
          return span;
        }, { sticky: true, className: "wlk-region-name" });
        part.on("mouseover", function () { part.setStyle({ weight: 2 }); });
        part.on("mouseout", function () { part.setStyle(style(f)); });
      }
    }).addTo(map);
    layer.wlkStyle = style;
    return layer;
  }
  // "#rrggbb" between a (share 0) and b (share 1).
  function mix(a, b, share) {
    var out = "#";
    for (var i = 1; i < 7; i += 2) {
      var x = parseInt(a.slice(i, i + 2), 16), y = parseInt(b.slice(i, i + 2), 16);
      out += ("0" + Math.round(x + (y - x) * share).toString(16)).slice(-2);
    }
    return out;
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;  // text, never markup
    return a;
  }
  // An overview page: doc = {step, pages: [[href, title]], cells: [[i, j, monuments, with_photo,
  // [[page, count]], more_pages]]} (reports.lists_map_pages.Grid.doc). One rectangle per cell,
  // from red (no photo) to green (all photographed), more opaque where there are more monuments;
  // its popup links to the pages holding its markers. Returns the cells' layer.
  function drawCells(L, map, doc, colours) {
    var layer = L.featureGroup(), top = 1;
    doc.cells.forEach(function (c) { top = Math.max(top, c[2]); });
    doc.cells.forEach(function (c) {
      var s = doc.step, colour = mix(colours["without"], colours["with"], c[3] / c[2]);
      var cell = L.rectangle([[c[0] * s, c[1] * s], [(c[0] + 1) * s, (c[1] + 1) * s]], {
        color: colour, weight: 0.5, fillColor: colour,
        fillOpacity: 0.35 + 0.5 * Math.log(1 + c[2]) / Math.log(1 + top), className: "wlk-cell"
      });
      cell.bindTooltip(c[2] + " monuments, " + c[3] + " with a photo");
      cell.bindPopup(function () {
        var box = document.createElement("div");
        box.className = "wlk-cell-popup";
        box.appendChild(document.createTextNode(c[2] + " monuments, " + c[3] + " with a photo:"));
        c[4].forEach(function (pc) {
          box.appendChild(document.createElement("br"));
          box.appendChild(link(doc.pages[pc[0]][0], doc.pages[pc[0]][1] + " (" + pc[1] + ")"));
        });
        if (c[5]) {
          box.appendChild(document.createElement("br"));
          box.appendChild(document.createTextNode("… and " + c[5] + " more pages (see the list)"));
        }
        return box;
      });
      layer.addLayer(cell);
    });
    return layer.addTo(map);
  }
  var api = { encode: encode, uploadUrl: uploadUrl, regionFeatures: regionFeatures, backdrop: backdrop,
              mix: mix, drawCells: drawCells };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.wlkMap = api;
})(this);
