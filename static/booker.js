// The booker's few enhancements; the page works without them.
// 1. Times follow the visitor's own time zone and clock: on a first visit (no `tz` in the
//    address) the page reloads itself with the zone and 12/24-hour habit the browser reports.
// 2. Picking a zone from the list applies it at once.
// 3. Arrow keys move between the month's free days (Up/Down by week), and between a day's times.
(function () {
  "use strict";
  var url = new URL(window.location.href);
  if (!url.searchParams.has("tz")) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) {
        url.searchParams.set("tz", zone);
        if (!url.searchParams.has("hour")) {
          var cycle = Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hourCycle;
          if (cycle) url.searchParams.set("hour", cycle === "h11" || cycle === "h12" ? "12" : "24");
        }
        window.location.replace(url.toString());
        return;
      }
    } catch (e) {
      // No Intl: the host's zone stays, and the visitor can pick theirs.
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var tz = document.getElementById("tz");
    var zoneForm = document.getElementById("zone-form");
    if (tz && zoneForm) {
      var options = {};
      document.querySelectorAll("#zones option").forEach(function (o) {
        options[o.value] = true;
      });
      tz.addEventListener("change", function () {
        if (options[tz.value]) zoneForm.submit();
      });
    }

    // Left/Right: the previous or next item. On the calendar, Up/Down: the same weekday a week
    // earlier or later when it is free, else the nearest free day that way.
    function arrows(selector, weekly) {
      var items = Array.prototype.slice.call(document.querySelectorAll(selector));
      items.forEach(function (item, index) {
        item.addEventListener("keydown", function (event) {
          var step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 1, ArrowUp: -1 }[event.key];
          if (!step) return;
          var next = items[index + step];
          if (weekly && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
            var day = new Date(item.getAttribute("data-date") + "T00:00:00Z");
            day.setUTCDate(day.getUTCDate() + 7 * step);
            var wanted = day.toISOString().slice(0, 10);
            var same = items.filter(function (i) { return i.getAttribute("data-date") === wanted; })[0];
            if (same) {
              next = same;
            } else {
              var later = items.filter(function (i) {
                var d = i.getAttribute("data-date");
                return step > 0 ? d > wanted : d < wanted;
              });
              next = step > 0 ? later[0] : later[later.length - 1];
            }
          }
          if (next) {
            event.preventDefault();
            next.focus();
          }
        });
      });
    }
    arrows(".day.free", true);
    arrows(".slot", false);

    // After choosing a day on a narrow screen, bring its times into view.
    var selected = document.querySelector(".day.selected");
    var slots = document.getElementById("slots-label");
    if (selected && slots && new URL(window.location.href).searchParams.has("date") && window.innerWidth < 832) {
      slots.scrollIntoView({ block: "start" });
    }
    var firstError = document.querySelector(".field.invalid input, .field.invalid select, .field.invalid textarea");
    if (firstError) firstError.focus();
  });
})();
