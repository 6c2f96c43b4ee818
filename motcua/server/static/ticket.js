/* The citizen's live ticket page: renders each ticket view pushed by /t/{id}/events.
 *
 * Every word comes from the page's catalog (motcua/server/ticket_text.py), so the
 * language button re-renders without a reload. When the ticket becomes "called" the
 * phone vibrates and, if the citizen turned the sound on (browsers play audio only
 * after a tap on the page), chimes.
 */
(function () {
  "use strict";

  var ENDED = { done: true, cancelled: true, expired: true };
  var HINTS = { called: "called_hint", serving: null, held: "held_hint",
                no_show: "no_show_hint", done: "final_hint", cancelled: "final_hint",
                expired: "final_hint" };
  var LANGUAGE_KEY = "motcua.lang";

  var page = JSON.parse(document.getElementById("page-data").textContent);
  var view = page.ticket;
  var language = storedLanguage() || document.documentElement.lang || "vi";
  var audio = null;
  var live = null;

  function $(id) { return document.getElementById(id); }

  function storedLanguage() {
    try { return window.localStorage.getItem(LANGUAGE_KEY); } catch (e) { return null; }
  }

  function t(key, params) {
    var template = (page.texts[language] || page.texts.vi)[key] || key;
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      return params && params[name] !== undefined && params[name] !== null ? params[name] : "";
    });
  }

  function waitText(seconds) {
    var minutes = Math.round(seconds / 60);
    if (minutes < 1) return t("wait.under_minute");
    if (minutes < 60) return t("wait.minutes", { minutes: minutes });
    return t("wait.hours", { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
  }

  function dayOf(iso) {
    var parts = iso.slice(0, 10).split("-");
    return parts[2] + "/" + parts[1] + "/" + parts[0];
  }

  function ended() {
    return !page.today || ENDED[view.status] === true;
  }

  function render() {
    var waiting = view.status === "waiting";
    document.documentElement.lang = language;
    document.title = t("title", { number: view.number });
    document.body.className = "status-" + view.status;
    $("number").textContent = view.number;
    $("service").textContent = page.services[view.service] || view.service;
    $("status").textContent = t("status." + view.status, { counter: view.counter });
    var hintKey = page.today ? HINTS[view.status] : "past_day";
    $("hint").hidden = !hintKey;
    $("hint").textContent = hintKey ? t(hintKey, { day: dayOf(view.issued_at) }) : "";
    $("queue").hidden = !waiting;
    $("ahead").textContent = String(view.waiting_ahead);
    $("wait").textContent = waitText(view.est_wait_s);
    $("issued").textContent = view.issued_at.slice(11, 16) + " · " + dayOf(view.issued_at);
    $("cancel").hidden = !(waiting && page.today);
    $("sound").hidden = ended();
    $("sound").textContent = t(audio ? "sound_enabled" : "sound_on");
    $("live-note").hidden = ended();
    $("language").textContent = t("language");
    $("confirm-no").textContent = t("cancel_no");
    $("confirm-yes").textContent = t("cancel_yes");
    $("offline").textContent = t("offline");
    var labels = document.querySelectorAll("[data-text]");
    for (var i = 0; i < labels.length; i++) {
      labels[i].textContent = t(labels[i].getAttribute("data-text"));
    }
  }

  function update(next) {
    var wasCalled = view.status === "called";
    var recalled = next.status === "called" && next.counter !== view.counter;
    view = next;
    render();
    if (next.status === "called" && (!wasCalled || recalled)) alertCalled();
    if (ended() && live !== null) {
      live.close();
      live = null;
    }
  }

  // --- alert when called ---------------------------------------------------------------

  function alertCalled() {
    if (navigator.vibrate) {
      try { navigator.vibrate([400, 200, 400, 200, 400]); } catch (e) { /* not allowed */ }
    }
    chime();
  }

  function chime() {
    if (audio === null) return;
    var now = audio.currentTime;
    [880, 660, 880].forEach(function (frequency, index) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      var start = now + index * 0.35;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.5, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.3);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.32);
    });
  }

  function enableSound() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (audio === null) audio = new Context();
    if (audio.resume) audio.resume();
    chime(); // the tap is the gesture browsers need; the chime says it works
    render();
  }

  // --- cancel --------------------------------------------------------------------------

  function requestId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes); // works on plain http, unlike randomUUID
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  var cancelKey = null;

  function askCancel() {
    $("confirm-text").textContent = t("cancel_question", { number: view.number });
    $("confirm").hidden = false;
    $("confirm-no").focus();
  }

  function confirmCancel() {
    $("confirm").hidden = true;
    // One key per confirmed tap: a retry after a lost answer cancels once.
    cancelKey = cancelKey || requestId();
    $("cancel").disabled = true;
    fetch(page.cancel, { method: "POST", headers: { "Idempotency-Key": cancelKey } })
      .then(function (response) {
        return response.json().then(function (body) { return [response.ok, body]; });
      })
      .then(function (answer) {
        $("cancel").disabled = false;
        if (answer[0]) {
          $("cancel-error").hidden = true;
          update(answer[1]);
        } else {
          var error = answer[1].error || {};
          showCancelError(language === "en" ? error.message_en : error.message);
        }
      })
      .catch(function () {
        $("cancel").disabled = false;
        showCancelError(t("offline"));
      });
  }

  function showCancelError(reason) {
    $("cancel-error").textContent = t("cancel_failed", { reason: reason || "" });
    $("cancel-error").hidden = false;
  }

  // --- wiring ----------------------------------------------------------------------------

  $("language").addEventListener("click", function () {
    language = language === "vi" ? "en" : "vi";
    try { window.localStorage.setItem(LANGUAGE_KEY, language); } catch (e) { /* private mode */ }
    render();
  });
  $("sound").addEventListener("click", enableSound);
  $("cancel").addEventListener("click", askCancel);
  $("confirm-no").addEventListener("click", function () { $("confirm").hidden = true; });
  $("confirm-yes").addEventListener("click", confirmCancel);

  render();
  if (!ended()) {
    live = window.motcuaLive.open(page.events, "ticket", {
      onData: update,
      onConnection: function (connected) { $("offline").hidden = connected; }
    });
  }
})();
