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
 * - any screen goes back home after the idle time, the result after its own time;
 * - a dossier code, scanned (serial, camera: a new scan in the view; keyboard wedge: a
 *   fast burst of keys ending in Enter, posted to api/scan) or typed on the on-screen
 *   keyboard, opens its timeline from any screen unless a request is in flight; each
 *   scan is acted on once (its seq);
 * - the procedure search runs on the kiosk's own copy of the catalog (api/procedures).
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
    inFlight: false,
    lastScanSeq: boot.view.scan ? boot.view.scan.seq : 0,  // scans before this page: not ours
    scanRejected: false,   // the last scan was not a dossier code: say so on the scan screen
    typedCode: "",         // the code typed on the on-screen keyboard
    dossier: null,         // the DossierView shown
    lookupError: null,     // {vi, en} of a refused lookup
    query: "",             // the procedure search typed
    search: null,          // the last search answer {query, total, results}
    procedure: null        // the procedure whose details are shown
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
    if (offline() && state.screen !== "working" && state.screen !== "result" &&
        state.screen !== "looking") {
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
    renderTools();
    renderScan();
    renderDossier();
    renderLookupError();
    renderSearch();
    renderProcedure();
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
    var returning = byId("result-return");
    returning.hidden = !outcome.dossier;
    returning.textContent = outcome.dossier ? t("result.return_mark", {code: outcome.dossier}) : "";
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
      var notIssuing = (service !== null || buttons[i].id === "procedure-take") &&
        buttons[i].classList.contains("not-issuing");
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
    var section = byId("screen-" + screen);
    if (section) { section.scrollTop = 0; }  // each screen starts at its top
  }

  function goHome(forNextCitizen) {
    if (state.inFlight) { return; }
    state.service = null;
    state.priority = null;
    state.dossier = null;
    state.typedCode = "";
    state.scanRejected = false;
    state.query = "";
    state.search = null;
    state.procedure = null;
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

  function issue(priority, dossier) {
    if (state.inFlight || !state.service) { return; }
    state.inFlight = true;
    setActionsDisabled(true);
    var request = {tap_id: newTapId(), service: state.service.code, priority: priority};
    if (dossier) { request.dossier = dossier; }
    var body = JSON.stringify(request);
    show("working");
    postJson("api/issue", body, Date.now() + settings.issue_retry_ms).then(function (answer) {
      state.inFlight = false;
      state.outcome = answer.outcome;
      state.refusal = answer.refusal;
      show(answer.outcome && answer.outcome.ok ? "result" : "refusal");
    });
  }

  /* POST one tap (or lookup); on a network failure (or a gateway answer) send the SAME
   * body again until the deadline. Resolves to {outcome, refusal}, never rejects. */
  function postJson(url, body, deadline) {
    var pause = 500;
    function attempt() {
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      var timer = controller && setTimeout(function () { controller.abort(); },
                                           Math.max(1000, deadline - Date.now()));
      return fetch(url, {
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


  // ---- dossiers: scans, the code keyboard, lookups, the timeline ---------------------
  var CODE_KEYS = ["1234567890", "QWERTYUIOP", "ASDFGHJKL.", "ZXCVBNM-"];
  var LETTER_KEYS = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];
  var MAX_TYPED = 40;

  function keyboard(holder, rows, press, extras) {
    rows.forEach(function (row) {
      var line = element("div", "key-row");
      row.split("").forEach(function (symbol) {
        var key = element("button", "key", symbol);
        key.type = "button";
        key.setAttribute("data-key", symbol);
        key.addEventListener("click", function () { restartIdle(); press(symbol); });
        line.appendChild(key);
      });
      holder.appendChild(line);
    });
    var actions = element("div", "key-row key-actions");
    extras.forEach(function (extra) {
      var key = element("button", "key key-wide " + extra.className);
      key.type = "button";
      key.setAttribute("data-i18n", extra.label);
      key.setAttribute("data-key", extra.name);
      key.textContent = t(extra.label);
      key.addEventListener("click", function () { restartIdle(); extra.press(); });
      actions.appendChild(key);
    });
    holder.appendChild(actions);
  }

  function openScan() {
    if (state.inFlight) { return; }
    state.typedCode = "";
    state.scanRejected = false;
    show("scan");
  }

  function renderTools() {
    byId("open-procedures").hidden = !state.view.procedures_version;
  }

  function renderScan() {
    var field = byId("code-field");
    field.textContent = state.typedCode || t("scan.placeholder");
    field.classList.toggle("empty", !state.typedCode);
    var message = byId("scan-message");
    message.hidden = !state.scanRejected;
    message.textContent = state.scanRejected ? t("scan.rejected") : "";
  }

  function typeCode(symbol) {
    if (state.typedCode.length >= MAX_TYPED) { return; }
    state.typedCode += symbol;
    state.scanRejected = false;
    renderScan();
  }

  /* A scan the kiosk announced (serial, camera, wedge): acted on once, by its seq. */
  function takeScan(scan) {
    if (!scan || scan.seq <= state.lastScanSeq) { return; }
    state.lastScanSeq = scan.seq;
    if (state.inFlight) { return; }  // a ticket or a lookup is on its way: never cut it off
    if (scan.ok) {
      lookup(scan.code);
    } else {
      state.typedCode = "";
      state.scanRejected = true;
      show("scan");
    }
  }

  function lookup(code) {
    if (state.inFlight) { return; }
    state.inFlight = true;
    state.scanRejected = false;
    setActionsDisabled(true);
    var body = JSON.stringify({request_id: newTapId(), code: code});
    show("looking");
    postJson("api/lookup", body, Date.now() + settings.issue_retry_ms).then(function (answer) {
      state.inFlight = false;
      if (answer.outcome && answer.outcome.ok && answer.outcome.dossier) {
        state.dossier = answer.outcome.dossier;
        show("dossier");
      } else {
        state.lookupError = answer.refusal;
        show("lookup-error");
      }
    });
  }

  function dateText(iso) {  // "2026-12-04" → "04/12/2026", no time zone involved
    var parts = String(iso || "").split("-");
    return parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : "";
  }

  function stampText(iso) {  // a timestamp → "dd/mm/yyyy hh:mm" at the site
    var when = new Date(iso);
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: settings.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
        day: "2-digit", month: "2-digit", year: "numeric"
      }).formatToParts(when).forEach(function (part) { parts[part.type] = part.value; });
      return parts.day + "/" + parts.month + "/" + parts.year + " " + parts.hour + ":" + parts.minute;
    } catch (error) {
      return when.toLocaleString();
    }
  }

  function stageLabel(stage, label) {
    return state.language === "vi" && label ? label : t("stage." + stage);
  }

  var STEPS = ["received", "in_progress", "ready", "returned"];
  var STEP_OF_STAGE = {submitted: 0, received: 0, refused: 0, in_progress: 1, supplement: 1,
                       payment: 1, withdrawn: 1, stopped: 1, ready: 2, returned: 3};
  var HALTED = {refused: true, withdrawn: true, stopped: true};
  var NOTICE_STAGES = {supplement: true, payment: true, refused: true, withdrawn: true,
                       stopped: true, ready: true, returned: true};

  function renderDossier() {
    var view = state.dossier;
    if (!view) { return; }
    byId("dossier-procedure").textContent = view.procedure.name;
    byId("dossier-code").textContent = view.code;
    byId("dossier-applicant").textContent = view.applicant;
    byId("dossier-received").textContent = stampText(view.received_at);
    byId("dossier-appointment").textContent = dateText(view.appointment);
    byId("dossier-status").textContent = stageLabel(view.stage, view.label);

    var banner = byId("dossier-lateness");
    var late = view.lateness === "late";
    var done = view.stage === "ready" || view.stage === "returned";
    banner.className = "lateness lateness-" + view.lateness;
    banner.textContent = "";
    banner.hidden = !(late || view.lateness === "early" || !done) || !!HALTED[view.stage];
    if (!banner.hidden) {
      banner.appendChild(element("p", "lateness-main", t("dossier." + view.lateness)));
      if (late && view.apology) {
        banner.appendChild(element("p", "lateness-reason", t("dossier.late_reason", {reason: view.apology})));
      }
      if (late && view.new_appointment) {
        banner.appendChild(element("p", "lateness-date",
                                   t("dossier.late_new_date", {date: dateText(view.new_appointment)})));
      }
    }

    var steps = byId("dossier-steps");
    steps.textContent = "";
    var reached = STEP_OF_STAGE[view.stage] || 0;
    STEPS.forEach(function (name, index) {
      var item = element("li", "step");
      item.classList.add(index < reached ? "step-done" : index === reached ? "step-current" : "step-todo");
      if (index === reached && HALTED[view.stage]) { item.classList.add("step-halted"); }
      if (index === reached && view.stage === "supplement") { item.classList.add("step-attention"); }
      item.appendChild(element("span", "step-mark", String(index + 1)));
      item.appendChild(element("span", "step-label", t("dossier.step_" + name)));
      steps.appendChild(item);
    });

    var notice = byId("dossier-notice");
    notice.hidden = !NOTICE_STAGES[view.stage];
    notice.className = "dossier-notice notice-" + view.stage;
    notice.textContent = notice.hidden ? "" : t("dossier." + view.stage);

    var service = view.return_service ? serviceByCode(view.return_service) : null;
    var paused = !!service && !service.issuing;
    byId("return-button").hidden = !(view.returnable && view.return_service) || paused;
    byId("return-paused").hidden = !(view.returnable && paused);

    var history = byId("dossier-history");
    history.textContent = "";
    view.timeline.forEach(function (step) {
      var item = element("li", "history-step");
      item.appendChild(element("span", "history-when", stampText(step.at)));
      var what = element("span", "history-what");
      what.appendChild(element("span", "history-label", stageLabel(step.stage, step.label)));
      if (step.note) { what.appendChild(element("span", "history-note", step.note)); }
      item.appendChild(what);
      history.appendChild(item);
    });
  }

  function takeReturnTicket() {
    var view = state.dossier;
    if (state.inFlight || !view || !view.returnable || !view.return_service) { return; }
    state.service = serviceByCode(view.return_service) ||
      {code: view.return_service, name: view.return_service, prefix: ""};
    issue("normal", view.code);
  }

  function renderLookupError() {
    var refusal = state.lookupError;
    byId("lookup-message").textContent = refusal
      ? localized(refusal.vi, refusal.en) || t("lookup.error_other") : "";
  }

  // ---- keyboard-wedge scanners --------------------------------------------------------
  /* A wedge scanner types the code as keystrokes a few milliseconds apart and ends with
   * Enter; a person types far slower. A burst of at least wedge_min_chars keys, each at
   * most wedge_max_gap_ms after the last, ended by Enter, is a scan; slower keys go into
   * the code field on the scan screen, like the on-screen keyboard's. */
  var wedge = {chars: "", last: 0, timer: null};

  function wedgeFlush() {
    clearTimeout(wedge.timer);
    var typed = wedge.chars;
    wedge.chars = "";
    if (typed && typed.length < settings.wedge_min_chars && state.screen === "scan") {
      typed.toUpperCase().split("").forEach(typeCode);
    }
  }

  function onWedgeKey(event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var now = event.timeStamp || performance.now();
    var gap = now - wedge.last;
    if (event.key === "Enter") {
      event.preventDefault();
      var burst = wedge.chars;
      clearTimeout(wedge.timer);
      wedge.chars = "";
      if (burst.length >= settings.wedge_min_chars && gap <= settings.wedge_max_gap_ms) {
        postScan(burst);
      } else {
        if (burst && state.screen === "scan") { burst.toUpperCase().split("").forEach(typeCode); }
        if (state.screen === "scan" && state.typedCode) { lookup(state.typedCode); }
      }
      return;
    }
    if (event.key.length !== 1) { return; }
    event.preventDefault();
    if (gap > settings.wedge_max_gap_ms) { wedgeFlush(); }
    wedge.chars = (wedge.chars + event.key).slice(-256);  // 10 KB of noise stays 256 chars
    wedge.last = now;
    clearTimeout(wedge.timer);
    wedge.timer = setTimeout(wedgeFlush, settings.wedge_max_gap_ms * 3);
  }

  function postScan(text) {
    fetch("api/scan", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({code: text}), cache: "no-store"
    }).then(function (response) {
      return response.json().then(function (document) {
        if (response.ok) { takeScan(document); return; }
        // Too long or malformed: a rejected scan all the same.
        if (!state.inFlight) { state.typedCode = ""; state.scanRejected = true; show("scan"); }
      });
    }).catch(function () {
      if (!state.inFlight) { state.typedCode = ""; state.scanRejected = true; show("scan"); }
    });
  }

  // ---- procedure search -----------------------------------------------------------------
  var searchTimer = null;
  var MAX_QUERY = 60;

  function openProcedures() {
    if (state.inFlight) { return; }
    state.query = "";
    state.search = null;
    state.procedure = null;
    show("procedures");
  }

  function typeQuery(symbol) {
    if (state.query.length >= MAX_QUERY) { return; }
    state.query += symbol;
    querySoon();
  }

  function querySoon() {
    renderSearch();
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 150);
  }

  function runSearch() {
    var query = state.query;
    if (!query.trim()) { state.search = null; renderSearch(); return; }
    fetch("api/procedures?q=" + encodeURIComponent(query), {cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (query !== state.query) { return; }  // an older answer: the citizen typed on
        state.search = answer;
        renderSearch();
      })
      .catch(function () { /* the next key tries again */ });
  }

  function processingText(procedure) {
    if (procedure.processing_days === 0) { return t("procedures.same_day"); }
    if (procedure.processing_days === null || procedure.processing_days === undefined) {
      return procedure.processing_note || "—";
    }
    return t("procedures.days", {days: procedure.processing_days});
  }

  var drawnSearch = null;

  function renderSearch() {
    var field = byId("search-field");
    field.textContent = state.query || t("procedures.placeholder");
    field.classList.toggle("empty", !state.query);
    var status = byId("search-status");
    var answer = state.search;
    if (!answer) {
      status.textContent = t("procedures.hint");
    } else if (answer.total === 0) {
      status.textContent = t("procedures.empty_catalog");
    } else if (answer.results.length === 0) {
      status.textContent = t("procedures.none");
    } else {
      status.textContent = t("procedures.count", {count: answer.results.length});
    }
    var signature = state.language + JSON.stringify(answer && answer.results);
    if (drawnSearch === signature) { return; }
    drawnSearch = signature;
    var holder = byId("procedure-results");
    holder.textContent = "";
    (answer ? answer.results : []).forEach(function (procedure) {
      var card = element("button", "procedure-card");
      card.type = "button";
      card.setAttribute("data-procedure", procedure.code);
      card.appendChild(element("span", "procedure-card-name", procedure.name));
      var meta = element("span", "procedure-card-meta");
      if (procedure.field) { meta.appendChild(element("span", "procedure-card-field", procedure.field)); }
      meta.appendChild(element("span", "procedure-card-time", processingText(procedure)));
      meta.appendChild(element("span", "procedure-card-fee",
                               t("procedures.fee") + ": " + (procedure.fee || t("procedures.no_fee"))));
      card.appendChild(meta);
      card.addEventListener("click", function () {
        if (state.inFlight) { return; }
        state.procedure = procedure;
        show("procedure");
      });
      holder.appendChild(card);
    });
  }

  function renderProcedure() {
    var procedure = state.procedure;
    if (!procedure) { return; }
    byId("procedure-field").textContent = procedure.field;
    byId("procedure-name").textContent = procedure.name;
    byId("procedure-processing").textContent = processingText(procedure);
    byId("procedure-fee").textContent = procedure.fee || t("procedures.no_fee");
    var list = byId("procedure-documents");
    list.textContent = "";
    (procedure.documents.length ? procedure.documents : [t("procedures.no_documents")])
      .forEach(function (document_) { list.appendChild(element("li", "", document_)); });
    var service = procedure.service ? serviceByCode(procedure.service) : null;
    var take = byId("procedure-take");
    take.hidden = !service;
    take.classList.toggle("not-issuing", !!service && !service.issuing);
    var note = byId("procedure-take-note");
    note.hidden = !!service && service.issuing;
    note.textContent = !service ? t("procedures.no_service")
      : service.issuing ? "" : t("procedures.not_issuing");
  }

  function takeNumberForProcedure() {
    var procedure = state.procedure;
    if (!procedure || !procedure.service) { return; }
    chooseService(procedure.service);
  }

  // ---- live view ----------------------------------------------------------------------
  function connect() {
    var source = new EventSource("events");
    source.addEventListener("view", function (event) {
      var view = JSON.parse(event.data);
      var wasOffline = offline();
      state.view = view;
      state.streamUp = true;
      if (wasOffline && !offline() && state.screen !== "working" && state.screen !== "result" &&
          state.screen !== "looking") {
        state.screen = "home";
      }
      render();
      if (view.scan) { takeScan(view.scan); }
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
    var halfMade = ["priority", "confirm", "refusal", "scan", "dossier", "lookup-error",
                    "procedures", "procedure"];
    if (offline() && halfMade.indexOf(state.screen) >= 0) {
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
  byId("open-scan").addEventListener("click", openScan);
  byId("open-procedures").addEventListener("click", openProcedures);
  byId("code-submit").addEventListener("click", function () {
    if (state.typedCode) { lookup(state.typedCode); }
  });
  byId("lookup-again").addEventListener("click", openScan);
  byId("return-button").addEventListener("click", takeReturnTicket);
  byId("procedure-take").addEventListener("click", takeNumberForProcedure);
  byId("procedure-back").addEventListener("click", function () { show("procedures"); });
  keyboard(byId("code-keyboard"), CODE_KEYS, typeCode, [
    {name: "backspace", label: "scan.backspace", className: "key-backspace", press: function () {
      state.typedCode = state.typedCode.slice(0, -1); renderScan(); }},
    {name: "clear", label: "scan.clear", className: "key-clear", press: function () {
      state.typedCode = ""; renderScan(); }}
  ]);
  keyboard(byId("search-keyboard"), LETTER_KEYS, function (symbol) { typeQuery(symbol.toLowerCase()); }, [
    {name: "space", label: "procedures.space", className: "key-space", press: function () {
      if (state.query && state.query.slice(-1) !== " ") { typeQuery(" "); } }},
    {name: "backspace", label: "scan.backspace", className: "key-backspace", press: function () {
      state.query = state.query.slice(0, -1); querySoon(); }},
    {name: "clear", label: "scan.clear", className: "key-clear", press: function () {
      state.query = ""; querySoon(); }}
  ]);
  if (settings.wedge) { document.addEventListener("keydown", onWedgeKey); }
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
