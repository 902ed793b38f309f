/* wikiloves-kit map helpers (no dependencies). Decodes the country's region outlines; builds a monument's Commons UploadWizard link in the
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
  var api = { encode: encode, uploadUrl: uploadUrl, regionFeatures: regionFeatures };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.wlkMap = api;
})(this);
