/* The lobby's web board (/display): renders each frame pushed by /display/events and
 * announces each new call once.
 *
 * A frame is {board, calls, now} (motcua/server/board_page.py). Which calls are new:
 * everything the first frame holds is the past (so a reload or the first connection
 * announces nothing); later, a call with a higher seq than the last frame's board in the
 * same epoch is new; a new epoch (the hub's database replaced) makes all of its calls
 * new, and those older than max_age_s by the hub's clock are neither highlighted nor
 * said. A frame with an older seq in the same epoch (a late snapshot) is ignored.
 *
 * The clock and the date are the hub's (its clock and its site's UTC offset, both in
 * `now`), so a TV with a wrong clock or time zone still shows the center's time.
 *
 * For tests and diagnostics: window.motcuaBoard = {announced, outcomes, calls, frames,
 * shown} (shown: when each counter first showed each number, Date.now()).
 */
(function () {
  "use strict";

  var SOUND_KEY = "motcua.board.sound";
  var OFFLINE_GRACE_MS = 1500; // a reconnect blip does not flash the banner
  var RECENT_SHOWN = 6;
  var TILE_ASPECT = 1.7; // width / height a tile looks best at

  var page = JSON.parse(document.getElementById("page-data").textContent);
  var texts = page.texts[page.language] || page.texts.vi;
  var frame = null;
  var mark = null; // {epoch, seq}: calls up to here are handled
  var highlight = null; // {counter, until}
  var clockOffsetMs = 0; // hub clock - this machine's clock
  var siteOffsetMin = 420; // the site's UTC offset, from the hub's `now`
  var offlineTimer = null;
  var tiles = {};
  var shownCount = -1;

  var announcer = window.motcuaAnnouncer.create({
    clips: page.clips,
    maxAgeS: page.max_age_s,
    onStateChange: showSoundButton
  });
  var board = window.motcuaBoard = {
    announced: announcer.announced,
    outcomes: announcer.outcomes,
    calls: [],
    frames: 0,
    decoded: announcer.decoded, // how many clips are decoded and ready
    shown: {} // counter -> ticket -> Date.now() when it first showed (latency figures)
  };

  function $(id) { return document.getElementById(id); }

  function t(key, params) {
    var template = texts[key] || key;
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      return params && params[name] !== undefined && params[name] !== null ? params[name] : "";
    });
  }

  // --- frames and calls --------------------------------------------------------------

  function accept(next) {
    if (!next || !next.board || !next.board.counters) return; // malformed: keep the last
    if (frame !== null && next.board.epoch === frame.board.epoch &&
        next.board.seq < frame.board.seq) return;
    board.frames += 1;
    readClock(next.now);
    var fresh = newCalls(next);
    frame = next;
    fresh.forEach(function (call) { onCall(call, next); });
    render();
  }

  function newCalls(next) {
    var epoch = next.board.epoch;
    var seq = next.board.seq;
    if (mark === null) {
      mark = { epoch: epoch, seq: seq };
      return [];
    }
    if (epoch !== mark.epoch) mark = { epoch: epoch, seq: 0 };
    var since = mark.seq;
    mark.seq = Math.max(mark.seq, seq);
    if (!Array.isArray(next.calls)) return [];
    return next.calls.filter(function (call) {
      return call && call.epoch === epoch && call.seq > since;
    });
  }

  function onCall(call, next) {
    var ageS = (Date.parse(next.now) - Date.parse(call.at)) / 1000;
    if (!(ageS <= page.max_age_s)) return; // also NaN: a malformed time is not announced
    board.calls.push({ ticket: call.ticket, counter: call.counter, recall: call.recall,
                       seq: call.seq });
    highlight = { counter: call.counter, until: Date.now() + page.blink_s * 1000 };
    setTimeout(render, page.blink_s * 1000 + 50);
    if (call.plan && Array.isArray(call.plan.steps)) {
      announcer.submit({ ticket: call.ticket, counter: call.counter, recall: call.recall,
                         plan: call.plan, ageS: Math.max(0, ageS) });
    }
  }

  // --- rendering ---------------------------------------------------------------------

  function statusKey(counter) {
    if (counter.status === "open" && !counter.ticket) return "status.open_idle";
    return "status." + counter.status;
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function render() {
    if (frame === null) return;
    var data = frame.board;
    var blinking = highlight !== null && Date.now() < highlight.until;
    renderCounters(data.counters, blinking ? highlight.counter : null);
    renderCalling(blinking);
    var recent = $("recent");
    recent.textContent = "";
    (data.recent || []).slice(0, RECENT_SHOWN).forEach(function (call) {
      var item = element("li");
      item.appendChild(element("span", "recent-number", call.ticket));
      item.appendChild(element("span", "recent-counter", t("counter", { counter: call.counter })));
      recent.appendChild(item);
    });
    var waiting = $("waiting");
    waiting.textContent = "";
    (data.services || []).forEach(function (service) {
      var item = element("li");
      item.appendChild(element("span", "service-name", service.name));
      item.appendChild(element("span", "service-count", String(service.waiting)));
      waiting.appendChild(item);
    });
  }

  function renderCounters(counters, called) {
    var container = $("counters");
    if (counters.length !== shownCount) {
      container.textContent = "";
      tiles = {};
      counters.forEach(function (counter) {
        var tile = element("div", "tile");
        tile.setAttribute("data-counter", String(counter.counter));
        tile.appendChild(element("p", "tile-name"));
        tile.appendChild(element("p", "tile-number"));
        tile.appendChild(element("p", "tile-status"));
        container.appendChild(tile);
        tiles[counter.counter] = tile;
      });
      shownCount = counters.length;
      layout();
    }
    counters.forEach(function (counter) {
      var tile = tiles[counter.counter];
      if (!tile) return;
      // Only the class changes while it blinks: the animation is not restarted.
      tile.className = "tile status-" + counter.status +
        (counter.counter === called ? " called" : "");
      tile.children[0].textContent = t("counter", { counter: counter.counter });
      var number = counter.ticket || t("no_number");
      if (tile.children[1].textContent !== number && counter.ticket) {
        var shown = board.shown[counter.counter] = board.shown[counter.counter] || {};
        if (!shown[counter.ticket]) shown[counter.ticket] = Date.now();
      }
      tile.children[1].textContent = number;
      tile.children[2].textContent = t(statusKey(counter));
    });
  }

  function renderCalling(blinking) {
    var latest = latestCall();
    $("calling").className = "calling" + (blinking ? " called" : "");
    $("call-number").textContent = latest ? latest.ticket : "";
    $("call-counter").textContent = latest ? t("to_counter", { counter: latest.counter })
                                           : t("no_call_yet");
    var recall = latest && latest.recall ? t("recall", { recall: latest.recall }) : "";
    $("call-recall").textContent = recall;
    $("call-recall").hidden = !recall;
  }

  function latestCall() {
    var calls = Array.isArray(frame.calls) ? frame.calls : [];
    if (calls.length > 0) return calls[calls.length - 1];
    var recent = frame.board.recent || [];
    return recent.length > 0 ? recent[0] : null;
  }

  // Tiles as large as the screen allows: the column count whose tiles, at TILE_ASPECT,
  // come out biggest; font sizes follow the tile (CSS variables, see board.css).
  function layout() {
    var container = $("counters");
    var count = Math.max(1, shownCount);
    var width = container.clientWidth;
    var height = container.clientHeight;
    var gap = Math.max(6, Math.round(Math.min(width, height) * 0.012));
    var best = { columns: 1, width: 0, height: 0 };
    for (var columns = 1; columns <= count; columns++) {
      var rows = Math.ceil(count / columns);
      var cellWidth = (width - gap * (columns - 1)) / columns;
      var cellHeight = (height - gap * (rows - 1)) / rows;
      var tileHeight = Math.min(cellHeight, cellWidth / TILE_ASPECT * 1.25);
      if (tileHeight > best.height) best = { columns: columns, width: cellWidth, height: tileHeight };
    }
    var style = container.style;
    style.setProperty("--columns", String(best.columns));
    style.setProperty("--gap", gap + "px");
    style.setProperty("--tile-height", Math.floor(best.height) + "px");
    style.setProperty("--number-size", Math.floor(Math.min(best.height * 0.46, best.width / 3.1)) + "px");
    style.setProperty("--label-size", Math.floor(Math.min(best.height * 0.15, best.width / 9)) + "px");
  }

  // --- clock ---------------------------------------------------------------------------

  function readClock(now) {
    var hub = Date.parse(now);
    if (isNaN(hub)) return;
    clockOffsetMs = hub - Date.now();
    var zone = /([+-])(\d\d):(\d\d)$/.exec(now);
    siteOffsetMin = zone ? (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
  }

  function two(value) { return (value < 10 ? "0" : "") + value; }

  function tick() {
    // The site's wall clock read through UTC getters: no dependence on the TV's zone.
    var site = new Date(Date.now() + clockOffsetMs + siteOffsetMin * 60000);
    $("time").textContent = two(site.getUTCHours()) + ":" + two(site.getUTCMinutes());
    $("date").textContent = t("weekday." + site.getUTCDay()) + ", " + two(site.getUTCDate()) +
      "/" + two(site.getUTCMonth() + 1) + "/" + site.getUTCFullYear();
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }

  // --- ticker, sound, connection ---------------------------------------------------------

  function startTicker() {
    var notice = $("notice");
    // About 120 px a second whatever the text's length.
    var distance = notice.offsetWidth + window.innerWidth;
    var duration = Math.max(10, distance / 120);
    notice.style.animationDuration = duration + "s";
    // Start with the text already half across the screen, not on an empty strip.
    notice.style.animationDelay = -(window.innerWidth * 0.5 / distance) * duration + "s";
    notice.className = "ticker-text moving";
  }

  function storedSound() {
    try { return window.localStorage.getItem(SOUND_KEY) === "on"; } catch (e) { return false; }
  }

  function showSoundButton() {
    $("sound").hidden = announcer.running() || Object.keys(page.clips).length === 0;
  }

  function enableSound() {
    announcer.enable();
    try { window.localStorage.setItem(SOUND_KEY, "on"); } catch (e) { /* private mode */ }
    showSoundButton();
  }

  function onConnection(connected) {
    if (connected) {
      if (offlineTimer !== null) clearTimeout(offlineTimer);
      offlineTimer = null;
      $("offline").hidden = true;
    } else if (offlineTimer === null && $("offline").hidden) {
      offlineTimer = setTimeout(function () {
        offlineTimer = null;
        $("offline").hidden = false;
      }, OFFLINE_GRACE_MS);
    }
  }

  $("sound").textContent = t("sound_hint");
  $("sound").addEventListener("click", enableSound);
  // Try at once: a kiosk-mode TV started with --autoplay-policy=no-user-gesture-required
  // lets audio play without a gesture, so no button is shown there.
  announcer.enable();
  if (storedSound()) {
    // Sound was turned on here before: any key (a TV remote) or tap turns it on again.
    var retry = function () {
      if (!announcer.running()) announcer.enable();
      showSoundButton();
    };
    document.addEventListener("keydown", retry);
    document.addEventListener("click", retry);
  }
  showSoundButton();
  window.addEventListener("resize", function () { layout(); render(); });

  accept(page.frame);
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(function () { layout(); render(); });
  }
  tick();
  startTicker();
  window.motcuaLive.open(page.events, "board", { onData: accept, onConnection: onConnection });
})();
