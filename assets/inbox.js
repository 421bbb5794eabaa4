// The inbox's thread and composer, where the browser must act before the server hears of it:
// - Enter sends (it submits the composer's form); Shift+Enter makes a new line; an IME composition is left alone.
// - /word offers canned responses: arrows choose, Enter or Tab insert, Escape closes.
// - Keys outside text boxes: j/k next/previous conversation, e resolve, a assign to me, / search, r reply.
// - A thread opens at its newest message and follows new ones while the agent is at the bottom;
//   when the agent has scrolled up, a new message shows the #new-messages pill instead.
// - Scrolling to the top asks for older messages (#load-older) and keeps the view where it was;
//   scrolling to the end of the conversation list asks for its next page (#load-more).
(function () {
  if (window.aishaInbox) return;
  window.aishaInbox = true;

  // The canned-response menu (#canned-menu, shown while the reply ends in /word): Up and Down
  // move through it, Enter or Tab insert the highlighted one, Escape closes it.
  const SLASH_WORD = /(^|\s)\/[A-Za-z0-9_-]{0,32}$/;
  let cannedClosedFor = null; // the text the agent closed the menu on

  function cannedOptions() {
    const menu = document.getElementById("canned-menu");
    if (!menu || menu.style.display === "none") return [];
    return Array.from(menu.querySelectorAll(".canned-option"));
  }

  function highlight(options, index) {
    options.forEach(function (o, i) { o.dataset.active = i === index ? "true" : "false"; });
    if (options[index]) options[index].scrollIntoView({ block: "nearest" });
  }

  function cannedKeys(event) {
    const box = event.target;
    const options = cannedOptions();
    if (!options.length) {
      // Typed faster than the server could offer: a /word is never sent by accident.
      if (event.key === "Enter" && !event.shiftKey && SLASH_WORD.test(box.value) && cannedClosedFor !== box.value) {
        event.preventDefault();
        setTimeout(function () {
          const late = cannedOptions();
          if (late.length) late[0].click();
          else if (box.form) box.form.requestSubmit();
        }, 400);
        return true;
      }
      return false;
    }
    let index = options.findIndex(function (o) { return o.dataset.active === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      index = index < 0 ? (step > 0 ? 0 : options.length - 1) : (index + step + options.length) % options.length;
      highlight(options, index);
      return true;
    }
    if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
      event.preventDefault();
      options[Math.max(index, 0)].click();
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      cannedClosedFor = box.value;
      document.getElementById("canned-menu").style.display = "none";
      return true;
    }
    return false;
  }

  // Keys, outside text boxes: j / k the next / previous conversation, e resolve (the next one
  // opens), a assign to me, / search, r reply; Escape leaves a text box.
  const KEYS = {
    e: function () { press("#resolve"); },
    a: function () { press("#assign-me"); },
    j: function () { step(1); },
    k: function () { step(-1); },
    "/": function () { focus("#inbox-search"); },
    r: function () { focus("#composer"); },
  };

  function press(selector) {
    const button = document.querySelector(selector);
    if (button && !button.disabled) button.click();
  }

  function focus(selector) {
    const box = document.querySelector(selector);
    if (box) box.focus();
  }

  function step(by) {
    const rows = Array.from(document.querySelectorAll(".conversation"));
    if (!rows.length) return;
    const at = rows.findIndex(function (row) { return row.dataset.selected === "true"; });
    const next = rows[at < 0 ? (by > 0 ? 0 : rows.length - 1) : Math.min(Math.max(at + by, 0), rows.length - 1)];
    if (next && next !== rows[at]) {
      next.click();
      next.scrollIntoView({ block: "nearest" });
    }
  }

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable=true], [role=listbox], [role=dialog]");
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector(".inbox") || event.defaultPrevented) return;
    if (event.key === "Escape" && typing(event.target) && event.target.blur) {
      if (event.target.id !== "composer" || !cannedOptions().length) event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || typing(event.target)) return;
    const action = KEYS[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.id !== "composer" || event.target.value === cannedClosedFor) return;
    cannedClosedFor = null;
    const menu = document.getElementById("canned-menu");
    if (menu) menu.style.display = "";
  });

  document.addEventListener(
    "keydown",
    function (event) {
      if (event.target.id !== "composer" || event.isComposing) return;
      if (cannedKeys(event)) return;
      if (event.key !== "Enter" || event.shiftKey) return;
      event.preventDefault();
      // The form sends the box's text as it is now (its button: the same submit). After this
      // key's own handlers: the input's debounce hands the server the text first, so no late
      // keystroke puts the sent text back into the box.
      const box = event.target;
      if (box.value.trim() && box.form) setTimeout(function () { box.form.requestSubmit(); }, 0);
    },
    true,
  );

  const NEAR_BOTTOM = 60; // px: closer than this counts as reading the newest message
  let seen = { conversation: null, first: null, last: null, height: 0, atBottom: true, top: 0 };
  let loading = false;

  function pill(show) {
    const button = document.getElementById("new-messages");
    if (button) button.style.display = show ? "inline-flex" : "none";
  }

  function ends(thread) {
    const bubbles = thread.querySelectorAll(".bubble");
    if (!bubbles.length) return [null, null];
    return [bubbles[0].dataset.id, bubbles[bubbles.length - 1].dataset.id];
  }

  function nearBottom(thread) {
    return thread.scrollHeight - thread.scrollTop - thread.clientHeight < NEAR_BOTTOM;
  }

  function toBottom(thread) {
    thread.scrollTop = thread.scrollHeight;
    seen.atBottom = true;
    // The thread's height may settle a little later (its styles, fonts, a picture): stay at
    // the bottom through that, unless the agent scrolls up meanwhile.
    [30, 120, 300, 800].forEach(function (delay) {
      setTimeout(function () {
        if (!seen.atBottom || document.getElementById("thread") !== thread) return;
        if (thread.scrollTop < seen.top - 2) {
          // The agent scrolled up since (its scroll event may not have come yet): they stay there.
          seen.atBottom = nearBottom(thread);
          seen.top = thread.scrollTop;
          return;
        }
        thread.scrollTop = thread.scrollHeight;
        seen.top = thread.scrollTop;
      }, delay);
    });
  }

  function onScroll(event) {
    const thread = event.target;
    // Our own scroll to the bottom reports itself late, maybe after more content came: it is
    // still "at the bottom". Only the agent scrolling up leaves it.
    if (seen.atBottom && thread.scrollTop >= seen.top) {
      seen.top = thread.scrollTop;
      return;
    }
    seen.top = thread.scrollTop;
    seen.atBottom = nearBottom(thread);
    seen.height = thread.scrollHeight;
    if (seen.atBottom) pill(false);
    if (thread.scrollTop < 40 && thread.dataset.more === "true" && !loading) {
      const more = document.getElementById("load-older");
      if (more) {
        loading = true;
        more.click();
        setTimeout(function () { loading = false; }, 800);
      }
    }
  }

  function update() {
    const thread = document.getElementById("thread");
    if (!thread) {
      seen.conversation = null;
      return;
    }
    if (!thread.dataset.watched) {
      thread.dataset.watched = "1";
      thread.addEventListener("scroll", onScroll);
      // A picture that loads makes the thread taller: one reading the newest stays at the bottom.
      thread.addEventListener("load", function () { if (seen.atBottom) toBottom(thread); }, true);
    }
    const conversation = thread.dataset.conversation;
    const [first, last] = ends(thread);
    if (conversation === seen.conversation && first === seen.first && last === seen.last) return;
    let atBottom = seen.atBottom;
    if (conversation !== seen.conversation) {
      toBottom(thread); // a thread opens at its newest message
      atBottom = true;
      pill(false);
    } else if (last === seen.last) {
      thread.scrollTop += thread.scrollHeight - seen.height; // older ones came in above
      loading = false;
    } else if (atBottom) {
      toBottom(thread);
    } else {
      pill(true);
    }
    seen = { conversation, first, last, height: thread.scrollHeight, atBottom, top: thread.scrollTop };
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("#new-messages")) return;
    const thread = document.getElementById("thread");
    if (thread) toBottom(thread);
    pill(false);
  });

  // The conversation list loads its next page as its end comes into view.
  document.addEventListener(
    "scroll",
    function (event) {
      const list = event.target;
      if (list.id !== "conversation-list") return;
      if (list.scrollHeight - list.scrollTop - list.clientHeight < 200) {
        const more = document.getElementById("load-more");
        const rows = String(list.querySelectorAll(".conversation").length);
        if (more && list.dataset.askedAt !== rows) {
          list.dataset.askedAt = rows; // once per page: the next ask waits for the rows it brings
          more.click();
        }
      }
    },
    true,
  );

  new MutationObserver(update).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["data-conversation"],
  });
})();
