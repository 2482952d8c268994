// Saves quiz answers on every change, so a dropped connection or a closed tab
// loses nothing. Without scripts, the page's own Save and Finish buttons work.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector(".autosave-status");
  var revision = form.querySelector("input[name=revision]");
  var pending = null;
  var inFlight = false;
  var again = false;
  var submitAfter = null; // a button pressed while a save was on its way
  var stale = false;

  function say(text) { if (status) status.textContent = text; }

  // Another tab saved after this page was drawn: say so plainly, with the way out.
  function sayStale() {
    if (!status) return;
    status.className = "autosave-status flash flash-error";
    status.setAttribute("role", "alert");
    status.textContent = status.dataset.stale + " ";
    var link = document.createElement("a");
    link.href = window.location.href; link.textContent = status.dataset.reload;
    status.appendChild(link);
  }

  // A page restored by the Back button is not the server's latest: fetch it again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });

  function finished() {
    inFlight = false;
    if (submitAfter) { var button = submitAfter; submitAfter = null; submit(button); return; }
    if (again) { again = false; save(); }
  }

  // One save at a time: a slow request must never land after a newer one and
  // overwrite fresher answers, so a change made meanwhile is sent when it returns.
  // Each save answers with the attempt's new revision, which the form then carries:
  // the server refuses a form whose revision is older than the latest save.
  function save(retried) {
    if (stale) return Promise.resolve();
    if (inFlight && !retried) { again = true; return Promise.resolve(); }
    inFlight = true;
    var data = new FormData(form);
    data.delete("action");
    return fetch(form.dataset.autosave, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          if (revision && body.revision !== undefined) revision.value = body.revision;
          say(body.message + " " + new Date().toLocaleTimeString());
          return;
        }
        var token = form.querySelector("input[name=csrf_token]");
        if (body.csrf_token && token && !retried) { token.value = body.csrf_token; return save(true); }
        if (body.stale) { stale = true; sayStale(); return; } // stop: the learner reloads
        say(body.error || "");
      });
    }).catch(function () { say(form.dataset.offline || "…"); })
      .then(finished);
  }

  function submit(button) {
    var action = document.createElement("input");
    action.type = "hidden"; action.name = "action"; action.value = button ? button.value : "save";
    form.appendChild(action);
    form.submit(); // the native submit skips the listener below
  }

  // A button pressed while an autosave is on its way waits for it, so the form goes
  // with the revision that save returned instead of being refused as out of date.
  form.addEventListener("submit", function (event) {
    clearTimeout(pending);
    if (!inFlight) return;
    event.preventDefault();
    submitAfter = event.submitter || form.querySelector("button[name=action][value=save]");
  });

  form.addEventListener("change", function () {
    clearTimeout(pending);
    pending = setTimeout(save, 300);
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") return;
    clearTimeout(pending);
    pending = setTimeout(save, 1200);
  });

  // The countdown; at zero the page says so and submits the answers on it (the server
  // still accepts them for a minute's grace, so a slow phone loses nothing).
  var timer = document.querySelector(".timer[data-remaining]");
  if (timer) {
    var left = timer.querySelector(".left");
    var ends = Date.now() + 1000 * parseInt(timer.dataset.remaining, 10);
    var tick = function () {
      var seconds = Math.max(0, Math.round((ends - Date.now()) / 1000));
      left.textContent = timer.dataset.countdown.replace("{time}",
        Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0"));
      if (seconds > 0) { setTimeout(tick, 1000); return; }
      timer.setAttribute("aria-live", "assertive");
      left.textContent = timer.dataset.expired;
      var finish = form.querySelector("button[name=action][value=finish]");
      clearTimeout(pending);
      if (inFlight) { submitAfter = finish || { value: "finish" }; return; }
      submit(finish || { value: "finish" });
    };
    tick();
  }
})();
