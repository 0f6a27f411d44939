// The driver app's actions, queued in the browser and sent to the REST API.
//
// Every action (arrived, completed, failed, a breakdown, a delay) is written to
// localStorage first, with an Idempotency-Key made when the driver acts, then sent in
// order with the driver's bearer token. Without a connection the actions wait ("N actions
// waiting to be sent") and are sent when it returns (the online event and a retry every
// few seconds); a replay of an action already applied is answered from the server's
// idempotency record, so nothing is applied twice. The forms are built here, in the
// browser, so that they work offline too.
(function () {
  "use strict";
  var config = window.FLEET_DRIVER_CONFIG || {};
  var KEY = "fleetline.driver.queue." + (config.driverId || "");
  var PROBLEMS = "fleetline.driver.problems." + (config.driverId || "");
  var RETRY_MS = 5000;
  var MAX_PROOF = 480000;
  var REASONS = [
    ["client_absent", "Client absent"],
    ["refused", "Refused"],
    ["no_access", "No access"],
    ["damaged_goods", "Damaged goods"],
    ["other", "Other"],
  ];
  var VERBS = {
    arrived: "Arrived",
    completed: "Completed",
    failed: "Failed",
    breakdown: "Breakdown",
    delayed: "Delay",
    resumed: "Back on the road",
  };
  var clock = { server: Date.parse(config.serverNow) || Date.now(), local: Date.now() };
  var STAMP_KEY = "fleet-driver-last-stamp";
  var lastStamp = Number(localStorage.getItem(STAMP_KEY)) || 0;
  var sending = false;

  // --- time and storage --------------------------------------------------------------
  // The server's time as this device reckons it. A sync with the server may set it back
  // (its answer took a while to arrive); a report made after another never gets an
  // earlier time, so a stop's Arrived always comes before its Completed (across reloads
  // of the page too); a last time more than 5 minutes ahead is another day's, not kept.
  var MAX_AHEAD_MS = 5 * 60 * 1000;
  function now() {
    var reckoned = clock.server + (Date.now() - clock.local);
    var ahead = lastStamp - reckoned;
    lastStamp = ahead >= 0 && ahead < MAX_AHEAD_MS ? lastStamp + 1 : reckoned;
    localStorage.setItem(STAMP_KEY, String(lastStamp));
    return new Date(lastStamp).toISOString();
  }
  function read(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || "[]");
    } catch (e) {
      return [];
    }
  }
  function write(key, value) {
    localStorage.setItem(key, JSON.stringify(value));
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return "drv-" + crypto.randomUUID();
    return "drv-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  // --- the queue ---------------------------------------------------------------------
  function enqueue(path, body, label, stopId) {
    var queue = read(KEY);
    queue.push({ key: newKey(), path: path, body: body, label: label, stopId: stopId || null });
    write(KEY, queue);
    render();
    flush();
  }

  function problem(action, message) {
    var problems = read(PROBLEMS);
    problems.push(action.label + " was not accepted: " + message);
    write(PROBLEMS, problems.slice(-5));
  }

  function errorMessage(answer) {
    var error = answer && answer.error;
    if (!error) return "refused by the server";
    var field = error.details && error.details[0] && error.details[0].field;
    return field ? field + ": " + error.message : error.message;
  }

  async function flush() {
    if (sending) return;
    sending = true;
    var sent = 0;
    try {
      while (navigator.onLine !== false) {
        var queue = read(KEY);
        if (!queue.length) break;
        var action = queue[0];
        var response;
        try {
          response = await fetch(action.path, {
            method: "POST",
            headers: {
              Authorization: "Bearer " + config.token,
              "Content-Type": "application/json",
              "Idempotency-Key": action.key,
            },
            body: JSON.stringify(action.body),
          });
        } catch (e) {
          break; // no connection: keep the action, try again later
        }
        if (response.status >= 500 || response.status === 408 || response.status === 429) break;
        if (!response.ok) {
          var answer = null;
          try {
            answer = await response.json();
          } catch (e) {}
          problem(action, errorMessage(answer));
        }
        var rest = read(KEY);
        if (rest.length && rest[0].key === action.key) write(KEY, rest.slice(1));
        sent += 1;
      }
    } finally {
      sending = false;
      render();
    }
    if (sent && window.socket && window.socket.connected && typeof emitEvent === "function") {
      emitEvent("driver_action_sent");
    }
  }

  // --- what the driver sees of the queue ------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function bar() {
    var node = document.getElementById("fl-queue");
    if (node) return node;
    node = el("div", "fl-queue");
    node.id = "fl-queue";
    node.setAttribute("role", "status");
    document.body.appendChild(node);
    return node;
  }

  function render() {
    if (!document.body) return;
    var queue = read(KEY);
    var problems = read(PROBLEMS);
    var node = bar();
    node.textContent = "";
    node.style.display = queue.length || problems.length ? "block" : "none";
    document.body.classList.toggle("fl-has-queue", !!(queue.length || problems.length));
    if (queue.length) {
      var line = el("div", "fl-queue-line");
      var words = queue.length === 1 ? "1 action waiting to be sent" : queue.length + " actions waiting to be sent";
      if (navigator.onLine === false) words = "Offline: " + words;
      line.appendChild(el("span", "fl-queue-count", words));
      var retry = el("button", "fl-btn fl-btn-light", "Send now");
      retry.type = "button";
      retry.onclick = flush;
      line.appendChild(retry);
      node.appendChild(line);
    }
    problems.forEach(function (text) {
      node.appendChild(el("div", "fl-queue-problem", text));
    });
    if (problems.length) {
      var dismiss = el("button", "fl-btn fl-btn-light", "Dismiss");
      dismiss.type = "button";
      dismiss.onclick = function () {
        write(PROBLEMS, []);
        render();
      };
      node.appendChild(dismiss);
    }
    markPending(queue);
  }

  function markPending(queue) {
    var waiting = {};
    queue.forEach(function (action) {
      if (action.stopId) waiting[action.stopId] = VERBS[action.body.type] || action.body.type;
    });
    document.querySelectorAll("[data-stop-id]").forEach(function (card) {
      var verb = waiting[card.getAttribute("data-stop-id")];
      var note = card.querySelector(".fl-pending");
      if (note) note.textContent = verb ? verb + ": saved on this phone, waiting to be sent" : "";
      card.classList.toggle("fl-is-pending", !!verb);
    });
  }

  function toast(text) {
    var node = el("div", "fl-toast", text);
    node.setAttribute("role", "status");
    document.body.appendChild(node);
    setTimeout(function () {
      node.remove();
    }, 2500);
  }

  // --- proof: a downscaled photo and/or a drawn signature --------------------------------
  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () {
        URL.revokeObjectURL(url);
        resolve(image);
      };
      image.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("not an image"));
      };
      image.src = url;
    });
  }

  function scaled(image, maxSide) {
    var ratio = Math.min(1, maxSide / Math.max(image.width, image.height));
    return { width: Math.round(image.width * ratio), height: Math.round(image.height * ratio) };
  }

  async function proofOf(photoFile, signature) {
    var photo = photoFile ? await loadImage(photoFile) : null;
    if (!photo && !signature) return null;
    for (var side = 1024; side >= 256; side = Math.round(side * 0.7)) {
      var size = photo ? scaled(photo, side) : { width: 0, height: 0 };
      var width = photo ? size.width : signature.width;
      var signHeight = signature ? Math.round((signature.height * width) / signature.width) : 0;
      var canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = size.height + signHeight;
      var pen = canvas.getContext("2d");
      pen.fillStyle = "#ffffff";
      pen.fillRect(0, 0, canvas.width, canvas.height);
      if (photo) pen.drawImage(photo, 0, 0, size.width, size.height);
      if (signature) pen.drawImage(signature, 0, size.height, width, signHeight);
      var url = canvas.toDataURL("image/jpeg", 0.7);
      if (url.length <= MAX_PROOF) return url;
    }
    throw new Error("the photo is too large even when shrunk");
  }

  function signaturePad(container) {
    var canvas = el("canvas", "fl-signature");
    canvas.width = 320;
    canvas.height = 140;
    canvas.setAttribute("aria-label", "Signature");
    var pen = canvas.getContext("2d");
    pen.lineWidth = 2.5;
    pen.lineCap = "round";
    pen.strokeStyle = "#0d47a1";
    var drawn = false;
    var last = null;
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      canvas.setPointerCapture(event.pointerId);
      last = point(event);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!last) return;
      var next = point(event);
      pen.beginPath();
      pen.moveTo(last.x, last.y);
      pen.lineTo(next.x, next.y);
      pen.stroke();
      last = next;
      drawn = true;
    });
    canvas.addEventListener("pointerup", function () {
      last = null;
    });
    var clear = el("button", "fl-btn fl-btn-flat", "Clear signature");
    clear.type = "button";
    clear.onclick = function () {
      pen.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    };
    container.appendChild(canvas);
    container.appendChild(clear);
    return {
      value: function () {
        return drawn ? canvas : null;
      },
    };
  }

  // --- the action sheet ------------------------------------------------------------------
  function field(form, label, input) {
    var wrap = el("label", "fl-field");
    wrap.appendChild(el("span", "fl-field-label", label));
    wrap.appendChild(input);
    var error = el("span", "fl-field-error");
    wrap.appendChild(error);
    form.appendChild(wrap);
    return error;
  }

  function sheet(title, subtitle, build, submit) {
    var shade = el("div", "fl-shade");
    var box = el("form", "fl-sheet");
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", title);
    box.noValidate = true;
    box.appendChild(el("div", "fl-sheet-title", title));
    if (subtitle) box.appendChild(el("div", "fl-sheet-subtitle", subtitle));
    var parts = build(box);
    var general = el("div", "fl-field-error");
    box.appendChild(general);
    var buttons = el("div", "fl-sheet-buttons");
    var cancel = el("button", "fl-btn fl-btn-flat", "Cancel");
    cancel.type = "button";
    var send = el("button", "fl-btn fl-btn-primary", "Save " + title.toLowerCase());
    send.type = "submit";
    buttons.appendChild(cancel);
    buttons.appendChild(send);
    box.appendChild(buttons);
    shade.appendChild(box);
    document.body.appendChild(shade);
    function close() {
      shade.remove();
    }
    cancel.onclick = close;
    shade.addEventListener("click", function (event) {
      if (event.target === shade) close();
    });
    box.onsubmit = async function (event) {
      event.preventDefault();
      general.textContent = "";
      send.disabled = true;
      try {
        if (await submit(parts, general)) close();
      } catch (e) {
        general.textContent = e.message || String(e);
      } finally {
        send.disabled = false;
      }
    };
  }

  function noteInput() {
    var note = el("textarea", "fl-input");
    note.rows = 3;
    note.maxLength = 2000;
    note.placeholder = "Optional";
    return note;
  }

  function checkNote(parts) {
    if (parts.note.value.length > 2000) {
      parts.noteError.textContent = "at most 2000 characters";
      return false;
    }
    parts.noteError.textContent = "";
    return true;
  }

  function stopPath(stopId) {
    return "/api/v1/stops/" + encodeURIComponent(stopId) + "/events";
  }

  function completed(stopId, label) {
    sheet("Completed", label, function (form) {
      var parts = { note: noteInput() };
      parts.noteError = field(form, "Note", parts.note);
      parts.photo = el("input", "fl-input");
      parts.photo.type = "file";
      parts.photo.accept = "image/*";
      parts.photo.setAttribute("capture", "environment");
      parts.photoError = field(form, "Photo of the delivery", parts.photo);
      var pad = el("div", "fl-field");
      pad.appendChild(el("span", "fl-field-label", "Signature of the client"));
      form.appendChild(pad);
      parts.signature = signaturePad(pad);
      return parts;
    }, async function (parts) {
      if (!checkNote(parts)) return false;
      var file = parts.photo.files && parts.photo.files[0];
      if (file && !/^image\//.test(file.type)) {
        parts.photoError.textContent = "choose a photo";
        return false;
      }
      var proof;
      try {
        proof = await proofOf(file, parts.signature.value());
      } catch (e) {
        parts.photoError.textContent = e.message;
        return false;
      }
      var body = { type: "completed", at: now(), note: parts.note.value.trim() };
      if (proof) body.proof = proof;
      enqueue(stopPath(stopId), body, "Completed at " + label, stopId);
      toast("Completed: " + label);
      return true;
    });
  }

  function failed(stopId, label) {
    sheet("Failed", label, function (form) {
      var parts = { reasons: el("div", "fl-reasons") };
      parts.reasons.setAttribute("role", "radiogroup");
      REASONS.forEach(function (reason) {
        var option = el("label", "fl-reason");
        var radio = el("input");
        radio.type = "radio";
        radio.name = "reason";
        radio.value = reason[0];
        option.appendChild(radio);
        option.appendChild(el("span", "", reason[1]));
        parts.reasons.appendChild(option);
      });
      parts.reasonError = field(form, "Reason", parts.reasons);
      parts.note = noteInput();
      parts.noteError = field(form, "Note", parts.note);
      return parts;
    }, async function (parts) {
      var chosen = parts.reasons.querySelector("input:checked");
      parts.reasonError.textContent = chosen ? "" : "choose a reason";
      if (!checkNote(parts) || !chosen) return false;
      if (chosen.value === "other" && !parts.note.value.trim()) {
        parts.noteError.textContent = "say what happened";
        return false;
      }
      var body = { type: "failed", at: now(), reason: chosen.value, note: parts.note.value.trim() };
      enqueue(stopPath(stopId), body, "Failed at " + label, stopId);
      toast("Failed: " + label);
      return true;
    });
  }

  function stopAction(kind, stopId, label) {
    if (kind === "completed") return completed(stopId, label);
    if (kind === "failed") return failed(stopId, label);
    enqueue(stopPath(stopId), { type: kind, at: now() }, (VERBS[kind] || kind) + " at " + label, stopId);
    toast((VERBS[kind] || kind) + ": " + label);
  }

  function vehicleAction(kind, vehicleId) {
    var path = "/api/v1/vehicles/" + encodeURIComponent(vehicleId) + "/events";
    if (kind === "resumed") {
      enqueue(path, { type: kind, at: now(), note: "" }, VERBS[kind], null);
      toast("Back on the road");
      return;
    }
    var title = kind === "breakdown" ? "Breakdown" : "Delay";
    sheet(title, "Your dispatcher is told at once.", function (form) {
      var parts = { note: noteInput() };
      parts.note.placeholder = kind === "breakdown" ? "What happened, where" : "Why, and for how long";
      parts.noteError = field(form, "Note", parts.note);
      return parts;
    }, async function (parts) {
      if (!checkNote(parts)) return false;
      enqueue(path, { type: kind, at: now(), note: parts.note.value.trim() }, title + " reported", null);
      toast(title + " reported");
      return true;
    });
  }

  window.FleetDriver = {
    stopAction: stopAction,
    vehicleAction: vehicleAction,
    flush: flush,
    waiting: function () {
      return read(KEY).length;
    },
    sync: function (serverNow) {
      var parsed = Date.parse(serverNow);
      if (!isNaN(parsed)) clock = { server: parsed, local: Date.now() };
    },
  };

  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  setInterval(flush, RETRY_MS);
  setInterval(function () {
    markPending(read(KEY));
  }, 1000);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      render();
      flush();
    });
  } else {
    render();
    flush();
  }
})();
