/* wikiloves-kit map helpers (no dependencies). Builds a monument's Commons UploadWizard link in the
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
  var api = { encode: encode, uploadUrl: uploadUrl };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.wlkMap = api;
})(this);
