/* The web board's announcer: plays the hub's announcement plans, one at a time.
 *
 * A plan is what motcua.speech plans for the pygame/WAV announcer (plan.as_json()):
 * the chime, then the phrase repeated, each clip after its pause. Every clip is fetched
 * once from the hub (/display/sounds/...) and decoded with the Web Audio API, then the
 * clips of one announcement are scheduled back to back on the audio clock, so the gaps
 * are the planned ones to the millisecond.
 *
 * Promises kept, as by the display's announcer (display/announcer.py):
 * - never overlapping: an announcement starts only after the previous one has ended on
 *   the audio clock (not a timer's guess);
 * - never cut off: nothing stops an announcement once started;
 * - in order, and an announcement whose turn comes more than maxAgeS after its call is
 *   dropped ("stale") instead of being said late;
 * - with the sound off (the browser has not allowed audio yet) an announcement is
 *   recorded as "muted" and the queue goes on, so turning the sound on later never
 *   plays a backlog.
 *
 *   var announcer = motcuaAnnouncer.create({clips: {name: url}, maxAgeS: 60});
 *   announcer.enable();                  // inside a click: creates/resumes the AudioContext
 *   announcer.submit({ticket, counter, recall, plan, ageS});
 *   announcer.announced  // every submitted announcement: {ticket, counter, recall, text, clips}
 *   announcer.outcomes   // {ticket, counter, recall, outcome: played|stale|muted|failed,
 *                        //  start, end: audio-clock seconds of what was played,
 *                        //  scheduled_at: Date.now() when its clips were queued}
 */
(function () {
  "use strict";

  var START_MARGIN_S = 0.08; // lets the first clip be scheduled ahead of the audio clock
  var POLL_MS = 100;

  function create(options) {
    var clips = options.clips || {};
    var maxAgeS = options.maxAgeS || 60;
    var context = null;
    var output = null;
    var decoded = {};
    var loading = {};
    var queue = [];
    var busy = false;
    var freeAt = 0; // audio-clock time when the last scheduled clip ends
    var announced = [];
    var outcomes = [];

    function running() {
      return context !== null && context.state === "running";
    }

    function enable() {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return false;
      if (context === null) {
        context = new Context();
        output = context.createGain();
        output.connect(context.destination);
        context.onstatechange = stateChanged;
      }
      var resumed = context.resume ? context.resume() : null;
      if (resumed && resumed.then) {
        resumed.then(stateChanged, function () { /* still blocked: the button stays */ });
      }
      stateChanged();
      return running();
    }

    // Once audio may play, every clip is fetched and decoded, so the first call does not
    // wait for them (about 0.4 s for the 51 clips of the vi voice).
    function stateChanged() {
      if (running()) preload();
      if (options.onStateChange) options.onStateChange(running());
    }

    var preloaded = false;

    function preload() {
      if (preloaded) return;
      preloaded = true;
      Object.keys(clips).forEach(load);
    }

    function decode(data) {
      return new Promise(function (resolve, reject) {
        // The callback form works in every Web Audio implementation (old TVs too).
        var promise = context.decodeAudioData(data, resolve, reject);
        if (promise && promise.catch) promise.catch(reject);
      });
    }

    function load(name) {
      if (decoded[name]) return Promise.resolve(decoded[name]);
      if (!loading[name]) {
        var url = clips[name];
        if (!url) return Promise.resolve(null);
        loading[name] = fetch(url)
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.arrayBuffer();
          })
          .then(decode)
          .then(function (buffer) {
            decoded[name] = buffer;
            return buffer;
          }, function (error) {
            delete loading[name]; // try again at the next call
            if (window.console) console.warn("clip " + name + " unavailable: " + error);
            return null;
          });
      }
      return loading[name];
    }

    function finish(item, outcome) {
      var entry = { ticket: item.ticket, counter: item.counter, recall: item.recall,
                    outcome: outcome };
      if (item.start !== undefined) {
        entry.start = item.start; // audio-clock seconds: the first and last sample
        entry.end = item.end;
        entry.scheduled_at = item.scheduledAt; // Date.now() when the clips were queued
      }
      outcomes.push(entry);
      if (options.onOutcome) options.onOutcome(item, outcome);
    }

    function submit(call) {
      var plan = call.plan || { text: "", steps: [] };
      var item = {
        ticket: call.ticket, counter: call.counter, recall: call.recall || 0,
        text: plan.text, steps: plan.steps,
        clips: plan.steps.map(function (step) { return step.clip; }),
        calledAt: Date.now() - (call.ageS || 0) * 1000
      };
      announced.push({ ticket: item.ticket, counter: item.counter, recall: item.recall,
                       text: item.text, clips: item.clips.slice() });
      queue.push(item);
      pump();
    }

    function pump() {
      while (!busy && queue.length > 0) {
        var item = queue.shift();
        if ((Date.now() - item.calledAt) / 1000 > maxAgeS) {
          finish(item, "stale");
        } else if (!running()) {
          finish(item, "muted");
        } else {
          busy = true;
          play(item);
        }
      }
    }

    function play(item) {
      Promise.all(item.steps.map(function (step) { return load(step.clip); }))
        .then(function (buffers) {
          var at = Math.max(context.currentTime + START_MARGIN_S, freeAt);
          var played = 0;
          item.start = at;
          item.scheduledAt = Date.now();
          item.steps.forEach(function (step, index) {
            at += step.pause_ms / 1000;
            var buffer = buffers[index];
            if (!buffer) return; // logged by load(); the rest is still said
            var source = context.createBufferSource();
            source.buffer = buffer;
            source.connect(output);
            source.start(at);
            at += buffer.duration;
            played += 1;
          });
          freeAt = item.end = at;
          waitUntil(at, function () {
            busy = false;
            finish(item, played === item.steps.length ? "played" : "failed");
            pump();
          });
        })
        .catch(function (error) {
          if (window.console) console.warn("announcement failed: " + error);
          busy = false;
          finish(item, "failed");
          pump();
        });
    }

    // Ends when the audio clock passes ``at``: a suspended context (the TV's audio taken
    // away) holds the queue instead of letting the next call talk over this one.
    function waitUntil(at, done) {
      if (context.currentTime >= at) {
        done();
        return;
      }
      var left = (at - context.currentTime) * 1000;
      setTimeout(function () { waitUntil(at, done); }, Math.max(POLL_MS, Math.min(left, 1000)));
    }

    return {
      enable: enable,
      running: running,
      submit: submit,
      announced: announced,
      outcomes: outcomes,
      pending: function () { return queue.length + (busy ? 1 : 0); },
      decoded: function () { return Object.keys(decoded).length; }
    };
  }

  window.motcuaAnnouncer = { create: create };
})();
