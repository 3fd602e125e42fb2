// The capture page of a networking table (/mesa/<token>): save the rapporteur's conclusions as they type.
//
// The page works without this script (plain forms). With it, every change is kept on the phone
// (localStorage) the moment it is typed and sent to the server ~800 ms after typing pauses, one request at a
// time, through the page's JSON endpoint; what the server has not confirmed stays on the phone and is sent
// again when the signal returns (the `online` event and a timer), after a reload too. An add carries a UUID
// made here, so a retry whose answer was lost never makes a second conclusion; an edit carries the version
// it was based on, and when someone else changed the conclusion meanwhile the server refuses it (409): both
// texts are then shown and nothing is overwritten until the rapporteur chooses. Text reaches the DOM only
// through textContent and form values.

const DEBOUNCE_MS = 800;
const RETRY_MS = 5000;

const MESSAGES = {
  saving: "Guardando…",
  saved: "Guardado",
  offline: "Sin conexión: se guardará al volver la señal. No cierre esta página.",
  closed: "La organización cerró la captura de esta mesa: ya no se aceptan cambios. Lo que no alcanzó a " +
    "guardarse sigue en este teléfono.",
  csrf: "La página caducó; recárguela para seguir guardando. Lo que escribió sigue guardado en este teléfono.",
  conflict: "Otra persona cambió una conclusión mientras usted la editaba: compare los textos abajo.",
  empty: "Escriba el texto de la conclusión.",
};

function newUuid() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function readFields(form) {
  const text = form.querySelector("textarea");
  const note = form.querySelector('input[name$="backing_sectors"]');
  const themes = Array.from(form.querySelectorAll('input[type="checkbox"][name$="themes"]:checked'),
    (box) => Number(box.value));
  return { text: text ? text.value : "", themes, backing_sectors: note ? note.value : "" };
}

function writeFields(form, data) {
  const text = form.querySelector("textarea");
  const note = form.querySelector('input[name$="backing_sectors"]');
  if (text) text.value = data.text || "";
  if (note) note.value = data.backing_sectors || "";
  form.querySelectorAll('input[type="checkbox"][name$="themes"]').forEach((box) => {
    box.checked = (data.themes || []).includes(Number(box.value));
  });
}

function sameContent(a, b) {
  return a.text.trim() === b.text.trim() && (a.backing_sectors || "").trim() === (b.backing_sectors || "").trim() &&
    [...a.themes].sort().join(",") === [...b.themes].sort().join(",");
}

class Capture {
  constructor(root) {
    this.root = root;
    this.url = root.dataset.saveUrl;
    this.storageKey = `foros-captura:${root.dataset.table}`;
    const meta = document.querySelector('meta[name="csrf-token"]');
    this.csrf = meta ? meta.content : "";
    this.status = document.getElementById("estado-captura");
    this.list = document.getElementById("lista-conclusiones");
    this.newForm = document.getElementById("nueva-conclusion");
    this.entries = this.load();
    this.timers = new Map();
    this.sending = false;
    this.stopped = null; // "closed" or "csrf": the server will not take more until the page is reloaded
    this.draftKey = null; // the entry the "Agregar conclusión" form is typing into
  }

  // --- the phone's copy ------------------------------------------------------------------------------------

  load() {
    try {
      const saved = JSON.parse(window.localStorage.getItem(this.storageKey) || "{}");
      return saved && typeof saved === "object" ? saved : {};
    } catch {
      return {};
    }
  }

  persist() {
    try {
      window.localStorage.setItem(this.storageKey, JSON.stringify(this.entries));
    } catch {
      // Storage full or refused (private mode): the page still saves while online.
    }
  }

  pending() {
    return Object.values(this.entries).filter((e) => e.dirty && !e.conflict && !e.invalid);
  }

  // --- the page ----------------------------------------------------------------------------------------------

  start() {
    for (const item of this.list.querySelectorAll(".capture-item")) this.bindCard(item);
    this.newForm.addEventListener("input", () => this.typedNew());
    this.newForm.addEventListener("change", () => this.typedNew());
    this.newForm.addEventListener("submit", (event) => this.submitNew(event));
    this.restore();
    window.addEventListener("online", () => this.sync());
    window.setInterval(() => this.sync(), RETRY_MS);
    this.sync();
  }

