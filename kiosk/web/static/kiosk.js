/* The kiosk's touch page: one page, screens switched here, no framework, no network
 * beyond its own kiosk process (the machine is offline).
 *
 * Promises kept:
 * - the live view comes pushed over /events (server-sent events); while the stream is
 *   down or the view says offline, the out-of-service screen shows, and home comes back
 *   by itself when both are up again;
 * - one ticket per confirmed tap: a fresh tap id per confirmation, every action button
 *   disabled while the request is in flight, and a request lost on the network sent
 *   again with the SAME tap id (the kiosk process issues once per tap id);
 * - any screen goes back home after the idle time, the result after its own time.
 * Every text comes from the catalog through t(), Vietnamese first.
 */
(function () {
  "use strict";

  var boot = JSON.parse(document.getElementById("boot").textContent);
  var settings = boot.settings;
  var catalog = boot.catalog;

  var state = {
    language: settings.default_language,
    view: boot.view,
    streamUp: true,        // the boot view is fresh; the stream's first error says otherwise
    screen: "home",        // what the citizen is doing; "offline" is decided in shownScreen
    service: null,         // the service tapped
    priority: null,        // the priority group awaiting confirmation
    outcome: null,         // the last IssueOutcome (result or refusal)
    refusal: null,         // {vi, en} text of a refusal
    inFlight: false
  };
  var idleTimer = null;
  var resultTimer = null;

  // ---- texts ------------------------------------------------------------------------
  function t(key, params) {
    var texts = catalog[state.language] || catalog.vi;
    var text = texts[key];
    if (text === undefined) { text = catalog.vi[key]; }
    if (text === undefined) { return key; }
    return text.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return params && params[name] !== undefined ? String(params[name]) : whole;
    });
  }

  function byId(id) { return document.getElementById(id); }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function minutes(seconds) { return Math.max(1, Math.ceil(seconds / 60)); }

  function serviceByCode(code) {
    var services = state.view.services || [];
    for (var i = 0; i < services.length; i += 1) {
      if (services[i].code === code) { return services[i]; }
    }
    return null;
  }

  function priorityLabel(code) {
    if (code === "normal") { return t("priority.normal"); }
    var groups = state.view.priorities || [];
    for (var i = 0; i < groups.length; i += 1) {
      if (groups[i].code === code) { return localized(groups[i].label_vi, groups[i].label_en); }
    }
    return code;
  }

  function localized(vi, en) { return state.language === "en" && en ? en : vi; }

  // ---- screens ------------------------------------------------------------------------
  function offline() { return !state.streamUp || !state.view.online; }

  /* A ticket being issued or already issued stays on screen through an outage: its
   * number and QR must not vanish behind the out-of-service screen. */
  function shownScreen() {
    if (offline() && state.screen !== "working" && state.screen !== "result") {
      return "offline";
    }
    return state.screen;
  }

  function render() {
    noteOffline();
    document.documentElement.lang = state.language;
    var toggle = byId("language-toggle");
    toggle.lang = state.language === "vi" ? "en" : "vi";
    var labelled = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < labelled.length; i += 1) {
      labelled[i].textContent = t(labelled[i].getAttribute("data-i18n"));
    }
    byId("center-name").textContent = state.view.center_name;
    renderClock();
    renderHome();
    renderPrinterNotice();
    renderChosenService();
    renderPriorities();
    renderConfirm();
    renderResult();
    renderRefusal();
    var shown = shownScreen();
    var screens = document.querySelectorAll("main > .screen");
    for (var j = 0; j < screens.length; j += 1) {
      screens[j].hidden = screens[j].id !== "screen-" + shown;
    }
    document.body.setAttribute("data-screen", shown);
    setActionsDisabled(state.inFlight);
  }

  /* The site's time, not the kiosk PC's: a PC left on UTC must still show Hà Nội time. */
  function siteClock(now) {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: settings.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
        day: "2-digit", month: "2-digit", year: "numeric"
      }).formatToParts(now).forEach(function (part) { parts[part.type] = part.value; });
      return parts.hour + ":" + parts.minute + "  " + parts.day + "/" + parts.month + "/" +
        parts.year;
    } catch (error) {  // an unknown zone: the PC's own clock rather than none
      function two(n) { return (n < 10 ? "0" : "") + n; }
      return two(now.getHours()) + ":" + two(now.getMinutes()) + "  " + two(now.getDate()) +
        "/" + two(now.getMonth() + 1) + "/" + now.getFullYear();
    }
  }

  function renderClock() {
    byId("clock").textContent = siteClock(new Date());
  }

  function waitText(service) {
    if (!service.issuing) { return t("home.not_issuing"); }
    if (service.waiting === 0 || service.est_wait_s === 0) { return t("home.est_wait_none"); }
    if (service.est_wait_s === null || service.est_wait_s === undefined) {
      return t("home.est_wait_unknown");
    }
    return t("home.est_wait", {minutes: minutes(service.est_wait_s)});
  }

  function serviceButton(service) {
    var button = element("button", "service");
    button.type = "button";
    button.setAttribute("data-service", service.code);
    button.disabled = !service.issuing;
    if (!service.issuing) { button.classList.add("not-issuing"); }
    button.appendChild(element("span", "service-prefix", service.prefix));
    var body = element("span", "service-body");
    body.appendChild(element("span", "service-name", service.name));
    var meta = element("span", "service-meta");
    if (service.issuing) {
      meta.appendChild(element("span", "service-waiting", t("home.waiting", {count: service.waiting})));
    }
    meta.appendChild(element("span", "service-wait", waitText(service)));
    body.appendChild(meta);
    button.appendChild(body);
    button.addEventListener("click", function () { chooseService(service.code); });
    return button;
  }

  /* Rebuilding buttons under a finger loses its tap: rebuild only when what they show
   * changed, not at every view (one comes whenever anyone takes a ticket). */
  var drawn = {home: null, priorities: null};

  function unchanged(part, content) {
    var signature = state.language + JSON.stringify(content);
    if (drawn[part] === signature) { return true; }
    drawn[part] = signature;
    return false;
  }

  function renderHome() {
    var services = state.view.services || [];
    if (unchanged("home", services)) { return; }
    var holder = byId("service-groups");
    holder.textContent = "";
    var groups = [];
    var byField = {};
    services.forEach(function (service) {
      var field = service.field || "";
      if (!byField.hasOwnProperty(field)) {
        byField[field] = [];
        groups.push(field);
      }
      byField[field].push(service);
    });
    groups.forEach(function (field) {
      var group = element("section", "service-group");
      group.appendChild(element("h2", "field-name", field || t("home.other_field")));
      var grid = element("div", "service-grid");
      byField[field].forEach(function (service) { grid.appendChild(serviceButton(service)); });
      group.appendChild(grid);
      holder.appendChild(group);
    });
    byId("no-services").hidden = services.length > 0;
  }

  /* The printer's state, said before the tap: paper low is a warning; out of paper, off
   * or unplugged means the number will be shown on screen with its QR instead. */
  function printerNotice(printer) {
    if (printer === "paper_low") { return t("home.printer_paper_low"); }
    if (printer === "paper_out" || printer === "offline") { return t("home.printer_down"); }
    return "";
  }

  function renderPrinterNotice() {
    var text = printerNotice(state.view.printer);
    var notice = byId("printer-notice");
    notice.hidden = !text;
    notice.textContent = text;
  }

  function renderChosenService() {
    var service = state.service && (serviceByCode(state.service.code) || state.service);
    var text = service ? service.prefix + " · " + service.name : "";
    byId("priority-service").textContent = text;
    byId("confirm-service").textContent = text;
  }

  function renderPriorities() {
    var priorities = state.view.priorities || [];
    if (unchanged("priorities", priorities)) { return; }
    var holder = byId("priority-groups");
    holder.textContent = "";
    priorities.forEach(function (group) {
      var button = element("button", "choice choice-group");
      button.type = "button";
      button.setAttribute("data-priority", group.code);
      button.appendChild(element("span", "choice-label", localized(group.label_vi, group.label_en)));
      button.addEventListener("click", function () { askConfirmation(group.code); });
      holder.appendChild(button);
    });
  }

  function renderConfirm() {
    byId("confirm-question").textContent = state.priority
      ? t("confirm.question", {label: priorityLabel(state.priority)}) : "";
  }

  function renderResult() {
    var outcome = state.outcome;
    if (!outcome || !outcome.ok || !outcome.ticket) { return; }
    var ticket = outcome.ticket;
    var service = serviceByCode(ticket.service) || state.service || {name: ticket.service};
    byId("result-number").textContent = ticket.number;
    byId("result-service").textContent = service.name;
    var mark = byId("result-priority");
    mark.hidden = !ticket.priority || ticket.priority === "normal";
    mark.textContent = mark.hidden ? "" : t("result.priority_mark", {label: priorityLabel(ticket.priority)});
    byId("result-ahead").textContent = String(ticket.waiting_ahead);
    var unknownWait = ticket.est_wait_s === null || ticket.est_wait_s === undefined;
    var wait = byId("result-wait");
    wait.classList.toggle("fact-text", unknownWait);
    wait.textContent = unknownWait ? t("result.est_wait_unknown")
      : t("result.minutes", {minutes: ticket.est_wait_s === 0 ? 0 : minutes(ticket.est_wait_s)});
    var showQr = !outcome.printed && !!outcome.qr_svg;
    byId("result-qr-block").hidden = !showQr;
    byId("result-take").hidden = !outcome.printed;
    byId("screen-result").classList.toggle("with-qr", showQr);
    var qr = byId("result-qr");
    if (showQr && qr.getAttribute("data-url") !== outcome.ticket_url) {
      qr.innerHTML = outcome.qr_svg;  // our own server's SVG (segno), not user input
      qr.setAttribute("data-url", outcome.ticket_url);
    }
  }

  function renderRefusal() {
    var refusal = state.refusal;
    byId("refusal-message").textContent = refusal
      ? localized(refusal.vi, refusal.en) || t("refusal.fallback") : "";
  }

  function setActionsDisabled(disabled) {
    // The language toggle stays usable: it issues nothing and a citizen may need it to
    // read the answer that is on its way.
    var buttons = document.querySelectorAll("main button");
    for (var i = 0; i < buttons.length; i += 1) {
      var service = buttons[i].getAttribute("data-service");
      var notIssuing = service !== null && buttons[i].classList.contains("not-issuing");
      buttons[i].disabled = disabled || notIssuing;
    }
  }

  function show(screen) {
    state.screen = screen;
    clearTimeout(resultTimer);
    if (screen === "result") {
      resultTimer = setTimeout(function () { goHome(true); }, settings.result_timeout_ms);
    }
    restartIdle();
    render();
  }

  function goHome(forNextCitizen) {
    if (state.inFlight) { return; }
    state.service = null;
    state.priority = null;
    if (forNextCitizen) { state.language = settings.default_language; }
    show("home");
  }

  function restartIdle() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      if (state.inFlight) { restartIdle(); return; }
      goHome(true);
    }, settings.idle_timeout_ms);
  }

  // ---- taps ---------------------------------------------------------------------------
  function chooseService(code) {
    if (state.inFlight) { return; }
    var service = serviceByCode(code);
    if (!service || !service.issuing) { return; }
    state.service = service;
    if ((state.view.priorities || []).length === 0) {
      issue("normal");  // nothing to choose: this tap is the confirmed one
      return;
    }
    show("priority");
  }

  function askConfirmation(code) {
    if (state.inFlight) { return; }
    state.priority = code;
    show("confirm");
  }

  function newTapId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context; a kiosk opened by LAN address is not one.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function issue(priority) {
    if (state.inFlight || !state.service) { return; }
    state.inFlight = true;
    setActionsDisabled(true);
    var body = JSON.stringify({tap_id: newTapId(), service: state.service.code, priority: priority});
    show("working");
    postIssue(body, Date.now() + settings.issue_retry_ms).then(function (answer) {
      state.inFlight = false;
      state.outcome = answer.outcome;
      state.refusal = answer.refusal;
      show(answer.outcome && answer.outcome.ok ? "result" : "refusal");
    });
  }

  /* POST one tap; on a network failure (or a gateway answer) send the SAME body again
   * until the deadline. Resolves to {outcome, refusal}, never rejects. */
  function postIssue(body, deadline) {
    var pause = 500;
    function attempt() {
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      var timer = controller && setTimeout(function () { controller.abort(); },
                                           Math.max(1000, deadline - Date.now()));
      return fetch("api/issue", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: body,
        cache: "no-store",
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        clearTimeout(timer);
        if (response.status === 502 || response.status === 503 || response.status === 504) {
          throw new Error("gateway " + response.status);
        }
        return response.json().then(function (document) {
          if (response.ok) {
            return {outcome: document, refusal: document.ok ? null
              : {vi: document.message_vi, en: document.message_en}};
          }
          var error = document.error || {};
          return {outcome: null, refusal: {vi: error.message, en: error.message_en}};
        });
      }).catch(function (failure) {
        clearTimeout(timer);
        if (Date.now() + pause >= deadline) {
          return {outcome: null, refusal: {vi: catalog.vi["refusal.no_answer"],
                                           en: catalog.en["refusal.no_answer"]}};
        }
        return new Promise(function (resolve) { setTimeout(resolve, pause); }).then(function () {
          pause = Math.min(pause * 2, 4000);
          return attempt();
        });
      });
    }
    return attempt();
  }

  // ---- live view ----------------------------------------------------------------------
  function connect() {
    var source = new EventSource("events");
    source.addEventListener("view", function (event) {
      var view = JSON.parse(event.data);
      var wasOffline = offline();
      state.view = view;
      state.streamUp = true;
      if (wasOffline && !offline() && state.screen !== "working" && state.screen !== "result") {
        state.screen = "home";
      }
      render();
    });
    source.addEventListener("error", function () {
      state.streamUp = false;
      render();
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. an error status): start a new stream ourselves.
        setTimeout(connect, 2000);
      }
    });
  }

  function noteOffline() {
    // A half-made choice is dropped when the center goes away: after the outage the
    // next citizen starts from home.
    if (offline() && (state.screen === "priority" || state.screen === "confirm" ||
                      state.screen === "refusal")) {
      state.screen = "home";
      state.service = null;
      state.priority = null;
    }
  }

  // ---- wiring -------------------------------------------------------------------------
  byId("language-toggle").addEventListener("click", function () {
    state.language = state.language === "vi" ? "en" : "vi";
    restartIdle();
    render();
  });
  byId("priority-normal").addEventListener("click", function () { issue("normal"); });
  byId("confirm-yes").addEventListener("click", function () {
    if (state.priority) { issue(state.priority); }
  });
  byId("confirm-back").addEventListener("click", function () {
    if (state.inFlight) { return; }
    state.priority = null;
    show("priority");
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-action=home]"), function (button) {
    button.addEventListener("click", function () { goHome(false); });
  });
  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(name, restartIdle, {passive: true});
  });
  // Kiosk: no context menu, no text selection by long press.
  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });

  setInterval(renderClock, 1000);
  show("home");
  connect();
}());
