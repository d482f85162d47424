// Dilemmaboard's loader for partner sites (README: "For partner sites"):
//   <script src="https://SITE/static/embed.js" data-dilemma="current" data-partner="ID" async></script>
// puts the embed in an iframe right after this script tag and keeps the frame as
// tall as the embed's page. Only messages from the frame itself, coming from the
// origin this script was loaded from, may change its height.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var origin = new URL(script.src, document.baseURI).origin;
  var dilemma = script.getAttribute("data-dilemma") || "current";
  var partner = script.getAttribute("data-partner") || "";
  if (!/^[a-z0-9-]{1,80}$/.test(dilemma)) { return; }
  var frame = document.createElement("iframe");
  frame.src = origin + "/embed/" + dilemma +
    (partner ? "?partner=" + encodeURIComponent(partner) : "");
  frame.title = script.getAttribute("data-title") || "Ugens dilemma · Dilemmaboard";
  frame.className = "dilemmaboard-embed";
  frame.setAttribute("loading", "lazy");
  frame.width = "100%";
  frame.height = "720";
  frame.style.border = "0";
  frame.style.width = "100%";
  frame.style.maxWidth = "100%";
  frame.style.display = "block";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) { return; }
    var data = event.data;
    if (!data || data.type !== "dilemmaboard:height") { return; }
    var height = Number(data.height);
    if (!isFinite(height) || height < 50 || height > 20000) { return; }
    frame.style.height = Math.ceil(height) + "px";
  });
}());
