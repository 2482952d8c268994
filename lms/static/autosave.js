// Saves quiz answers on every change, so a dropped connection or a closed tab
// loses nothing. Without scripts, the page's own Save and Finish buttons work.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector(".autosave-status");
  var pending = null;
  var inFlight = false;
  var again = false;

  function say(text) { if (status) status.textContent = text; }

  // One save at a time: a slow request must never land after a newer one and
  // overwrite fresher answers, so a change made meanwhile is sent when it returns.
  function save(retried) {
    if (inFlight && !retried) { again = true; return Promise.resolve(); }
    inFlight = true;
    var data = new FormData(form);
    data.delete("action");
    return fetch(form.dataset.autosave, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) { say(body.message + " " + new Date().toLocaleTimeString()); return; }
        var token = form.querySelector("input[name=csrf_token]");
        if (body.csrf_token && token && !retried) { token.value = body.csrf_token; return save(true); }
        say(body.error || "");
      });
    }).catch(function () { say(form.dataset.offline || "…"); })
      .then(function () {
        inFlight = false;
        if (again) { again = false; save(); }
      });
  }

  form.addEventListener("change", function () {
    clearTimeout(pending);
    pending = setTimeout(save, 300);
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") return;
    clearTimeout(pending);
    pending = setTimeout(save, 1200);
  });

  var timer = document.querySelector(".timer[data-remaining]");
  if (timer) {
    var ends = Date.now() + 1000 * parseInt(timer.dataset.remaining, 10);
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      timer.firstChild.textContent = timer.firstChild.textContent.replace(/\d+(:\d\d)?/, Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0"));
      if (left > 0) setTimeout(tick, 1000);
    };
    tick();
  }
})();
