// The web chat's page: one WebSocket to /chat/socket speaking the JSON protocol of
// docs/web-chat.md. Hand-written, no library, no build step. Every text from the
// server is set with textContent: nothing here ever parses markup.
"use strict";

(function () {
  var CLOSE_SIGNED_OUT = 4401;
  var FIRST_DELAY_MS = 500;
  var MAX_DELAY_MS = 10000;

  var log = document.getElementById("log");
  var statusLine = document.getElementById("status");
  var form = document.getElementById("composer");
  var box = document.getElementById("message");
  var sendButton = document.getElementById("send");
  var typing = document.getElementById("typing");

  var socket = null;
  var lastId = 0; // the newest message id shown: what `hello` asks to continue from
  var shown = new Map(); // message id -> its element, so a repeated id is skipped
  var delay = FIRST_DELAY_MS;
  var retryTimer = null;
  var pinned = true; // the reader is at the newest message: keep it there when sizes change

  function socketUrl() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + "/chat/socket";
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function isOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  function sendFrame(frame) {
    if (!isOpen()) {
      return false;
    }
    socket.send(JSON.stringify(frame));
    return true;
  }

  function scrollToNewest() {
    // The log is the scrolling box; its end is the newest message. An instant jump, as
    // chat apps do: nothing moves on its own, and "where am I" is known at once.
    pinned = true;
    log.scrollTop = log.scrollHeight;
  }

  // Reading back up the transcript unpins it; a rotated phone, a zoom or a picture that
  // loads then leaves the reader where they are. Back at the end, it follows again.
  log.addEventListener("scroll", function () {
    pinned = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  });
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(function () {
      if (pinned) {
        log.scrollTop = log.scrollHeight;
      }
    }).observe(log);
  }

  function removeChoices(except) {
    var lists = log.querySelectorAll(".choices");
    for (var i = 0; i < lists.length; i++) {
      if (lists[i].parentNode !== except) {
        lists[i].remove();
      }
    }
  }

  function press(messageId, index) {
    if (sendFrame({ type: "press", message: messageId, button: index })) {
      // The next step's answer arrives as messages; the keyboard goes back to typing.
      box.focus();
    }
  }

  function choiceList(message) {
    var list = document.createElement("div");
    list.className = "choices";
    message.buttons.forEach(function (label, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      button.textContent = label;
      button.addEventListener("click", function () {
        press(message.id, index);
      });
      list.appendChild(button);
    });
    return list;
  }

  function messageElement(message) {
    var element = document.createElement("div");
    var mine = message.from === "you";
    element.className = "message " + (mine ? "you" : "bot");
    element.dataset.id = String(message.id);

    var bubble = document.createElement("div");
    bubble.className = "bubble";
    if (message.image) {
      var picture = document.createElement("img");
      picture.className = "picture";
      picture.alt = message.image_alt || "";
      // A picture changes the height after it loads: keep the newest message in view.
      picture.addEventListener("load", function () {
        if (pinned) {
          scrollToNewest();
        }
      });
      picture.src = message.image;
      bubble.appendChild(picture);
    }
    if (message.text) {
      var text = document.createElement("p");
      text.className = "text";
      text.textContent = message.text;
      bubble.appendChild(text);
    }
    element.appendChild(bubble);

    if (!mine && message.buttons && message.buttons.length > 0) {
      element.appendChild(choiceList(message));
    }
    return element;
  }

  function clearTranscript() {
    while (log.firstChild) {
      log.removeChild(log.firstChild);
    }
    shown.clear();
    lastId = 0;
  }

  function showMessages(frame) {
    if (frame.reset) {
      clearTranscript();
    }
    var newestWithChoices = null;
    (frame.messages || []).forEach(function (message) {
      if (shown.has(message.id)) {
        return;
      }
      var element = messageElement(message);
      log.appendChild(element);
      shown.set(message.id, element);
      if (message.id > lastId) {
        lastId = message.id;
      }
      if (element.querySelector(".choices")) {
        newestWithChoices = element;
      }
    });
    // Only the newest bot message with buttons keeps them. A tab that received nothing
    // newer keeps its old ones: pressing one is a stale press the server answers.
    if (newestWithChoices !== null) {
      var hadFocus = document.activeElement;
      removeChoices(newestWithChoices);
      if (hadFocus && !document.body.contains(hadFocus)) {
        box.focus();
      }
    }
    scrollToNewest();
  }

  function receive(event) {
    var frame;
    try {
      frame = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    // Any frame after a `hello` shows the connection works: start backing off afresh.
    delay = FIRST_DELAY_MS;
    switch (frame.type) {
      case "messages":
        if (statusLine.dataset.kind === "error") {
          setStatus("");
          delete statusLine.dataset.kind;
        }
        showMessages(frame);
        break;
      case "busy":
        typing.hidden = false;
        break;
      case "idle":
        typing.hidden = true;
        break;
      case "error":
        statusLine.dataset.kind = "error";
        setStatus(frame.text || "");
        break;
      default:
        break;
    }
  }

  function connected() {
    if (retryTimer !== null) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    setStatus("");
    delete statusLine.dataset.kind;
    sendButton.disabled = false;
    sendFrame({ type: "hello", after: lastId });
  }

  function signedOut() {
    location.assign("/chat");
  }

  // A socket refused before it opened closes with 1006, whatever the reason. When the
  // session has ended meanwhile (signed out on another tab, expired), /chat/session
  // answers 401: then the page goes to /chat, which asks to sign in.
  function checkSession() {
    return fetch("/chat/session", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.status !== 401;
      })
      .catch(function () {
        return true; // the server is away: keep trying
      });
  }

  function scheduleReconnect() {
    var wait = delay;
    delay = Math.min(delay * 2, MAX_DELAY_MS);
    retryTimer = setTimeout(function () {
      retryTimer = null;
      connect();
    }, wait);
  }

  function disconnected(event, everOpened) {
    socket = null;
    typing.hidden = true;
    if (event.code === CLOSE_SIGNED_OUT) {
      signedOut();
      return;
    }
    setStatus("Reconnecting…");
    delete statusLine.dataset.kind;
    sendButton.disabled = true;
    if (everOpened) {
      scheduleReconnect();
      return;
    }
    checkSession().then(function (stillSignedIn) {
      if (stillSignedIn) {
        scheduleReconnect();
      } else {
        signedOut();
      }
    });
  }

  function connect() {
    var opened = false;
    var current = new WebSocket(socketUrl());
    socket = current;
    current.addEventListener("open", function () {
      opened = true;
      connected();
    });
    current.addEventListener("message", receive);
    current.addEventListener("close", function (event) {
      if (socket === current) {
        disconnected(event, opened);
      }
    });
  }

  function sendTyped() {
    var text = box.value.trim();
    if (text === "" || sendButton.disabled) {
      box.focus();
      return;
    }
    if (sendFrame({ type: "say", text: text })) {
      box.value = "";
    }
    box.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendTyped();
  });

  box.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition is not a send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendTyped();
    }
  });

  sendButton.disabled = true;
  connect();
})();
