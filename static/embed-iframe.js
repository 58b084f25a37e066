/*!
 * Kairos embed-iframe.js: the iframe side of the booking embed (served at /embed/iframe.js). Kairos includes
 * it in the booker and booking pages only when they render in embed mode.
 * It follows calcom/cal.com packages/embeds/embed-core/src/embed-iframe.ts and sdk-action-manager.ts:
 *  - it posts to window.parent (target "*", as Cal.com does):
 *      {originator:"CAL", type, namespace, fullType:"CAL:<ns>:<type>", data}
 *    ("CAL::<type>" for the default namespace ""). The namespace comes from ?embed= (or from the
 *    iframe name "cal-embed=<ns>").
 *  - events: __iframeReady {isPrerendering}, __dimensionChanged {iframeHeight, iframeWidth, isFirstTime},
 *    linkReady {} (after the parent's parentKnowsIframeReady), __closeIframe {} (Escape in a modal), and
 *    bookingSuccessful / bookingSuccessfulV2 (or the rescheduleBookingSuccessful* pair) built from
 *    <script type="application/json" id="kairos-booking">. On an error page (data-page-status) it sends
 *    linkFailed {code, msg, data:{url}} instead of dimensions and linkReady, as Cal.com's NotFound does.
 *  - __iframeReady and linkReady go once per embed, not once per page: every step of the booker is a page
 *    load in the same iframe. The embed's session is the iframe's own browsing context: its window.name
 *    survives navigation inside the frame, while a new iframe (the host page reloaded, a new embed) starts
 *    afresh. What the session has sent, and the parent's ui config, are kept there after the embed's
 *    "cal-embed=<ns>" name.
 *  - it accepts {originator:"CAL", method:"ui"|"parentKnowsIframeReady", arg} from the parent and ignores
 *    other methods.
 * Page scripts can call window.KairosEmbed.fire(type, data) to send more events.
 */
