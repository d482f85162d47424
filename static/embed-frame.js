// Inside the embed (templates/embed/case.html): tell the page that frames us how tall
// we are, so static/embed.js can size the iframe. A height is nothing secret, so it
// goes to any parent ("*"); the loader checks that it comes from our origin.
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var last = 0;
  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) { return; }
    last = height;
    window.parent.postMessage({ type: "dilemmaboard:height", height: height }, "*");
  }
  if (window.ResizeObserver) { new ResizeObserver(post).observe(document.body); }
  window.addEventListener("load", post);
  post();
}());
