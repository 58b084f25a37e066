/*!
 * Kairos embed.js: the parent-page side of the booking embed, served at /embed/embed.js.
 * It is a drop-in for Cal.com's embed.js that works with the unmodified Cal.com snippet and Cal(...) API.
 * It follows calcom/cal.com packages/embeds:
 *  - embed-snippet/src/index.ts and embed-core/src/embed.ts: calls wait in Cal.q and Cal.ns[ns].q.
 *    Cal("init","ns") also queues ["initNamespace", ns]. On load each queue is drained and its push() is
 *    replaced so that later calls run at once.
 *  - embed-iframe.ts and sdk-action-manager.ts: the iframe sends postMessage({originator:"CAL", type, namespace,
 *    fullType:"CAL:<ns>:<type>", data}). The parent dispatches window CustomEvents named fullType and
 *    "CAL:<ns>:*" with detail {type, namespace, fullType, data}.
 *    The parent sends {originator:"CAL", method:"ui"|"parentKnowsIframeReady", arg} to the iframe.
 *  - The iframe URL is <origin>/<calLink>/embed?<calLink's query>&embed=<ns>&<config…>&embedType=inline|modal
 */
(function () {
  "use strict";
  var W = window, D = document;
  var script = D.currentScript || [].slice.call(D.getElementsByTagName("script"))
    .filter(function (s) { return /\/embed\/embed\.js([?#]|$)/.test(s.src); }).pop();
  var DEFAULT_ORIGIN = script && script.src ? new URL(script.src, location.href).origin : location.origin;

  var G = W.Cal;
  if (!G) { // Loaded by a plain <script> tag with no snippet: install the snippet's equivalent
    G = W.Cal = function () {
      var a = arguments, n = a[1], api;
      if (a[0] === "init" && typeof n === "string") {
        api = G.ns[n];
        if (!api) { api = G.ns[n] = function () { api.q.push(arguments); }; api.q = []; }
        api.q.push(a);
        G.q.push(["initNamespace", n]);
        return;
      }
      G.q.push(a);
    };
    G.loaded = true;
  }
  if (G.__kairos) return; // Loaded twice
  G.__kairos = true;
  G.q = G.q || [];
  G.ns = G.ns || {};

  var instances = {}, frames = [], modals = [], savedOverflow = "";
  var ICON = '<svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"><rect x="3" y="4" width="18" height="18" rx="2"/><path d="M16 2v4M8 2v4M3 10h18"/></svg>';

  function clean(o) { return o ? String(o).replace(/\/+$/, "") : ""; }
  function warn() { console.warn.apply(console, ["Kairos embed:"].concat([].slice.call(arguments))); }

  function setParam(q, k, v) {
    q.delete(k);
    [].concat(v).forEach(function (x) { q.append(k, typeof x === "object" ? JSON.stringify(x) : String(x)); });
  }

  // Like Cal.com's loadInIframe. Config keys become query params and win over the same keys in calLink's query.
  function buildUrl(origin, ns, calLink, config, embedType) {
    var u = new URL(origin + "/" + String(calLink).replace(/^\/+/, ""));
    if (!/\/embed$/.test(u.pathname)) u.pathname = u.pathname.replace(/\/+$/, "") + "/embed";
    var q = u.searchParams;
    q.set("embed", ns);
    config = config || {};
    Object.keys(config).forEach(function (k) {
      var v = config[k];
      if (k === "iframeAttrs" || k === "embed" || v === undefined || v === null) return;
      if (k === "guests") setParam(q, "guest", v); // Cal.com maps guests -> guest for the booking page
      setParam(q, k, v);
    });
    q.set("embedType", embedType);
    return u.toString();
  }

  function fire(ns, type, data) {
    var full = "CAL:" + ns + ":", detail = { type: type, namespace: ns, fullType: full + type, data: data };
    W.dispatchEvent(new CustomEvent(full + type, { detail: detail }));
    W.dispatchEvent(new CustomEvent(full + "*", { detail: detail }));
  }

  function post(f, method, arg) {
    var w = f.el.contentWindow;
    if (w) w.postMessage({ originator: "CAL", method: method, arg: arg }, f.origin);
  }

  function makeFrame(inst, calLink, config, embedType, calOrigin) {
    var url = buildUrl(clean(calOrigin) || inst.origin, inst.ns, calLink, config, embedType);
    var el = D.createElement("iframe"), attrs = (config && config.iframeAttrs) || {};
    el.className = "cal-embed kcal-frame";
    el.name = "cal-embed=" + inst.ns;
    el.title = attrs.title || "Book a call";
    if (attrs.id) el.id = attrs.id;
    el.setAttribute("allow", "payment");
    el.src = url;
    var f = { el: el, inst: inst, origin: new URL(url).origin, modal: null };
    frames.push(f);
    return f;
  }

  // Work the SDK itself does in response to iframe events (embed.ts's internal actionManager.on handlers)
  function internal(f, type, data) {
    if (type === "__iframeReady") {
      post(f, "parentKnowsIframeReady");
      f.inst.ui.forEach(function (u) { post(f, "ui", u); }); // The frame keeps it for its later pages
    } else if (type === "__dimensionChanged") {
      var h = Number(data.iframeHeight);
      if (h > 0 && h < 1e5) f.el.style.height = Math.ceil(h) + "px";
    } else if (type === "linkReady" || type === "linkFailed") {
      if (f.modal) f.modal.box.removeAttribute("aria-busy");
    } else if (type === "__closeIframe" && f.modal) {
      closeModal(f.modal);
    }
  }

  W.addEventListener("message", function (e) {
    var d = e.data, f = null, i;
    frames = frames.filter(function (x) { return x.el.isConnected; });
    for (i = 0; e.source && !f && i < frames.length; i++) if (frames[i].el.contentWindow === e.source) f = frames[i];
    if (!f || e.origin !== f.origin || !d || typeof d.fullType !== "string") return;
    var p = d.fullType.split(":");
    if (p[0] !== "CAL" || p[1] !== f.inst.ns || p.length < 3) return;
    var type = p.slice(2).join(":"), data = d.data && typeof d.data === "object" ? d.data : {};
    internal(f, type, data);
    fire(f.inst.ns, type, data);
  });

  function openModal(inst, calLink, config, calOrigin) {
    var f = makeFrame(inst, calLink, config, "modal", calOrigin);
    var ov = D.createElement("div");
    ov.className = "kcal-overlay";
    ov.innerHTML = '<span class="kcal-trap" tabindex="0"></span><div class="kcal-modal" role="dialog" aria-modal="true"' +
      ' aria-label="Book a call" aria-busy="true"><button type="button" class="kcal-close" aria-label="Close booking dialog">' +
      '&times;</button></div><span class="kcal-trap" tabindex="0"></span>';
    var box = ov.children[1], close = box.firstChild;
    var m = { ov: ov, box: box, frame: f, focus: D.activeElement };
    f.modal = m;
    box.appendChild(f.el);
    f.el.addEventListener("load", function () { box.removeAttribute("aria-busy"); });
    close.addEventListener("click", function () { closeModal(m); });
    ov.addEventListener("click", function (e) { if (e.target === ov) closeModal(m); });
    // Focus trap: the sentinels on either side of the dialog send focus back into it
    ov.firstChild.addEventListener("focus", function () { f.el.focus(); });
    ov.lastChild.addEventListener("focus", function () { close.focus(); });
    if (!modals.length) { savedOverflow = D.documentElement.style.overflow; D.documentElement.style.overflow = "hidden"; }
    modals.push(m);
    D.body.appendChild(ov);
    close.focus();
    return m;
  }

  function closeModal(m) {
    var i = modals.indexOf(m);
    if (i < 0) return;
    modals.splice(i, 1);
    frames = frames.filter(function (x) { return x !== m.frame; });
    m.ov.remove();
    if (!modals.length) D.documentElement.style.overflow = savedOverflow;
    if (m.focus && m.focus.focus && m.focus.isConnected) m.focus.focus();
  }

  D.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && modals.length) { e.preventDefault(); closeModal(modals[modals.length - 1]); }
  });

  // The API behind Cal(...) / Cal.ns[name](...). `this` is the namespace's Instance.
  var API = {
    init: function (nsOrConfig, config) {
      if (typeof nsOrConfig === "string") { if (nsOrConfig !== this.ns) return; } else config = nsOrConfig;
      config = config || {};
      this.origin = clean(config.calOrigin || config.origin) || this.origin;
      this.config = config;
    },
    initNamespace: function (ns) {
      var api = G.ns[ns];
      if (api && !instances[ns]) api.instance = new Instance(ns, api.q);
    },
    inline: function (o) {
      o = o || {};
      var c = typeof o.elementOrSelector === "string" ? D.querySelector(o.elementOrSelector) : o.elementOrSelector;
      if (!c || !o.calLink) throw new Error("inline needs calLink and an existing elementOrSelector");
      if (c.querySelector(":scope > .kcal-frame")) return warn("inline embed already exists in", c);
      var f = makeFrame(this, o.calLink, o.config, "inline", o.calOrigin);
      c.classList.add("cal-inline-container");
      c.appendChild(f.el);
    },
    floatingButton: function (o) {
      o = o || {};
      var id = o.attributes && o.attributes.id, b = id && D.getElementById(id);
      if (!b) {
        b = D.body.appendChild(D.createElement("button"));
        b.type = "button";
        b.className = "kcal-float";
        if (id) b.id = id;
      }
      b.setAttribute("data-cal-link", o.calLink);
      b.setAttribute("data-cal-namespace", this.ns);
      if (o.calOrigin) b.setAttribute("data-cal-origin", o.calOrigin);
      if (o.config) b.setAttribute("data-cal-config", JSON.stringify(o.config));
      b.setAttribute("data-position", o.buttonPosition === "bottom-left" ? "bottom-left" : "bottom-right");
      b.style.background = o.buttonColor || "rgb(0, 0, 0)";
      b.style.color = o.buttonTextColor || "rgb(255, 255, 255)";
      b.innerHTML = o.hideButtonIcon === true || o.hideButtonIcon === "true" ? "" : ICON;
      b.appendChild(D.createElement("span")).textContent = o.buttonText || "Book my Cal";
    },
    modal: function (o) {
      o = o || {};
      if (!o.calLink) throw new Error("modal needs calLink");
      openModal(this, o.calLink, o.config, o.calOrigin);
    },
    closeModal: function () {
      var ns = this.ns;
      modals.slice().forEach(function (m) { if (m.frame.inst.ns === ns) closeModal(m); });
    },
    on: function (o) {
      if (!o || typeof o.callback !== "function") throw new Error("on needs action and callback");
      W.addEventListener("CAL:" + this.ns + ":" + o.action, o.callback);
    },
    off: function (o) {
      if (o && o.action) W.removeEventListener("CAL:" + this.ns + ":" + o.action, o.callback);
    },
    ui: function (cfg) {
      if (!cfg || typeof cfg !== "object") throw new Error("ui needs a config object");
      this.ui.push(cfg);
      var ns = this.ns;
      frames.forEach(function (f) { if (f.inst.ns === ns) post(f, "ui", cfg); });
    },
    // Cal.com preloads with a hidden iframe. A prefetch hint is enough here and runs no script.
    preload: function (o) {
      if (!o || !o.calLink) return;
      var l = D.createElement("link");
      l.rel = "prefetch";
      l.href = buildUrl(clean(o.calOrigin) || this.origin, this.ns, o.calLink, {}, "modal");
      D.head.appendChild(l);
    }
  };
  API.prerender = API.preload;

  function Instance(ns, q) {
    var self = this;
    this.ns = ns;
    this.origin = DEFAULT_ORIGIN;
    this.config = {};
    this.ui = [];
    instances[ns] = this;
    q = q || [];
    q.forEach(function (ins) { self.run(ins); });
    q.splice(0);
    q.push = function (ins) { self.run(ins); };
  }
  Instance.prototype.run = function (ins) {
    ins = [].slice.call(ins);
    if (typeof ins[0] !== "string") { ins.forEach(function (i) { this.run(i); }, this); return; }
    var fn = API[ins[0]];
    if (!fn) return warn("instruction " + ins[0] + " not found");
    try { fn.apply(this, ins.slice(1)); } catch (e) { console.error("Kairos embed: instruction " + ins[0] + " failed", e); }
  };

  // Elements with data-cal-link open a modal (event delegation, so elements added later work too)
  D.addEventListener("click", function (e) {
    var el = e.target && e.target.closest ? e.target.closest("[data-cal-link]") : null;
    if (!el) return;
    var ns = el.getAttribute("data-cal-namespace") || "", api = ns ? G.ns[ns] : G, config = {};
    if (!api) return warn("namespace " + ns + " isn't defined");
    try { config = JSON.parse(el.getAttribute("data-cal-config") || "{}") || {}; } catch (x) { config = {}; }
    if (el.tagName === "A") e.preventDefault();
    api("modal", { calLink: el.getAttribute("data-cal-link"), config: config, calOrigin: el.getAttribute("data-cal-origin") || "" });
  });

  var css = D.createElement("style");
  css.id = "kairos-embed-style";
  css.textContent =
    ".kcal-frame{display:block;width:100%;border:0;color-scheme:normal}" +
    ".kcal-overlay{position:fixed;inset:0;z-index:2147483000;display:flex;background:rgba(0,0,0,.55);" +
    "padding:48px 16px;box-sizing:border-box;overflow:auto;font:15px system-ui,sans-serif}" +
    ".kcal-modal{position:relative;width:min(1000px,100%);margin:auto;outline:0}" +
    ".kcal-modal .kcal-frame{height:560px;max-height:calc(100vh - 96px);border-radius:8px;background:transparent}" +
    ".kcal-close{position:absolute;top:-40px;right:0;width:32px;height:32px;border:0;border-radius:50%;" +
    "cursor:pointer;background:#fff;color:#111;font-size:24px;line-height:32px}" +
    ".kcal-close:focus-visible,.kcal-float:focus-visible{outline:3px solid #2563eb;outline-offset:2px}" +
    ".kcal-modal[aria-busy=true]::after{content:'Loading…';position:absolute;top:16px;left:0;right:0;text-align:center;color:#fff}" +
    ".kcal-trap{position:absolute;width:1px;height:1px;overflow:hidden}" +
    ".kcal-float{position:fixed;bottom:16px;z-index:2147482999;display:flex;gap:8px;align-items:center;" +
    "padding:14px 22px;border:0;border-radius:999px;cursor:pointer;font:600 15px system-ui,sans-serif}" +
    ".kcal-float[data-position=bottom-right]{right:20px}.kcal-float[data-position=bottom-left]{left:20px}";

  function boot() {
    D.head.appendChild(css);
    G.instance = new Instance("", G.q);
    // Namespaces queued before load: old snippets have no "initNamespace" (idempotent otherwise)
    Object.keys(G.ns).forEach(function (ns) { API.initNamespace(ns); });
  }
  if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", boot); else boot();
})();