(function () {
  "use strict";
  var W = window, D = document, H = D.documentElement;
  if (W.parent === W || W.KairosEmbed) return; // Not framed, or already loaded
  var P = new URL(location.href).searchParams;
  var MARK = "\n[kairos-embed]", at = W.name.indexOf(MARK);
  var frameName = at < 0 ? W.name : W.name.slice(0, at);
  var session = {};
  if (at >= 0) { try { session = JSON.parse(W.name.slice(at + MARK.length)) || {}; } catch (e) { session = {}; } }
  var ns = P.get("embed");
  if (ns === null && /^cal-embed=/.test(frameName)) ns = frameName.slice("cal-embed=".length);
  // No namespace means this is not an embed. preload=true is Cal.com's asset-only preload.
  if (ns === null || P.get("preload") === "true") return;
  var embedType = P.get("embedType") || "";

  // What this embed (this iframe, across its page loads) has done
  function remember(key, value) {
    session[key] = value;
    try { W.name = frameName + MARK + JSON.stringify(session); } catch (e) { /* Not kept: sent again next page */ }
  }
  function once(key, send) {
    if (session[key]) return;
    remember(key, true);
    send();
  }

  function fire(type, data) {
    var full = "CAL:" + ns + ":", detail = { type: type, namespace: ns, fullType: full + type, data: data || {} };
    try {
      W.parent.postMessage({ originator: "CAL", type: type, namespace: ns, fullType: detail.fullType, data: detail.data }, "*");
    } catch (e) { /* Data that can't be cloned is dropped */ }
    W.dispatchEvent(new CustomEvent(detail.fullType, { detail: detail }));
    W.dispatchEvent(new CustomEvent(full + "*", { detail: detail }));
  }
  W.KairosEmbed = { namespace: ns, embedType: embedType, fire: fire };

  // Dimensions. The <html> box's height is the content height and doesn't depend on the iframe's size
  // (scrollHeight never shrinks below the viewport), as long as html/body aren't forced to 100%.
  var known = "", first = true, pending = false;
  function measure() {
    pending = false;
    var r = H.getBoundingClientRect(), h = Math.ceil(r.height), w = Math.ceil(r.width);
    if (!h || !w || known === h + "x" + w) return;
    known = h + "x" + w;
    fire("__dimensionChanged", { iframeHeight: h, iframeWidth: w, isFirstTime: first });
    first = false;
  }
  function schedule() { // At most once per animation frame
    if (pending) return;
    pending = true;
    (W.requestAnimationFrame || setTimeout)(measure);
  }

  // Theme and branding from the parent's Cal("ui", {...})
  var cssVars = null, setVars = [];
  var darkQuery = W.matchMedia ? W.matchMedia("(prefers-color-scheme: dark)") : null;
  function setTheme(t) {
    if (t === "light" || t === "dark" || t === "auto") { H.setAttribute("data-theme", t); applyVars(); }
  }
  function applyVars() {
    if (!cssVars) return;
    var t = H.getAttribute("data-theme");
    if (t !== "light" && t !== "dark") t = darkQuery && darkQuery.matches ? "dark" : "light";
    setVars.forEach(function (n) { H.style.removeProperty(n); });
    setVars = [];
    var vars = cssVars[t] || {};
    Object.keys(vars).forEach(function (k) {
      var name = k.indexOf("--") === 0 ? k : "--" + k;
      H.style.setProperty(name, String(vars[k]));
      setVars.push(name);
      if (name === "--cal-brand") { H.style.setProperty("--brand", String(vars[k])); setVars.push("--brand"); }
    });
  }
  if (darkQuery && darkQuery.addEventListener) darkQuery.addEventListener("change", applyVars);

  function ui(cfg) {
    if (!cfg || typeof cfg !== "object") return;
    var kept = session.ui || {};
    Object.keys(cfg).forEach(function (k) { kept[k] = cfg[k]; });
    remember("ui", kept); // The next page in this frame looks the same
    applyUi(cfg);
  }
  function applyUi(cfg) {
    if (cfg.theme) setTheme(cfg.theme);
    if (typeof cfg.colorScheme === "string") H.style.colorScheme = cfg.colorScheme;
    var st = cfg.styles || {};
    if (st.branding && st.branding.brandColor) H.style.setProperty("--brand", String(st.branding.brandColor));
    if (st.body && st.body.background) D.body.style.background = String(st.body.background);
    if (cfg.cssVarsPerTheme && typeof cfg.cssVarsPerTheme === "object") { cssVars = cfg.cssVarsPerTheme; applyVars(); }
  }

  var failed = null; // The error page's status element, if this page is one
  function linkReady() {
    if (!failed) once("linkReady", function () { fire("linkReady", {}); });
  }

  W.addEventListener("message", function (e) {
    var d = e.data;
    if (e.source !== W.parent || !d || d.originator !== "CAL" || typeof d.method !== "string") return;
    if (d.method === "ui") ui(d.arg);
    else if (d.method === "parentKnowsIframeReady") linkReady();
    // Other Cal.com methods (connect, __reloadInitiated, …) have no meaning for Kairos and are ignored.
  });

  // Cal.com's booking-success events, built from the JSON that the confirmation page embeds
  function bookingEvents() {
    var el = D.getElementById("kairos-booking"), b;
    if (!el) return;
    try { b = JSON.parse(el.textContent); } catch (e) { return; }
    if (!b || typeof b !== "object" || !b.uid) return;
    var status = String(b.status || "accepted").toUpperCase(); // Cal.com's BookingStatus: ACCEPTED, PENDING
    var org = b.organizer || {};
    var duration = typeof b.duration === "number" ? b.duration
      : Math.round((Date.parse(b.endTime) - Date.parse(b.startTime)) / 60000) || undefined;
    var v1 = {
      booking: {
        id: b.id, uid: b.uid, title: b.title, startTime: b.startTime, endTime: b.endTime,
        eventTypeId: b.eventTypeId, status: status, location: b.location,
        attendees: b.attendees || [], user: { name: org.name, email: org.email, timeZone: org.timeZone }
      },
      eventType: { id: b.eventTypeId, slug: b.eventTypeSlug, title: b.eventTypeTitle || b.title, length: duration },
      date: b.startTime,
      duration: duration,
      organizer: { name: org.name || "Nameless", email: org.email || "Email-less", timeZone: org.timeZone || "UTC" },
      confirmed: status !== "PENDING"
    };
    var v2 = {
      uid: b.uid, title: b.title, startTime: b.startTime, endTime: b.endTime, eventTypeId: b.eventTypeId,
      status: status, paymentRequired: false, isRecurring: false
    };
    var prefix = b.rescheduled ? "rescheduleBookingSuccessful" : "bookingSuccessful";
    once(prefix + ":" + b.uid + ":" + b.startTime, function () { // Not again when the page is reloaded
      fire(prefix, v1);
      fire(prefix + "V2", v2);
    });
  }

  // In embed mode, same-origin navigation keeps ?embed and ?embedType (the server keeps them too).
  function keepEmbed(u) {
    if (u.origin !== location.origin || u.searchParams.has("embed")) return false;
    u.searchParams.set("embed", ns);
    if (embedType) u.searchParams.set("embedType", embedType);
    return true;
  }
  function leavesFrame(t) { return /^_(blank|top|parent)$/i.test(t || ""); }
  D.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a[href]") : null;
    if (!a || a.hasAttribute("download") || leavesFrame(a.getAttribute("target"))) return;
    var u = new URL(a.href, location.href);
    if (keepEmbed(u)) a.href = u.toString();
  }, true);
  D.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f || f.tagName !== "FORM" || leavesFrame(f.getAttribute("target"))) return;
    var u = new URL(f.getAttribute("action") || location.href, location.href);
    if (u.origin !== location.origin) return;
    if ((f.getAttribute("method") || "get").toLowerCase() === "get") { // A GET form replaces the query: add fields
      [["embed", ns], ["embedType", embedType]].forEach(function (p) {
        if (!p[1] && p[0] === "embedType") return;
        if (f.querySelector('[name="' + p[0] + '"]')) return;
        var i = f.appendChild(D.createElement("input"));
        i.type = "hidden"; i.name = p[0]; i.value = p[1];
      });
    } else if (keepEmbed(u)) {
      f.setAttribute("action", u.toString());
    }
  }, true);

  // Escape closes a modal embed, as a click on the overlay does
  D.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !e.defaultPrevented && embedType !== "inline") fire("__closeIframe", {});
  });

  function start() {
    setTheme(P.get("theme"));
    if (session.ui) applyUi(session.ui);
    var ready = !!session.iframeReady;
    once("iframeReady", function () { fire("__iframeReady", { isPrerendering: false }); });
    failed = D.querySelector("[data-page-status]");
    if (failed) { // An error page: the host page shows its own error state (Cal.com sends no dimensions)
      fire("linkFailed", {
        code: failed.getAttribute("data-page-status"),
        msg: "Problem loading the link",
        data: { url: D.URL }
      });
      return;
    }
    measure();
    if (W.ResizeObserver) {
      var ro = new ResizeObserver(schedule);
      ro.observe(H);
      ro.observe(D.body);
    } else {
      setInterval(schedule, 250);
    }
    W.addEventListener("load", schedule);
    bookingEvents();
    // A later page: the parent already knows the frame (it answered __iframeReady, or missed it)
    if (ready) linkReady();
    else setTimeout(linkReady, 3000); // In case the parent never sends parentKnowsIframeReady
  }
  if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", start); else start();
})();