  bindCard(item) {
    const form = item.querySelector("form");
    const key = `c${item.dataset.id}`;
    item.dataset.key = key;
    const typed = () => this.typed(key, () => this.cardEntry(item));
    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", (event) => {
      if (event.submitter && event.submitter.name === "direccion") return; // moving reloads the page
      event.preventDefault();
      this.typed(key, () => this.cardEntry(item), 0);
    });
  }

  cardEntry(item) {
    const key = item.dataset.key;
    const entry = this.entries[key] || {
      key, id: Number(item.dataset.id), base_version: Number(item.dataset.version), uuid: null,
    };
    return Object.assign(entry, readFields(item.querySelector("form")));
  }

  restore() {
    let restored = false;
    for (const entry of Object.values(this.entries)) {
      if (!entry.dirty) {
        delete this.entries[entry.key];
        continue;
      }
      restored = true;
      const item = this.findCard(entry);
      if (item) {
        if (entry.id == null) entry.id = Number(item.dataset.id);
        writeFields(item.querySelector("form"), entry);
        this.mark(entry, "Cambios sin guardar en este teléfono");
      } else {
        this.addPendingItem(entry);
      }
    }
    this.persist();
    if (restored) this.say(MESSAGES.saving);
  }

  findCard(entry) {
    for (const item of this.list.querySelectorAll(".capture-item")) {
      if ((entry.id != null && Number(item.dataset.id) === entry.id) ||
          (entry.uuid && item.dataset.clientUuid === entry.uuid)) return item;
    }
    return null;
  }

  typed(key, build, delay = DEBOUNCE_MS) {
    const entry = build();
    entry.dirty = true;
    entry.invalid = false;
    this.entries[key] = entry;
    this.persist();
    window.clearTimeout(this.timers.get(key));
    this.timers.set(key, window.setTimeout(() => this.sync(), delay));
  }

  typedNew() {
    if (!this.draftKey) {
      this.draftKey = newUuid();
      const hidden = this.newForm.querySelector('input[name$="client_uuid"]');
      if (hidden) hidden.value = this.draftKey; // a plain submit after this carries the same UUID
    }
    const key = this.draftKey;
    this.typed(key, () => Object.assign(this.entries[key] || { key, uuid: key, id: null, base_version: null },
      readFields(this.newForm)));
  }

  submitNew(event) {
    event.preventDefault();
    const fields = readFields(this.newForm);
    if (!fields.text.trim()) {
      this.say(MESSAGES.empty);
      this.newForm.querySelector("textarea").focus();
      return;
    }
    if (!this.draftKey) this.typedNew();
    const entry = Object.assign(this.entries[this.draftKey], fields, { dirty: true });
    this.persist();
    this.addPendingItem(entry);
    this.draftKey = null;
    writeFields(this.newForm, { text: "", themes: [], backing_sectors: "" });
    const hidden = this.newForm.querySelector('input[name$="client_uuid"]');
    if (hidden) hidden.value = "";
    this.sync();
  }

  addPendingItem(entry) {
    const item = document.createElement("li");
    item.className = "card capture-item capture-pending";
    item.dataset.key = entry.key;
    const text = document.createElement("p");
    text.textContent = entry.text;
    const note = document.createElement("p");
    note.className = "hint capture-mark";
    item.append(text, note);
    this.list.append(item);
    this.mark(entry, "Pendiente de guardar");
  }

  mark(entry, message) {
    const item = this.list.querySelector(`[data-key="${CSS.escape(entry.key)}"]`);
    if (!item) return;
    let note = item.querySelector(".capture-mark");
    if (!note) {
      note = document.createElement("p");
      note.className = "hint capture-mark";
      item.append(note);
    }
    note.textContent = message;
  }

  say(message) {
    this.status.hidden = false;
    this.status.textContent = message;
  }

  // --- talking to the server -------------------------------------------------------------------------------

  async sync() {
    if (this.sending || this.stopped) return;
    this.sending = true;
    try {
      for (;;) {
        const entry = this.pending().find((e) => e.text.trim() || e.id != null);
        if (!entry) break;
        if (!entry.text.trim()) { // an emptied box is not sent: the server would refuse it
          entry.invalid = true;
          this.mark(entry, MESSAGES.empty);
          continue;
        }
        this.say(MESSAGES.saving);
        const outcome = await this.send(entry);
        if (outcome === "offline") {
          this.say(MESSAGES.offline);
          return;
        }
        if (outcome === "stop") return;
      }
      const waiting = Object.values(this.entries).some((e) => e.dirty && e.text.trim());
      if (!waiting) this.say(MESSAGES.saved);
      else if (Object.values(this.entries).some((e) => e.conflict)) this.say(MESSAGES.conflict);
    } finally {
      this.sending = false;
    }
  }

  async send(entry) {
    const sent = { text: entry.text, themes: [...entry.themes], backing_sectors: entry.backing_sectors };
    const body = entry.id == null
      ? { op: "add", client_uuid: entry.uuid, ...sent }
      : { op: "edit", id: entry.id, base_version: entry.base_version, ...sent };
    let response;
    let data;
    try {
      response = await fetch(this.url, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": this.csrf },
        body: JSON.stringify(body),
      });
      data = await response.json();
    } catch {
      return "offline"; // no answer (no signal) or not JSON (a proxy's error page): try again later
    }
    if (response.ok) {
      const saved = data.conclusion;
      entry.id = saved.id;
      // A retried add answered with the row the first attempt made: that attempt made version 1, so a later
      // version is someone else's edit, which our next edit must not overwrite silently.
      entry.base_version = body.op === "add" && !data.created ? 1 : saved.version;
      // Anything typed while the request was away stays dirty and goes next.
      entry.dirty = !sameContent(entry, saved);
      if (!entry.dirty) entry.base_version = saved.version;
      const item = this.findCard(entry) || this.list.querySelector(`[data-key="${CSS.escape(entry.key)}"]`);
      if (item && item.dataset.id !== undefined) item.dataset.version = String(saved.version);
      this.mark(entry, entry.dirty ? "Pendiente de guardar" : "Guardada");
      if (!entry.dirty && entry.key !== this.draftKey) delete this.entries[entry.key];
      this.persist();
      return "ok";
    }
    const error = (data && data.error) || {};
    if (response.status === 409 && (error.code === "stale_edit" || error.code === "conclusion_deleted")) {
      entry.conflict = data.current;
      this.persist();
      this.showConflict(entry, error.message);
      return "ok";
    }
    if (error.code === "capture_closed") {
      this.stopped = "closed";
      this.say(MESSAGES.closed);
      return "stop";
    }
    if (error.code === "csrf_invalid") {
      this.stopped = "csrf";
      this.say(MESSAGES.csrf);
      return "stop";
    }
    if (response.status >= 500) return "offline";
    entry.invalid = true; // refused as typed (too long…): kept here, sent again once changed
    this.persist();
    this.mark(entry, error.message || "No se pudo guardar.");
    this.say(error.message || "No se pudo guardar.");
    return "ok";
  }

  showConflict(entry, message) {
    const item = this.findCard(entry) || this.list.querySelector(`[data-key="${CSS.escape(entry.key)}"]`);
    if (!item) return;
    item.querySelector(".capture-conflict")?.remove();
    const box = document.createElement("div");
    box.className = "capture-conflict";
    box.setAttribute("role", "alert");
    const intro = document.createElement("p");
    intro.textContent = message;
    const current = document.createElement("blockquote");
    current.className = "capture-current";
    current.textContent = entry.conflict.text;
    const mine = document.createElement("p");
    mine.className = "hint";
    mine.textContent = `Su texto: ${entry.text}`;
    const actions = document.createElement("div");
    actions.className = "actions";
    const keep = document.createElement("button");
    keep.type = "button";
    const useCurrent = document.createElement("button");
    useCurrent.type = "button";
    useCurrent.className = "secondary";
    useCurrent.textContent = "Quedarme con el texto actual";
    if (entry.conflict.deleted) {
      keep.textContent = "Agregar mi texto como conclusión nueva";
      keep.addEventListener("click", () => {
        Object.assign(entry, { id: null, base_version: null, uuid: newUuid(), conflict: null, dirty: true });
        box.remove();
        this.persist();
        this.sync();
      });
      useCurrent.textContent = "Descartar mi texto";
    } else {
      keep.textContent = "Guardar mi texto en lugar del actual";
      keep.addEventListener("click", () => {
        Object.assign(entry, { base_version: entry.conflict.version, conflict: null, dirty: true });
        box.remove();
        this.persist();
        this.sync();
      });
    }
    useCurrent.addEventListener("click", () => {
      const form = item.querySelector("form");
      if (form && !entry.conflict.deleted) writeFields(form, entry.conflict);
      item.dataset.version = String(entry.conflict.version);
      delete this.entries[entry.key];
      box.remove();
      this.persist();
      this.sync();
    });
    actions.append(keep, useCurrent);
    box.append(intro, current, mine, actions);
    item.prepend(box);
    this.say(MESSAGES.conflict);
  }
}

const root = document.getElementById("captura");
if (root && root.dataset.open === "true" && document.getElementById("nueva-conclusion")) {
  new Capture(root).start();
}
