/* The clerk panel of one counter: renders each view pushed by /counter/{n}/events and
 * posts the counter's actions to /counter/{n}/actions/{action}.
 *
 * Every click carries a request id; a second click of the same action within
 * REPEAT_WINDOW_MS (a double click, a bouncing key) reuses the first one's id, so the
 * hub acts once and answers both with the same reply. Every word comes from the page's
 * catalog (motcua/server/clerk_text.py); errors come with the hub's own messages.
 * Times tick from the hub's clock ("now" of each view), not the browser's.
 */
(function () {
  "use strict";

  var REPEAT_WINDOW_MS = 400;
  var LANGUAGE_KEY = "motcua.lang";
  var page = JSON.parse(document.getElementById("page-data").textContent);
  var csrfToken = document.getElementById("csrf-token").value;
  var language = storedLanguage() || document.documentElement.lang || "vi";
  var view = null;
  var clockOffset = 0;
  var lastClick = { action: null, id: null, at: 0 };
  var dialogSubmit = null;

  function $(id) { return document.getElementById(id); }

  function storedLanguage() {
    try { return window.localStorage.getItem(LANGUAGE_KEY); } catch (e) { return null; }
  }

  function t(key, params) {
    var template = (page.texts[language] || page.texts.vi)[key];
    if (template === undefined) template = key;
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      return params && params[name] !== undefined && params[name] !== null ? params[name] : "";
    });
  }

  function serviceName(code) {
    for (var i = 0; i < page.services.length; i++) {
      if (page.services[i].code === code) return page.services[i].name;
    }
    return code;
  }

  // --- request ids ----------------------------------------------------------------------

  function newId() {
    // crypto.randomUUID needs a secure context; the panel may be served over plain HTTP.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function idFor(action, args) {
    var now = Date.now();
    var key = action + JSON.stringify(args || {});
    if (lastClick.action === key && now - lastClick.at < REPEAT_WINDOW_MS) return lastClick.id;
    lastClick = { action: key, id: newId(), at: now };
    return lastClick.id;
  }

  // --- sending actions --------------------------------------------------------------------

  function showMessage(textValue, kind) {
    var box = $("message");
    box.textContent = textValue;
    box.className = "message " + (kind || "");
    box.hidden = !textValue;
  }

  function errorText(error) {
    if (!error) return t("network_error");
    return language === "en" && error.message_en ? error.message_en : error.message;
  }

  function send(action, args) {
    var body = {};
    for (var name in args || {}) body[name] = args[name];
    body.id = idFor(action, args);
    var request = new XMLHttpRequest();
    request.open("POST", page.actions + action);
    request.setRequestHeader("Content-Type", "application/json");
    request.setRequestHeader("X-CSRFToken", csrfToken);
    request.onload = function () {
      var reply = null;
      try { reply = JSON.parse(request.responseText); } catch (e) { reply = null; }
      if (request.status === 200 && reply && reply.ok) {
        if (reply.ticket && (action === "call_next" || action === "call" || action === "walk_in")) {
          showMessage(t("called", { number: reply.ticket.number }), "ok");
        } else if (action === "rate") {
          showMessage(t("rated"), "ok");
        } else {
          showMessage(t("done", { action: t("action." + action) }), "ok");
        }
      } else {
        showMessage(errorText(reply && reply.error), "error");
      }
    };
    request.onerror = function () { showMessage(t("network_error"), "error"); };
    request.send(JSON.stringify(body));
  }

  // --- dialogs for actions with arguments ----------------------------------------------------

  function field(label, control) {
    var wrapper = document.createElement("label");
    wrapper.textContent = label;
    wrapper.appendChild(control);
    return wrapper;
  }

  function select(options) {
    var control = document.createElement("select");
    options.forEach(function (option) {
      var element = document.createElement("option");
      element.value = option.value;
      element.textContent = option.label;
      control.appendChild(element);
    });
    return control;
  }

  function ticketInput() {
    var input = document.createElement("input");
    input.maxLength = 12;
    input.autocomplete = "off";
    input.spellcheck = false;
    return input;
  }

  function openDialog(title, controls, onSubmit) {
    $("dialog-title").textContent = title;
    var fields = $("dialog-fields");
    fields.innerHTML = "";
    controls.forEach(function (control) { fields.appendChild(control); });
    dialogSubmit = onSubmit;
    $("dialog").hidden = false;
    var first = fields.querySelector("input, select");
    if (first) first.focus();
  }

  function closeDialog() {
    $("dialog").hidden = true;
    dialogSubmit = null;
  }

  var DIALOGS = {
    call: function () {
      var input = ticketInput();
      input.id = "ask-ticket";
      openDialog(t("ask.ticket"), [input], function () {
        send("call", { ticket: input.value.trim() });
      });
    },
    transfer: function () {
      var options = page.services.map(function (s) {
        return { value: "s:" + s.code, label: t("transfer.service", { name: s.name }) };
      }).concat(page.counters.filter(function (c) { return c.number !== page.counter; })
        .map(function (c) {
          return { value: "c:" + c.number, label: t("transfer.counter", { counter: c.number }) };
        }));
      var control = select(options);
      control.id = "ask-transfer";
      openDialog(t("ask.transfer"), [control], function () {
        var value = control.value;
        send("transfer", value.slice(0, 2) === "s:" ? { to_service: value.slice(2) }
          : { to_counter: parseInt(value.slice(2), 10) });
      });
    },
    walk_in: function () {
      var served = view && view.services.length ? view.services
        : page.services.map(function (s) { return s.code; });
      var control = select(served.map(function (code) {
        return { value: code, label: serviceName(code) };
      }));
      control.id = "ask-service";
      openDialog(t("action.walk_in"), [control], function () {
        send("walk_in", { service: control.value });
      });
    },
    set_priority: function () {
      var input = ticketInput();
      input.id = "ask-priority-ticket";
      var control = select(page.priorities.map(function (code) {
        return { value: code, label: page.priority_labels[code] || code };
      }));
      control.id = "ask-priority";
      openDialog(t("action.set_priority"), [field(t("ask.priority_ticket"), input),
        field(t("priority"), control)], function () {
        send("set_priority", { ticket: input.value.trim(), priority: control.value });
      });
    }
  };

  function act(action) {
    if (action === "pause" && view && view.status === "paused") action = "resume";
    if (DIALOGS[action]) {
      DIALOGS[action]();
    } else {
      send(action, {});
    }
  }

  // --- rendering -------------------------------------------------------------------------

  function clock() { return Date.now() + clockOffset; }

  function duration(fromIso, toMs) {
    if (!fromIso) return "—";
    var seconds = Math.max(0, Math.floor((toMs - Date.parse(fromIso)) / 1000));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m));
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function tick() {
    var current = view && view.current;
    if (!current) {
      $("waited").textContent = "—";
      $("served-for").textContent = "—";
      return;
    }
    var now = clock();
    var calledMs = current.called_at ? Date.parse(current.called_at) : now;
    $("waited").textContent = duration(current.issued_at, calledMs);
    $("served-for").textContent = current.started_at ? duration(current.started_at, now) : "—";
  }

  function ticketItem(ticket) {
    var item = document.createElement("li");
    item.className = ticket.priority !== "normal" ? "priority" : "";
    var number = document.createElement("strong");
    number.textContent = ticket.number;
    var service = document.createElement("span");
    service.textContent = serviceName(ticket.service) +
      (ticket.priority !== "normal" ? " · " + (page.priority_labels[ticket.priority] || t("priority")) : "");
    var issued = document.createElement("time");
    issued.textContent = ticket.issued_at.slice(11, 16);
    item.appendChild(number);
    item.appendChild(service);
    item.appendChild(issued);
    return item;
  }

  function fill(list, tickets) {
    list.innerHTML = "";
    tickets.forEach(function (ticket) { list.appendChild(ticketItem(ticket)); });
  }

  function renderRatings() {
    var table = $("ratings");
    if (!table || !view || !view.ratings) return;
    var levels = [];
    for (var level = view.ratings.levels; level >= 1; level--) levels.push(level);
    var head = "<tr><th></th>" + levels.map(function (l) {
      return "<th>" + (view.ratings.levels === 3 ? t("rating." + l) : l) + "</th>";
    }).join("") + "<th>" + t("rating.total") + "</th></tr>";
    table.tHead.innerHTML = head;
    var body = table.tBodies[0];
    body.innerHTML = "";
    view.ratings.counters.forEach(function (row) {
      var tr = document.createElement("tr");
      var cells = [t("title", { counter: row.counter })].concat(
        levels.map(function (l) { return row.counts[String(l)]; }), [row.total]);
      cells.forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = String(value);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function render() {
    document.documentElement.lang = language;
    document.title = t("title", { counter: page.counter });
    $("title").textContent = t("title", { counter: page.counter });
    $("language").textContent = t("language");
    $("offline").textContent = t("offline");
    var labels = document.querySelectorAll("[data-text]");
    for (var i = 0; i < labels.length; i++) {
      labels[i].textContent = t(labels[i].getAttribute("data-text"));
    }
    if (!view) return;
    var status = view.status;
    $("counter-status").textContent = t("status." + status);
    $("counter-status").className = "badge " + status;
    document.body.setAttribute("data-status", status);
    var current = view.current;
    $("current-number").textContent = current ? current.number : "—";
    $("current-service").textContent = current ? serviceName(current.service) : "";
    $("current-status").textContent = current ? t("ticket." + current.status) : t("no_current");
    $("current-status").removeAttribute("data-text");
    // A return-of-results ticket: which dossier to hand over (code and procedure).
    var dossier = current && current.dossier;
    $("current-dossier").hidden = !dossier;
    $("dossier-code").textContent = dossier ? dossier.code : "";
    $("dossier-procedure").textContent = dossier ? (dossier.procedure || "") : "";
    $("served-today").textContent = String(view.served_today);
    $("waiting-total").textContent = String(view.waiting_total);
    fill($("waiting"), view.waiting);
    $("nobody").hidden = view.waiting_total > 0;
    fill($("held"), view.held);
    $("held-box").hidden = view.held.length === 0;
    $("act-open").hidden = status !== "closed";
    $("act-close").hidden = status === "closed";
    $("act-pause").hidden = status !== "open";
    $("act-resume").hidden = status !== "paused";
    renderRatings();
    tick();
  }

  // --- wiring -----------------------------------------------------------------------------

  var buttons = document.querySelectorAll("button[data-action]");
  for (var b = 0; b < buttons.length; b++) {
    buttons[b].addEventListener("click", function (event) {
      act(event.currentTarget.getAttribute("data-action"));
    });
  }
  var ratings = document.querySelectorAll("button[data-score]");
  for (var r = 0; r < ratings.length; r++) {
    ratings[r].addEventListener("click", function (event) {
      send("rate", { score: parseInt(event.currentTarget.getAttribute("data-score"), 10) });
    });
  }
  $("dialog-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var submit = dialogSubmit;
    closeDialog();
    if (submit) submit();
  });
  $("dialog-cancel").addEventListener("click", closeDialog);
  $("language").addEventListener("click", function () {
    language = language === "vi" ? "en" : "vi";
    try { window.localStorage.setItem(LANGUAGE_KEY, language); } catch (e) { /* private mode */ }
    render();
  });

  var byKey = {};
  Object.keys(page.shortcuts).forEach(function (action) {
    if (action !== "resume") byKey[page.shortcuts[action]] = action;
  });
  document.addEventListener("keydown", function (event) {
    if (!$("dialog").hidden) {
      if (event.key === "Escape") closeDialog();
      return;
    }
    var target = event.target;
    if (event.ctrlKey || event.altKey || event.metaKey ||
        (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    var key = event.key.length === 1 ? event.key.toUpperCase() : "";
    var score = parseInt(key, 10);
    if (score >= 1 && score <= page.rating_levels) {
      event.preventDefault();
      send("rate", { score: score });
    } else if (byKey[key]) {
      event.preventDefault();
      act(byKey[key]);
    }
  });

  render();
  window.setInterval(tick, 1000);
  window.motcuaLive.open(page.events, "panel", {
    onData: function (data) {
      view = data;
      clockOffset = Date.parse(data.now) - Date.now();
      render();
    },
    onConnection: function (connected) { $("offline").hidden = connected; }
  });
})();
