/*
 * Boundaries chat: an embeddable chat widget for the assistant's Rasa REST channel.
 *
 * Plain JavaScript, no dependencies and no build step: a clinic copies this file and
 * boundaries-chat.css beside its pages, and nothing is fetched from anywhere else.
 *
 * Configure it on its <script> tag (data-server, data-role, data-clinic, data-accent,
 * data-greeting, data-mode, data-target) or call window.BoundariesChat.init({...}).
 *
 * Safety rule of this file: text from the server or the user only ever reaches the page
 * through textContent or attribute values we build ourselves, never through innerHTML.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var STORAGE_PREFIX = "boundaries-chat:";
  var MAX_STORED_ITEMS = 120;
  var REQUEST_TIMEOUT_MS = 30000;
  // Matches the stylesheet's breakpoint where the launcher's panel fills the screen.
  var FULL_SCREEN = window.matchMedia("(max-width: 480px)");
  var instanceCount = 0;
  var CRISIS_HEADING = "You deserve support right now";
  var NO_ANSWER = "I don't have an answer to that. Could you put it another way?";
  /* Sent as the message when a vote comes without a note; the insights report
     (insights/events.py, VOTE_TEXTS) reads any other text as the note. */
  var FEEDBACK_TEXTS = { yes: "Yes, this was helpful", no: "No, this was not helpful" };

  var DEFAULTS = {
    server: "",
    role: "client",
    clinic: "Our practice",
    accent: "#2f6f73",
    greeting: "",
    mode: "launcher",
    target: null,
    subtitle: null,
    launcherLabel: "Questions? Chat with us",
  };

  var SUBTITLES = {
    client: "Questions about boundaries with your therapist",
    therapist: "Boundaries guidance for clinicians",
  };

  var DEFAULT_GREETINGS = {
    client:
      "Hello. I can answer questions about the boundaries between you and your therapist, " +
      "during therapy and after it ends. What would you like to know?",
    therapist:
      "Hello. Ask me about professional boundaries with current and former clients, " +
      "and I will answer from the practice's guidance.",
  };

  /* Questions offered under the greeting, until the first message. Each sends its topic's
     intent (as the assistant's own topic buttons do), so the answer is the topic's whatever
     the wording: one per topic of ongoing therapy, and the commonest after it. The first
     SUGGESTIONS_SHOWN show at once, the rest behind "More questions". A page may set its own
     with data-suggestions (a JSON list of questions, or of {title, payload}). */
  var SUGGESTIONS_SHOWN = 4;
  var DEFAULT_SUGGESTIONS = {
    client: [
      ["Can we be friends after therapy ends?", "friendship"],
      ["Is it okay to hug my therapist?", "touch"],
      ["Can I text my therapist between sessions?", "between_sessions"],
      ["Can I change to a different therapist?", "switching_therapist"],
      ["My therapist talks a lot about their own life. Is that normal?", "self_disclosure"],
      ["Can my therapist also see my partner or a friend of mine?", "dual_roles"],
      ["How does therapy end, and can I come back?", "ending_therapy"],
      ["Can I pay my therapist with services instead of money?", "fees_and_bartering"],
      ["Can I give my therapist a gift?", "gifts"],
      ["Can we follow each other on social media?", "social_media"],
    ],
    therapist: [
      ["Can I be friends with a former client?", "friendship"],
      ["A client wants to hug me at the end of sessions. What should I do?", "touch"],
      ["A client texts me between sessions. How should I handle it?", "between_sessions"],
      ["How much should I share about my own life?", "self_disclosure"],
      ["Can I see my client's partner or sibling too?", "dual_roles"],
      ["When should I refer a client to a colleague?", "switching_therapist"],
      ["How should I end therapy with a client?", "ending_therapy"],
      ["A client offered to pay in services. Can I accept?", "fees_and_bartering"],
      ["A client gave me a gift. Can I accept it?", "gifts"],
      ["A former client invited me to their wedding. Should I go?", "events"],
    ],
  };

  // ---------------------------------------------------------------- configuration

  function readScriptConfig(script) {
    var data = script.dataset;
    var config = {};
    ["server", "role", "clinic", "accent", "greeting", "mode", "target", "subtitle"].forEach(
      function (key) {
        if (data[key] !== undefined && data[key] !== "") config[key] = data[key];
      }
    );
    if (data.launcherLabel) config.launcherLabel = data.launcherLabel;
    if (data.suggestions !== undefined) {
      try {
        config.suggestions = JSON.parse(data.suggestions);
      } catch (e) {
        if (window.console) window.console.warn("boundaries-chat: data-suggestions is not JSON");
      }
    }
    return config;
  }

  /* [title, payload] pairs or {title, payload} objects or plain questions, as quick replies. */
  function suggestionsOf(list, role) {
    if (!Array.isArray(list)) {
      return DEFAULT_SUGGESTIONS[role].map(function (pair) {
        return { title: pair[0], payload: "/ask_" + pair[1] };
      });
    }
    return list
      .map(function (item) {
        if (typeof item === "string") return { title: item, payload: item };
        if (item && typeof item.title === "string") {
          return { title: item.title, payload: typeof item.payload === "string" ? item.payload : item.title };
        }
        return null;
      })
      .filter(function (item) { return item && item.title.trim(); });
  }

  function resolveConfig(options) {
    var config = Object.assign({}, DEFAULTS, options || {});
    if (!config.server) config.server = window.BOUNDARIES_CHAT_SERVER || window.location.origin;
    config.server = String(config.server).replace(/\/+$/, "");
    config.role = config.role === "therapist" ? "therapist" : "client";
    config.mode = config.mode === "panel" ? "panel" : "launcher";
    config.accent = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(config.accent || "")
      ? config.accent
      : DEFAULTS.accent;
    config.greeting = config.greeting || DEFAULT_GREETINGS[config.role];
    config.subtitle = config.subtitle || SUBTITLES[config.role];
    config.suggestions = suggestionsOf(config.suggestions, config.role);
    return config;
  }

  // ---------------------------------------------------------------- colour contrast

  function parseHex(hex) {
    var h = hex.replace("#", "");
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    return [0, 2, 4].map(function (i) {
      return parseInt(h.slice(i, i + 2), 16);
    });
  }

  function toHex(rgb) {
    return "#" + rgb.map(function (c) {
      return Math.round(c).toString(16).padStart(2, "0");
    }).join("");
  }

  function luminance(rgb) {
    var linear = rgb.map(function (c) {
      var s = c / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  /* A clinic may choose a light accent: darken it until white text on it, and it as
     text on white, reach WCAG AA (4.5:1). */
  function accessibleAccent(hex) {
    var rgb = parseHex(hex);
    var white = [255, 255, 255];
    for (var i = 0; i < 20 && contrast(rgb, white) < 5; i++) {
      rgb = rgb.map(function (c) { return c * 0.9; });
    }
    return toHex(rgb);
  }

  // ---------------------------------------------------------------- storage

  /* sessionStorage, not localStorage: a shared computer must not show yesterday's
     conversation to the next person. Storage can be unavailable (privacy modes). */
  function sessionStore(prefix) {
    function get(key) {
      try {
        return window.sessionStorage.getItem(prefix + key);
      } catch (e) {
        return null;
      }
    }
    function set(key, value) {
      try {
        window.sessionStorage.setItem(prefix + key, value);
      } catch (e) {
        /* the conversation simply is not kept across reloads */
      }
    }
    function remove(key) {
      try {
        window.sessionStorage.removeItem(prefix + key);
      } catch (e) {
        /* nothing stored */
      }
    }
    return { get: get, set: set, remove: remove };
  }

  function newSenderId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  // ---------------------------------------------------------------- transport

  function ChatError(kind, status) {
    this.kind = kind; // "network" | "server" | "rejected"
    this.status = status || 0;
  }

  function sendToServer(config, sender, message, feedback) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    return fetch(config.server + "/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sender, message: message, metadata: metadataOf(config, feedback) }),
      credentials: "omit",
      signal: controller.signal,
    })
      .catch(function () {
        throw new ChatError("network");
      })
      .then(function (response) {
        if (response.status >= 500) throw new ChatError("server", response.status);
        if (!response.ok) throw new ChatError("rejected", response.status);
        return response.json().catch(function () {
          throw new ChatError("server", response.status);
        });
      })
      .then(function (entries) {
        if (!Array.isArray(entries)) throw new ChatError("server");
        return entries;
      })
      .finally(function () {
        clearTimeout(timer);
      });
  }

  /* The role, and a "Was this helpful?" vote when the message carries one. */
  function metadataOf(config, feedback) {
    var metadata = { role: config.role };
    if (feedback) metadata.feedback = feedback;
    return metadata;
  }

  /* One server reply (a list of Rasa messages) becomes one bot turn. */
  function toBotTurn(entries) {
    var turn = { texts: [], buttons: [], customs: [] };
    entries.forEach(function (entry) {
      if (!entry || typeof entry !== "object") return;
      if (typeof entry.text === "string" && entry.text.trim()) turn.texts.push(entry.text);
      if (Array.isArray(entry.buttons)) {
        entry.buttons.forEach(function (button) {
          if (!button || typeof button.title !== "string") return;
          var payload = typeof button.payload === "string" ? button.payload : button.title;
          turn.buttons.push({ title: button.title, payload: payload });
        });
      }
      if (entry.custom && typeof entry.custom === "object") turn.customs.push(entry.custom);
    });
    return turn;
  }

  function turnKind(turn) {
    var kinds = turn.customs.map(function (c) { return c.kind; });
    if (kinds.indexOf("crisis") !== -1) return "crisis";
    return kinds.find(function (k) { return typeof k === "string"; }) || "";
  }

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* Icons are fixed paths of our own, drawn with createElementNS. */
  var ICONS = {
    chat: "M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6A.5.5 0 0 1 5 19.2V16h0A2.5 2.5 0 0 1 4 13.5z",
    close: "M6 6l12 12M18 6L6 18",
    refresh: "M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7",
    send: "M4 12l16-8-6 16-2.5-6.5z",
    heart: "M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z",
    alert: "M12 3l9.5 17h-19zM12 10v4.5M12 17.5v.01",
    phone: "M6.5 3.5h3l1.5 4-2 1.2a11 11 0 0 0 6.3 6.3l1.2-2 4 1.5v3a2 2 0 0 1-2.2 2A17 17 0 0 1 4.5 5.7a2 2 0 0 1 2-2.2z",
    message: "M4 5h16v11H9l-5 4z",
    link: "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
    doc: "M7 3h7l4 4v14H7zM14 3v4h4M9.5 12h6M9.5 15.5h6",
    book: "M6 4.5A1.5 1.5 0 0 1 7.5 3H18v14H7.5A1.5 1.5 0 0 0 6 18.5zM6 18.5A1.5 1.5 0 0 0 7.5 20H18M9.5 7h5",
    shield: "M12 3l7 3v5.5c0 4.3-2.9 7.9-7 9.5-4.1-1.6-7-5.2-7-9.5V6zM9 12l2 2 4-4",
  };

  function icon(name) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "bc-icon");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function button(className, label, iconName) {
    var node = el("button", className);
    node.type = "button";
    if (iconName) node.appendChild(icon(iconName));
    if (label) node.appendChild(el("span", "bc-button-label", label));
    return node;
  }

  function humanise(pointId) {
    var words = String(pointId).replace(/[_-]+/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  // ---------------------------------------------------------------- resources (crisis, misconduct)

  var KEYPAD = { abc: 2, def: 3, ghi: 4, jkl: 5, mno: 6, pqrs: 7, tuv: 8, wxyz: 9 };

  /* "116 123" -> "116123", "800-656-HOPE" -> "8006564673". */
  function dialable(number) {
    return String(number)
      .replace(/\(.*?\)/g, "")
      .toLowerCase()
      .replace(/[a-z]/g, function (letter) {
        for (var group in KEYPAD) if (group.indexOf(letter) !== -1) return String(KEYPAD[group]);
        return "";
      })
      .replace(/(?!^\+)[^0-9]/g, "");
  }

  function smsHref(number, body) {
    var href = "sms:" + dialable(number);
    // "?&body=" is understood by both iOS and Android messaging apps.
    return body ? href + "?&body=" + encodeURIComponent(body) : href;
  }

  function safeWebUrl(url) {
    try {
      var parsed = new URL(String(url), window.location.href);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function resourceLink(href, iconName, label, accessibleName) {
    var link = el("a", "bc-resource-link");
    link.href = href;
    link.appendChild(icon(iconName));
    link.appendChild(el("span", null, label));
    if (accessibleName) link.setAttribute("aria-label", accessibleName);
    return link;
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /* Numbers of the resources that the reply's own text mentions become links too. */
  function numberLinks(resources) {
    var links = [];
    resources.forEach(function (resource) {
      if (!resource || typeof resource !== "object") return;
      if (resource.phone && dialable(resource.phone)) {
        links.push({ text: String(resource.phone), href: "tel:" + dialable(resource.phone) });
      }
      if (resource.sms && dialable(resource.sms) && resource.sms !== resource.phone) {
        links.push({ text: String(resource.sms), href: smsHref(resource.sms, resource.sms_body) });
      }
    });
    return links.sort(function (a, b) { return b.text.length - a.text.length; });
  }

  var WEB_ADDRESS = "https?://[^\\s<>\"]*[^\\s<>\".,;:!?)]";
  var WORD_OR_HYPHEN = /[\w-]/;

  /* Writes `text` into `parent` as text nodes, with web addresses and the given phone
     numbers as links. Only anchors we build and text nodes: never markup.
     A number is linked only where it stands alone: not after or before a letter, digit or
     hyphen ("988" is not linked inside "19880"). The "not after" is checked here rather
     than with a regexp lookbehind, which Safari before 16.4 refuses with a SyntaxError. */
  function appendTextWithLinks(parent, text, numbers) {
    var usable = numbers.filter(function (n) { return n.text.trim(); });
    var alternatives = usable.map(function (n) {
      return escapeRegExp(n.text) + "(?![\\w-])";
    });
    var pattern = new RegExp("(" + WEB_ADDRESS + ")|" + (alternatives.join("|") || "(?!)"), "g");
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var found = match[0];
      var index = match.index;
      var web = Boolean(match[1]);
      if (!web && WORD_OR_HYPHEN.test(text.charAt(index - 1))) {
        pattern.lastIndex = index + 1; // a shorter number may still start inside this one
        continue;
      }
      var href = web ? safeWebUrl(found) : hrefOfNumber(usable, found);
      if (!href) continue;
      parent.appendChild(document.createTextNode(text.slice(last, index)));
      var link = el("a", "bc-inline-link", found);
      link.href = href;
      if (web) {
        link.target = "_blank";
        link.rel = "noopener noreferrer";
      }
      parent.appendChild(link);
      last = index + found.length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function hrefOfNumber(numbers, text) {
    for (var i = 0; i < numbers.length; i++) {
      if (numbers[i].text === text) return numbers[i].href;
    }
    return null;
  }

  /* When `text` is an introduction followed by the resources written out as a list
     ("United States:" / "- Samaritans: call 116 123 ..."), returns the introduction;
     otherwise null. Anything else in the text keeps it whole. */
  function introOfResourceList(text, resources) {
    var names = resources.map(function (r) { return r && String(r.name); });
    var regions = resources.map(function (r) { return r && r.region && String(r.region) + ":"; });
    var lines = text.split("\n");
    var first = -1;
    var items = 0;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      var item = /^[-•*]\s*(.+?):/.exec(line);
      var isItem = Boolean(item && names.indexOf(item[1]) !== -1);
      var listed = isItem || regions.indexOf(line) !== -1;
      if (isItem) items++;
      if (listed && first === -1) first = i;
      if (!listed && first !== -1 && line) return null;
    }
    if (!items) return null;
    return lines.slice(0, first).join("\n").trim();
  }

  function renderResources(resources) {
    var list = el("ul", "bc-resources");
    resources.forEach(function (resource) {
      if (!resource || typeof resource !== "object" || !resource.name) return;
      var item = el("li", "bc-resource");
      var heading = el("p", "bc-resource-name", resource.name);
      if (resource.region) heading.appendChild(el("span", "bc-resource-region", resource.region));
      item.appendChild(heading);
      var note = resource.note || resource.description;
      if (note) item.appendChild(el("p", "bc-resource-note", note));

      var links = el("div", "bc-resource-links");
      if (resource.phone && dialable(resource.phone)) {
        links.appendChild(resourceLink("tel:" + dialable(resource.phone), "phone",
          "Call " + resource.phone, "Call " + resource.name + " at " + resource.phone));
      }
      if (resource.sms && dialable(resource.sms)) {
        var smsLabel = resource.sms_body
          ? "Text " + resource.sms_body + " to " + resource.sms
          : "Text " + resource.sms;
        links.appendChild(resourceLink(smsHref(resource.sms, resource.sms_body), "message",
          smsLabel, smsLabel + " (" + resource.name + ")"));
      }
      var web = resource.url && safeWebUrl(resource.url);
      if (web) {
        var site = resourceLink(web, "link", new URL(web).hostname.replace(/^www\./, ""),
          "Website of " + resource.name + " (opens in a new tab)");
        site.target = "_blank";
        site.rel = "noopener noreferrer";
        links.appendChild(site);
      }
      if (links.childNodes.length) item.appendChild(links);
      list.appendChild(item);
    });
    return list.childNodes.length ? list : null;
  }

  // ---------------------------------------------------------------- sources ("Based on" chips)

  /* An answer's sources: the clinic document's passages (`sources`, else bare `points`),
     then the code sections and clinic policies it cites (`code_sources`). Each becomes
     { kind: "passage" | "code" | "policy", id, label, title, text, url }. */
  function sourcesOf(custom) {
    return passagesOf(custom).concat(codesOf(custom));
  }

  function passagesOf(custom) {
    if (Array.isArray(custom.sources) && custom.sources.length) {
      return custom.sources
        .filter(function (s) { return s && (s.title || s.id); })
        .map(function (s) {
          var title = String(s.title || humanise(s.id));
          var text = typeof s.passage === "string" ? s.passage : "";
          return { kind: "passage", id: String(s.id || ""), label: title, title: title, text: text };
        });
    }
    if (Array.isArray(custom.points)) {
      return custom.points.map(function (id) {
        var title = humanise(id);
        return { kind: "passage", id: String(id), label: title, title: title, text: "" };
      });
    }
    return [];
  }

  /* A code section's chip names it as replies cite it ("APA 10.08"); a clinic policy's
     chip names the policy. A policy has no link: the clinic's text is the source. */
  function codesOf(custom) {
    if (!Array.isArray(custom.code_sources)) return [];
    return custom.code_sources
      .filter(function (c) { return c && (c.cite_as || c.title || c.id); })
      .map(function (c) {
        var id = String(c.id || "");
        var policy = id.indexOf("clinic-") === 0;
        var title = String(c.title || c.cite_as || id);
        return {
          kind: policy ? "policy" : "code",
          id: id,
          label: policy ? title : String(c.cite_as || title),
          title: policy ? title : String(c.cite_as ? c.cite_as + ": " + title : title),
          text: typeof c.paraphrase === "string" ? c.paraphrase : "",
          url: policy ? null : c.url && safeWebUrl(c.url),
        };
      });
  }

  var SOURCE_ICONS = { passage: "doc", code: "book", policy: "shield" };

  function sourceNote(source, clinic) {
    if (source.kind === "code") return "A summary of this section of a professional code.";
    if (source.kind === "policy") return clinic + "'s own policy.";
    return "From " + clinic + "'s guidance document";
  }

  function sourcePanel(source, panelId, clinic) {
    var panel = el("div", "bc-passage bc-passage--" + source.kind);
    panel.id = panelId;
    panel.hidden = true;
    panel.setAttribute("role", "region");
    var names = { passage: "Passage: ", code: "Code section: ", policy: "Clinic policy: " };
    panel.setAttribute("aria-label", names[source.kind] + source.title);
    var title = el("p", "bc-passage-title");
    title.appendChild(icon(SOURCE_ICONS[source.kind]));
    title.appendChild(el("span", null, source.title));
    panel.appendChild(title);
    var textTag = source.kind === "passage" ? "blockquote" : "p";
    panel.appendChild(el(textTag, "bc-passage-text", source.text));
    panel.appendChild(el("p", "bc-passage-note", sourceNote(source, clinic)));
    if (source.url) {
      var link = el("a", "bc-passage-link");
      link.href = source.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.appendChild(icon("link"));
      link.appendChild(el("span", null, "Read the code on " +
        new URL(source.url).hostname.replace(/^www\./, "")));
      link.setAttribute("aria-label", "Read " + source.label + " (opens in a new tab)");
      panel.appendChild(link);
    }
    return panel;
  }

  function renderSources(sources, idPrefix, clinic) {
    var wrap = el("div", "bc-sources");
    var head = el("div", "bc-sources-head");
    var labelId = idPrefix + "-label";
    var label = el("span", "bc-sources-label", "Based on:");
    label.id = labelId;
    head.appendChild(label);
    var list = el("ul", "bc-chips");
    list.setAttribute("aria-labelledby", labelId);
    head.appendChild(list);
    wrap.appendChild(head);
    var opened = [];

    sources.forEach(function (source, index) {
      var item = el("li");
      list.appendChild(item);
      var iconName = SOURCE_ICONS[source.kind] || "doc";
      if (!source.text) {
        var plain = el("span", "bc-chip bc-chip--static bc-chip--" + source.kind);
        plain.appendChild(icon(iconName));
        plain.appendChild(el("span", null, source.label));
        item.appendChild(plain);
        return;
      }
      var chip = button("bc-chip bc-chip--" + source.kind, source.label, iconName);
      var panelId = idPrefix + "-source-" + index;
      chip.setAttribute("aria-expanded", "false");
      chip.setAttribute("aria-controls", panelId);
      if (source.kind === "passage") chip.dataset.pointId = source.id;
      else chip.dataset.codeId = source.id;
      item.appendChild(chip);

      var panel = sourcePanel(source, panelId, clinic);
      wrap.appendChild(panel);
      opened.push({ chip: chip, panel: panel });

      chip.addEventListener("click", function () {
        var opening = chip.getAttribute("aria-expanded") !== "true";
        opened.forEach(function (p) {
          p.chip.setAttribute("aria-expanded", "false");
          p.panel.hidden = true;
        });
        chip.setAttribute("aria-expanded", String(opening));
        panel.hidden = !opening;
        if (opening) panel.scrollIntoView({ block: "nearest" });
      });
    });
    return wrap;
  }

  // ---------------------------------------------------------------- the widget

  function Widget(config) {
    this.config = config;
    this.id = "bc" + ++instanceCount;
    this.store = sessionStore(STORAGE_PREFIX + config.role + ":");
    this.pending = false;
    this.turnCount = 0;
    this.build();
    this.restore();
  }

  /* The widget's DOM: root > [launcher], panel > header, transcript, composer, footer. */
  Widget.prototype.build = function () {
    var config = this.config;
    var root = el("div", "bc-root bc-mode-" + config.mode + " bc-role-" + config.role);
    root.style.setProperty("--bc-accent", accessibleAccent(config.accent));
    this.root = root;

    var panel = el("div", "bc-panel");
    panel.id = this.id + "-panel";
    panel.setAttribute("role", config.mode === "launcher" ? "dialog" : "region");
    panel.setAttribute("aria-labelledby", this.id + "-title");
    this.panel = panel;
    panel.appendChild(this.buildHeader());
    panel.appendChild(this.buildTranscript());
    // Crisis replies are announced at once, interrupting whatever is being read.
    this.urgent = el("div", "bc-visually-hidden");
    this.urgent.setAttribute("aria-live", "assertive");
    this.urgent.setAttribute("aria-atomic", "true");
    panel.appendChild(this.urgent);
    panel.appendChild(this.buildComposer());
    panel.appendChild(this.buildFooter());

    if (config.mode === "launcher") root.appendChild(this.buildLauncher());
    root.appendChild(panel);
    this.mount();
  };

  Widget.prototype.buildHeader = function () {
    var self = this;
    var header = el("div", "bc-header");
    var heading = el("div", "bc-heading");
    var title = el("h2", "bc-title", this.config.clinic);
    title.id = this.id + "-title";
    heading.appendChild(title);
    heading.appendChild(el("p", "bc-subtitle", this.config.subtitle));
    header.appendChild(heading);
    if (this.config.mode === "launcher") {
      var close = button("bc-close", null, "close");
      close.setAttribute("aria-label", "Close chat");
      close.addEventListener("click", function () { self.close(); });
      header.appendChild(close);
    }
    return header;
  };

  Widget.prototype.buildTranscript = function () {
    var scroller = el("div", "bc-scroller");
    this.scroller = scroller;

    var log = el("div", "bc-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", "Conversation with " + this.config.clinic);
    this.log = log;
    scroller.appendChild(log);

    var typing = el("div", "bc-typing");
    typing.setAttribute("role", "status");
    typing.hidden = true;
    var dots = el("span", "bc-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    typing.appendChild(dots);
    typing.appendChild(el("span", "bc-visually-hidden", "The assistant is typing"));
    this.typing = typing;
    scroller.appendChild(typing);
    return scroller;
  };

  Widget.prototype.buildComposer = function () {
    var self = this;
    var form = el("form", "bc-form");
    form.noValidate = true;
    var inputId = this.id + "-input";
    var hintId = this.id + "-hint";
    var label = el("label", "bc-visually-hidden", "Your message");
    label.htmlFor = inputId;
    var input = el("textarea", "bc-input");
    input.id = inputId;
    input.rows = 1;
    input.maxLength = 1000;
    input.placeholder = "Type your question…";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("enterkeyhint", "send");
    input.setAttribute("aria-describedby", hintId);
    this.input = input;
    var send = button("bc-send", null, "send");
    send.type = "submit";
    send.setAttribute("aria-label", "Send message");
    this.sendButton = send;
    var hint = el("span", "bc-visually-hidden", "Enter sends, Shift+Enter adds a line.");
    hint.id = hintId;
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    form.appendChild(hint);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submitInput();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submitInput();
      }
    });
    input.addEventListener("input", function () { self.fitInput(); });
    return form;
  };

  Widget.prototype.buildFooter = function () {
    var self = this;
    var footer = el("div", "bc-footer");
    footer.appendChild(
      el("p", "bc-note", "General information, not therapy or an emergency service."));
    var reset = button("bc-new", "New conversation", "refresh");
    reset.addEventListener("click", function () { self.newConversation(); });
    footer.appendChild(reset);
    return footer;
  };

  Widget.prototype.buildLauncher = function () {
    var self = this;
    var launcher = button("bc-launcher", this.config.launcherLabel, "chat");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", this.panel.id);
    launcher.addEventListener("click", function () { self.open(); });
    this.launcher = launcher;
    this.panel.hidden = true;
    this.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        self.close();
      } else if (event.key === "Tab" && FULL_SCREEN.matches) {
        self.keepFocusInside(event);
      }
    });
    return launcher;
  };

  /* Into the page's container (data-target), else at the end of the body. */
  Widget.prototype.mount = function () {
    var target = this.config.target && document.querySelector(this.config.target);
    if (target) {
      this.root.classList.add("bc-inline");
      target.appendChild(this.root);
      return;
    }
    document.body.appendChild(this.root);
    if (this.config.mode === "panel") {
      document.documentElement.classList.add("bc-has-side-panel");
    }
  };

  Widget.prototype.open = function () {
    if (this.config.mode !== "launcher") return;
    this.panel.hidden = false;
    this.root.classList.add("bc-open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.hidden = true;
    this.scrollToEnd();
    this.input.focus();
  };

  Widget.prototype.close = function () {
    if (this.config.mode !== "launcher") return;
    this.panel.hidden = true;
    this.root.classList.remove("bc-open");
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  };

  /* Full-screen on a phone, the panel hides the page: Tab cycles within it. */
  Widget.prototype.keepFocusInside = function (event) {
    var focusable = Array.prototype.filter.call(
      this.panel.querySelectorAll("button, a[href], textarea"),
      function (node) { return !node.disabled && node.getClientRects().length; }
    );
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  Widget.prototype.fitInput = function () {
    this.input.style.height = "auto";
    this.input.style.height = Math.min(this.input.scrollHeight, 140) + "px";
  };

  Widget.prototype.scrollToEnd = function () {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  };

  /* Long answers: show the start of the new turn rather than its end. */
  Widget.prototype.reveal = function (node) {
    var scroller = this.scroller;
    if (node.offsetHeight > scroller.clientHeight * 0.8) {
      var offset = node.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
      scroller.scrollTop += offset - 8;
    } else {
      this.scrollToEnd();
    }
  };

  // -------------------------------------------------- conversation state

  Widget.prototype.sender = function () {
    var sender = this.store.get("sender");
    if (!sender) {
      sender = newSenderId();
      this.store.set("sender", sender);
    }
    return sender;
  };

  Widget.prototype.items = function () {
    try {
      var items = JSON.parse(this.store.get("transcript") || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  };

  Widget.prototype.remember = function (item) {
    var items = this.items().concat([item]).slice(-MAX_STORED_ITEMS);
    this.store.set("transcript", JSON.stringify(items));
  };

  /* Quick replies belong to the latest turn only; once anything is sent they go. */
  Widget.prototype.retireQuickReplies = function () {
    Array.prototype.forEach.call(this.log.querySelectorAll(".bc-quick-replies"), function (node) {
      node.remove();
    });
    var items = this.items();
    var changed = false;
    items.forEach(function (item) {
      if (item.type === "bot" && item.turn.buttons.length) {
        item.turn.buttons = [];
        changed = true;
      }
    });
    if (changed) this.store.set("transcript", JSON.stringify(items));
  };

  Widget.prototype.restore = function () {
    var self = this;
    this.log.textContent = "";
    this.appendGreeting();
    if (!this.items().length) this.appendSuggestions();
    this.items().forEach(function (item) {
      if (item.type === "user") self.appendUser(item.text);
      else if (item.type === "bot" && item.turn) self.appendBot(item.turn, { restoring: true });
    });
    this.scrollToEnd();
  };

  Widget.prototype.newConversation = function () {
    this.store.remove("transcript");
    this.store.set("sender", newSenderId());
    this.lastFailed = null;
    this.restore();
    this.urgent.textContent = "";
    this.input.value = "";
    this.fitInput();
    this.input.focus();
  };

  // -------------------------------------------------- rendering turns

  Widget.prototype.appendGreeting = function () {
    var turn = el("div", "bc-turn bc-turn--bot bc-turn--greeting");
    turn.appendChild(el("p", "bc-bubble", this.config.greeting));
    this.log.appendChild(turn);
  };

  /* Questions to start with; like quick replies, they go once anything is sent. */
  Widget.prototype.appendSuggestions = function () {
    var self = this;
    var suggestions = this.config.suggestions;
    if (!suggestions.length) return;
    var group = el("div", "bc-quick-replies bc-suggestions");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Questions you could ask");
    var hidden = [];
    suggestions.forEach(function (choice, index) {
      var quick = button("bc-quick bc-suggestion", choice.title);
      quick.dataset.payload = choice.payload;
      quick.addEventListener("click", function () { self.send(choice.payload, choice.title); });
      if (index >= SUGGESTIONS_SHOWN) {
        quick.hidden = true;
        hidden.push(quick);
      }
      group.appendChild(quick);
    });
    if (hidden.length) {
      var more = button("bc-quick bc-more", "More questions");
      more.addEventListener("click", function () {
        hidden.forEach(function (quick) { quick.hidden = false; });
        more.remove();
        hidden[0].focus();
      });
      group.appendChild(more);
    }
    this.log.lastChild.appendChild(group);
  };

  Widget.prototype.appendUser = function (text) {
    var turn = el("div", "bc-turn bc-turn--user");
    turn.appendChild(el("span", "bc-visually-hidden", "You said: "));
    turn.appendChild(el("p", "bc-bubble", text));
    this.log.appendChild(turn);
    this.scrollToEnd();
    return turn;
  };

  /* Every reply is shown. When its decorations (links, help lines, sources, quick replies)
     cannot be drawn, because the browser lacks something they use or the reply is one they
     cannot handle, its text is shown plain: a crisis reply must never be lost to them. */
  Widget.prototype.appendBot = function (turn, options) {
    var kind = kindOf(turn);
    var node;
    try {
      node = this.decoratedTurn(turn, kind);
    } catch (error) {
      if (window.console) window.console.warn("boundaries-chat: reply shown as plain text", error);
      node = plainTurn(turn, kind);
    }
    if (kind === "answer" && !(options && options.restoring)) {
      try {
        node.appendChild(this.feedbackBox(turn));
      } catch (error) {
        if (window.console) window.console.warn("boundaries-chat: no feedback control", error);
      }
    }
    this.log.appendChild(node);
    if (kind === "crisis" && !(options && options.restoring)) {
      this.urgent.textContent = CRISIS_HEADING + ". " + textsOf(turn).join(" ");
    }
    return node;
  };

  function kindOf(turn) {
    try {
      return turnKind(turn);
    } catch (e) {
      return "";
    }
  }

  function textsOf(turn) {
    return turn && Array.isArray(turn.texts) ? turn.texts.map(String) : [];
  }

  function botTurnNode(kind) {
    var node = el("div", "bc-turn bc-turn--bot");
    if (kind) {
      node.classList.add("bc-kind-" + kind.replace(/[^a-z_]/gi, ""));
      node.dataset.kind = kind;
    }
    node.appendChild(el("span", "bc-visually-hidden", "Assistant: "));
    return node;
  }

  /* The reply's texts, through textContent only. */
  function plainTurn(turn, kind) {
    var node = botTurnNode(kind);
    node.classList.add("bc-turn--plain");
    if (kind === "crisis") node.appendChild(el("p", "bc-crisis-heading", CRISIS_HEADING));
    var texts = textsOf(turn);
    texts.forEach(function (text) { node.appendChild(el("p", "bc-bubble", text)); });
    if (!texts.length) node.appendChild(el("p", "bc-bubble bc-bubble--muted", NO_ANSWER));
    return node;
  }

  /* The reply with its links, help lines, sources and quick replies. */
  Widget.prototype.decoratedTurn = function (turn, kind) {
    var self = this;
    var node = botTurnNode(kind);
    var turnId = this.id + "-turn" + ++this.turnCount;
    if (kind === "crisis") {
      var heading = el("p", "bc-crisis-heading");
      heading.appendChild(icon("heart"));
      heading.appendChild(el("span", null, CRISIS_HEADING));
      node.appendChild(heading);
    }

    var resources = [];
    var sources = [];
    turn.customs.forEach(function (custom) {
      if (Array.isArray(custom.resources)) resources = resources.concat(custom.resources);
      if (custom.kind === "answer") sources = sources.concat(sourcesOf(custom));
    });

    var links = numberLinks(resources);
    var resourceList = resources.length ? renderResources(resources) : null;
    var placed = false;
    turn.texts.forEach(function (text) {
      // The list of help lines written out as text gives way to the same lines as links.
      var intro = resourceList && !placed ? introOfResourceList(text, resources) : null;
      var shown = intro === null ? text : intro;
      if (shown) {
        var bubble = el("p", "bc-bubble");
        appendTextWithLinks(bubble, shown, links);
        node.appendChild(bubble);
      }
      if (intro !== null) {
        node.appendChild(resourceList);
        placed = true;
      }
    });
    if (resourceList && !placed) node.appendChild(resourceList);
    if (sources.length) node.appendChild(renderSources(sources, turnId, this.config.clinic));

    if (!turn.texts.length && !resourceList && !sources.length) {
      node.appendChild(el("p", "bc-bubble bc-bubble--muted", NO_ANSWER));
    }

    if (turn.buttons.length) {
      var group = el("div", "bc-quick-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Suggested replies");
      turn.buttons.forEach(function (choice) {
        var quick = button("bc-quick", choice.title);
        quick.addEventListener("click", function () {
          self.send(choice.payload, choice.title);
        });
        group.appendChild(quick);
      });
      node.appendChild(group);
    }
    return node;
  };

  /* "Was this helpful?" under an answer: Yes sends at once; No opens an optional
     "What was missing?" note. The note is sent as an ordinary message, so the
     assistant's crisis detector reads it; the vote, topic and content version go
     in the message's metadata. */
  Widget.prototype.feedbackBox = function (turn) {
    var self = this;
    var answer = turn.customs.find(function (c) { return c.kind === "answer"; }) || {};
    var vote = { topic: answer.topic, content_version: answer.content_version };
    var boxId = this.id + "-feedback" + this.turnCount;
    var box = el("div", "bc-feedback");
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", boxId + "-q");
    var question = el("p", "bc-feedback-question", "Was this helpful?");
    question.id = boxId + "-q";
    var yes = button("bc-pill bc-feedback-vote", "Yes");
    var no = button("bc-pill bc-feedback-vote", "No");
    yes.addEventListener("click", function () {
      self.sendFeedback(box, Object.assign({ vote: "yes" }, vote), "");
    });
    no.addEventListener("click", function () {
      no.setAttribute("aria-expanded", "true");
      form.hidden = false;
      note.focus();
    });
    no.setAttribute("aria-expanded", "false");
    no.setAttribute("aria-controls", boxId + "-form");

    var form = el("form", "bc-feedback-form");
    form.id = boxId + "-form";
    form.hidden = true;
    form.noValidate = true;
    var label = el("label", "bc-feedback-label", "What was missing? (optional)");
    label.htmlFor = boxId + "-note";
    var note = el("textarea", "bc-feedback-note");
    note.id = boxId + "-note";
    note.rows = 2;
    note.maxLength = 1000;
    var submit = button("bc-pill bc-feedback-send", "Send feedback");
    submit.type = "submit";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.sendFeedback(box, Object.assign({ vote: "no" }, vote), note.value.trim());
    });
    note.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.sendFeedback(box, Object.assign({ vote: "no" }, vote), note.value.trim());
      }
    });
    form.appendChild(label);
    form.appendChild(note);
    form.appendChild(submit);

    var row = el("div", "bc-feedback-row");
    row.appendChild(question);
    row.appendChild(yes);
    row.appendChild(no);
    box.appendChild(row);
    box.appendChild(form);
    return box;
  };

  Widget.prototype.sendFeedback = function (box, feedback, note) {
    if (this.pending) return;
    var text = note || FEEDBACK_TEXTS[feedback.vote];
    box.remove();
    this.send(text, text, feedback);
  };

  Widget.prototype.showError = function (error, message, feedback) {
    var self = this;
    var node = el("div", "bc-turn bc-turn--error");
    var box = el("div", "bc-error");
    box.appendChild(icon("alert"));
    var body = el("div", "bc-error-body");
    var canRetry = error.kind !== "rejected";
    body.appendChild(el("p", "bc-error-text", canRetry
      ? "The assistant can't be reached right now. Your message was not lost."
      : "The assistant could not take that message (error " + error.status + ")."));
    if (canRetry) {
      var retry = button("bc-retry", "Retry", "refresh");
      retry.addEventListener("click", function () {
        self.input.focus(); // the button is about to go
        node.remove();
        self.deliver(message, feedback);
      });
      body.appendChild(retry);
    }
    box.appendChild(body);
    node.appendChild(box);
    this.log.appendChild(node);
    this.scrollToEnd();
    if (retry && this.panel.contains(document.activeElement)) retry.focus();
  };

  // -------------------------------------------------- sending

  Widget.prototype.submitInput = function () {
    var text = this.input.value.trim();
    if (!text || this.pending) return;
    this.input.value = "";
    this.fitInput();
    this.send(text, text);
  };

  /* `message` goes to the server; `shown` is what the user's bubble says (a quick
     reply shows its title and sends its payload). */
  Widget.prototype.send = function (message, shown, feedback) {
    if (this.pending) return;
    this.retireQuickReplies();
    // A vote belongs to the latest answer only.
    Array.prototype.forEach.call(this.log.querySelectorAll(".bc-feedback"), function (n) {
      n.remove();
    });
    Array.prototype.forEach.call(this.log.querySelectorAll(".bc-turn--error"), function (n) {
      n.remove();
    });
    this.appendUser(shown);
    this.remember({ type: "user", text: shown });
    this.input.focus();
    this.deliver(message, feedback);
  };

  Widget.prototype.setPending = function (pending) {
    this.pending = pending;
    this.typing.hidden = !pending;
    this.sendButton.disabled = pending;
    this.root.classList.toggle("bc-busy", pending);
    if (pending) this.scrollToEnd();
  };

  Widget.prototype.deliver = function (message, feedback) {
    var self = this;
    var focusWasInside = this.panel.contains(document.activeElement);
    this.setPending(true);
    return sendToServer(this.config, this.sender(), message, feedback)
      .then(function (entries) {
        self.setPending(false);
        var turn = toBotTurn(entries);
        var node = self.appendBot(turn);
        self.remember({ type: "bot", turn: turn });
        self.reveal(node);
        if (focusWasInside && !self.panel.contains(document.activeElement)) self.input.focus();
      })
      .catch(function (error) {
        self.setPending(false);
        if (!(error instanceof ChatError)) throw error;
        self.showError(error, message, feedback);
      });
  };

  // ---------------------------------------------------------------- public API

  function init(options) {
    var widget = new Widget(resolveConfig(options));
    return {
      open: function () { widget.open(); },
      close: function () { widget.close(); },
      newConversation: function () { widget.newConversation(); },
      send: function (text) { widget.send(text, text); },
      element: widget.root,
    };
  }

  window.BoundariesChat = { init: init };

  var script = document.currentScript;
  if (script && script.dataset.role) {
    var config = readScriptConfig(script);
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { init(config); });
    } else {
      init(config);
    }
  }
})();
