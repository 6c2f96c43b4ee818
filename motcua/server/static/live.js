/* Live pages of the hub: one server-sent-events stream, reopened whenever it drops.
 *
 * EventSource reconnects by itself after a dropped stream, but gives up for good when
 * an answer is not a 200 event stream (the hub's 503 "live_busy" when every stream slot
 * is taken, or a hub restarting): then this opens a new one after a growing, jittered
 * delay (2 s up to 30 s), so a full hub is not hammered by every phone at once.
 *
 *   const live = motcuaLive.open(url, "ticket", {
 *     onData(view) {...},          // each event's JSON
 *     onConnection(connected) {...} // false while the stream is down
 *   });
 *   live.close();
 */
(function () {
  "use strict";

  var FIRST_DELAY_MS = 2000;
  var MAX_DELAY_MS = 30000;

  function open(url, eventName, handlers) {
    var source = null;
    var timer = null;
    var closed = false;
    var delay = FIRST_DELAY_MS;

    function connected(value) {
      if (handlers.onConnection) handlers.onConnection(value);
    }

    function start() {
      timer = null;
      if (closed) return;
      source = new EventSource(url);
      source.addEventListener("open", function () {
        delay = FIRST_DELAY_MS;
        connected(true);
      });
      source.addEventListener(eventName, function (message) {
        var data;
        try {
          data = JSON.parse(message.data);
        } catch (error) {
          return;
        }
        connected(true);
        handlers.onData(data);
      });
      source.addEventListener("error", function () {
        if (closed) return;
        connected(false);
        if (source.readyState === EventSource.CLOSED) {
          // Refused (not a 200 stream): EventSource will not retry, so we do.
          source = null;
          var wait = delay * (0.75 + Math.random() * 0.5);
          delay = Math.min(delay * 2, MAX_DELAY_MS);
          timer = setTimeout(start, wait);
        }
      });
    }

    start();
    return {
      close: function () {
        closed = true;
        if (timer !== null) clearTimeout(timer);
        if (source !== null) source.close();
        connected(true);
      }
    };
  }

  window.motcuaLive = { open: open };
})();
