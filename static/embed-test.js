// The embed test page's script: a host page that loads Kairos' embed.js through Cal.com's
// unchanged snippet (a file, as the pages' Content-Security-Policy allows no inline script).
var calLink = new URLSearchParams(location.search).get("calLink") || "demo/30min";
document.getElementById("cal-link").textContent = calLink;
document.getElementById("modal-trigger").setAttribute("data-cal-link", calLink);

// Cal.com's embed snippet, unchanged except for the embed.js URL
(function (C, A, L) { let p = function (a, ar) { a.q.push(ar); }; let d = C.document; C.Cal = C.Cal || function () { let cal = C.Cal; let ar = arguments; if (!cal.loaded) { cal.ns = {}; cal.q = cal.q || []; d.head.appendChild(d.createElement("script")).src = A; cal.loaded = true; } if (ar[0] === L) { const api = function () { p(api, arguments); }; const namespace = ar[1]; api.q = api.q || []; if(typeof namespace === "string"){cal.ns[namespace] = cal.ns[namespace] || api;p(cal.ns[namespace], ar);p(cal, ["initNamespace", namespace]);} else p(cal, ar); return;} p(cal, ar); }; })(window, new URL("/embed/embed.js", location.origin).href, "init");

function logEvent(e) {
  var li = document.createElement("li");
  li.setAttribute("data-type", e.detail.type);
  li.setAttribute("data-namespace", e.detail.namespace);
  li.title = JSON.stringify(e.detail.data);
  li.textContent = e.detail.type;
  document.getElementById("embed-events").appendChild(li);
}

// Default namespace: inline
Cal("init", { origin: location.origin });
Cal("on", { action: "*", callback: logEvent });
Cal("inline", { elementOrSelector: "#inline-embed", calLink: calLink, config: { layout: "month_view" } });

// Namespace "popup": floating button and the data-cal-link button
Cal("init", "popup", { origin: location.origin });
Cal.ns.popup("on", { action: "*", callback: logEvent });
Cal.ns.popup("floatingButton", { calLink: calLink, buttonText: "Book my Cal", buttonPosition: "bottom-right", buttonColor: "#0f766e" });
Cal.ns.popup("ui", { theme: "light", styles: { branding: { brandColor: "#0f766e" } } });
