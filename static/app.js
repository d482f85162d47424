// Progressive enhancement: every page works without this file.
//
// A form marked data-enhance="#vote-area #comments" (and every comment form in the
// comment section) is sent with fetch instead of a page load. The server answers exactly as for a plain form (303 to the case page,
// which fetch follows); the listed parts of the page are swapped for their new
// versions, the confirmation is announced through the aria-live region, and focus
// moves to the new results. On a network failure the form is submitted the old way.
(function () {
  "use strict";

  // Forms in other people's templates, enhanced without marking them up: only those
  // inside the comment section, whose answer has a #comments to swap in. A form on a
  // page of its own (editing a comment, reporting one) follows its redirect the plain way.
  var AUTO_ENHANCE = [
    ["#comments form.comment-form", "#comments"]
  ];

  function announce(text) {
    var region = document.getElementById("live-region");
    if (!region || !text) { return; }
    // Clear first, so the same words said twice are still read out.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 60);
  }

  function textOf(doc, selector) {
    var node = doc.querySelector(selector);
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function showError(form, message) {
    var box = form.querySelector(".form-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "form-error";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.querySelector("button[type=submit], .button"));
    }
    box.textContent = message;
    box.hidden = false;
  }

  function swapParts(doc, selectors) {
    selectors.forEach(function (selector) {
      var fresh = doc.querySelector(selector);
      var old = document.querySelector(selector);
      if (fresh && old) {
        old.replaceWith(document.importNode(fresh, true));
      } else if (fresh && !old && selector === "#comments") {
        var anchor = document.querySelector("#vote-area");
        if (anchor) { anchor.insertAdjacentElement("afterend", document.importNode(fresh, true)); }
      }
    });
    var flashes = document.getElementById("flashes");
    var freshFlashes = doc.getElementById("flashes");
    if (flashes && freshFlashes) { flashes.replaceWith(document.importNode(freshFlashes, true)); }
    enhance(document);
  }

  function commentIds(root) {
    return Array.prototype.map.call(root.querySelectorAll("article.comment[id]"),
      function (node) { return node.id; });
  }

  function focusAfter(selectors, before) {
    var target = null;
    if (selectors.indexOf("#vote-area") !== -1) {
      target = document.getElementById("results");
    }
    if (!target) {
      // A new comment (or a refusal next to the form) is where the reader's eyes go.
      target = document.querySelector("#comments .form-error");
      var added = commentIds(document).filter(function (id) { return before.indexOf(id) === -1; });
      if (!target && added.length) { target = document.getElementById(added[added.length - 1]); }
    }
    if (!target) { target = document.querySelector(selectors[0]); }
    if (target) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }

  function submitEnhanced(event) {
    var form = event.currentTarget;
    if (form.dataset.busy === "1") { event.preventDefault(); return; }
    if (!window.fetch || !window.DOMParser || !window.URLSearchParams) { return; }
    event.preventDefault();
    var selectors = (form.getAttribute("data-enhance") || "").split(/\s+/).filter(Boolean);
    var before = commentIds(document);
    var button = form.querySelector("button[type=submit], .button");
    var body = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) {
      body.append(event.submitter.name, event.submitter.value);
    }
    form.dataset.busy = "1";
    if (button) { button.setAttribute("aria-busy", "true"); button.disabled = true; }

    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var refusal = textOf(doc, "#comments .form-error");
        if (!response.ok && !refusal) {
          // An error page: its heading is the reader-facing message.
          var message = textOf(doc, "main h1") || response.statusText;
          showError(form, message);
          announce(message);
          return;
        }
        swapParts(doc, selectors);
        var said = refusal ? [refusal] : [textOf(doc, "#flashes"), textOf(doc, "#vote-area .total")];
        announce(said.filter(Boolean).join(" "));
        focusAfter(selectors, before);
      });
    }).catch(function () {
      // Offline or the server went away mid-request: let the browser try the plain way.
      form.removeEventListener("submit", submitEnhanced);
      form.submit();
    }).finally(function () {
      form.dataset.busy = "";
      if (button && button.isConnected) { button.removeAttribute("aria-busy"); button.disabled = false; }
    });
  }

  function enhance(root) {
    AUTO_ENHANCE.forEach(function (pair) {
      root.querySelectorAll(pair[0]).forEach(function (form) {
        if (!form.hasAttribute("data-enhance")) { form.setAttribute("data-enhance", pair[1]); }
      });
    });
    root.querySelectorAll("form[data-enhance]").forEach(function (form) {
      if (form.dataset.enhanced === "1") { return; }
      form.dataset.enhanced = "1";
      form.addEventListener("submit", submitEnhanced);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
}());

// "Kopiér link": without JavaScript a plain link to the case; with it, the address
// goes to the clipboard and the confirmation is said where the reader is.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-copy-link]") : null;
    if (!link || !navigator.clipboard) { return; }
    event.preventDefault();
    navigator.clipboard.writeText(link.href).then(function () {
      var region = document.getElementById("live-region");
      link.setAttribute("data-state", "copied");
      if (region) { region.textContent = link.getAttribute("data-copied"); }
    }, function () { window.location.href = link.href; });
  });
}());
