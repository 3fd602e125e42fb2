// The door page: read tickets with the camera or a keyboard-wedge scanner, send each scan once, show the
// answer full screen. Works alongside the server-rendered page (the wedge form and the search work without
// this script). Text from the server or from a ticket reaches the DOM only through textContent.
//
// Decoders: the native BarcodeDetector when the browser has one (Android Chrome); otherwise zxing-wasm in a
// module worker (static/js/checkin/decoder-worker.js), loaded only after the page is usable; as a last resort
// zxing-wasm on the main thread (browsers without module workers).

const DEDUPE_MS = 3000; // the same code seen again within this time is not sent again
const SHOW_MS = { ok: 2000, warn: 3000, error: 3000 }; // how long the answer stays on screen
const REQUEST_TIMEOUT_MS = 8000; // weak venue Wi-Fi: give up and say so rather than hang
const RETRY_SAME_SCAN_MS = 120000; // re-scanning after a failed send reuses its scan_id (no duplicate rows)
const MIN_FRAME_GAP_MS = 60; // at most ~16 decode attempts per second (battery)
const MAX_SIDE = 960; // frames are scaled down to this many pixels on their long side before decoding
const PREFS = { sound: "foros.puerta.sonido", vibrate: "foros.puerta.vibracion", camera: "foros.puerta.camara" };

const TITLES = { ok: "Acceso registrado", warn: "Ya había entrado", error: "Acceso no permitido" };
const KINDS = { accepted: "ok", already_checked_in: "warn" };

const CAMERA_MESSAGES = {
  insecure: "La cámara solo funciona en una conexión segura (https://) o en este mismo equipo. Esta página se " +
    "abrió por http://, así que el navegador no permite usarla. Use el lector de códigos o la búsqueda; para " +
    "usar la cámara, pida a la organización la dirección https:// de Foros.",
  unsupported: "Este navegador no permite usar la cámara desde una página web. Use el lector de códigos o la " +
    "búsqueda por nombre.",
  NotAllowedError: "No se dio permiso para usar la cámara. Para leer boletos con ella, permita la cámara en " +
    "la configuración del navegador (el candado junto a la dirección) y recargue la página. Mientras tanto, " +
    "use el lector de códigos o la búsqueda.",
  NotFoundError: "No se encontró ninguna cámara en este dispositivo. Use el lector de códigos o la búsqueda.",
  NotReadableError: "La cámara está ocupada por otra aplicación o no responde. Ciérrela y toque «Activar " +
    "cámara».",
  decoder: "No se pudo cargar el lector de códigos QR (revise la conexión). Use el lector de códigos o la " +
    "búsqueda, o toque «Activar cámara» para intentarlo de nuevo.",
  other: "No se pudo encender la cámara. Use el lector de códigos o la búsqueda, o toque «Activar cámara» " +
    "para intentarlo de nuevo.",
};
CAMERA_MESSAGES.SecurityError = CAMERA_MESSAGES.NotAllowedError;
CAMERA_MESSAGES.OverconstrainedError = CAMERA_MESSAGES.NotFoundError;
CAMERA_MESSAGES.AbortError = CAMERA_MESSAGES.NotReadableError;

// Measurements the browser tests read (and anyone can, from the console).
const timing = { decoder: null, decoderReadyAt: null, scans: [] };
window.__forosTiming = timing;

function readPref(key, fallback) {
  try {
    const value = window.localStorage.getItem(key);
    return value === null ? fallback : value === "1";
  } catch (error) {
    return fallback;
  }
}

function writePref(key, on) {
  try {
    window.localStorage.setItem(key, on ? "1" : "0");
  } catch (error) {
    // private browsing: the choice lasts until the page closes
  }
}

function uuid4() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  // crypto.randomUUID exists only in secure contexts; a wedge scanner also works on plain http.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function localTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString("es-MX", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "America/Mexico_City" });
}

// --- feedback: sound and vibration ---------------------------------------------------------------------

class Feedback {
  constructor() {
    this.sound = readPref(PREFS.sound, false);
    this.vibrate = readPref(PREFS.vibrate, true);
    this.audio = null;
  }

  unlock() {
    // Browsers start audio only after a gesture: create or resume the context on the first tap or key.
    if (!this.sound) return;
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!this.audio) this.audio = new Context();
    if (this.audio.state === "suspended") this.audio.resume().catch(() => {});
  }

  play(kind) {
    if (this.vibrate && typeof navigator.vibrate === "function") {
      navigator.vibrate(kind === "ok" ? 80 : kind === "warn" ? [80, 80, 80] : [300]);
    }
    if (!this.sound || !this.audio || this.audio.state !== "running") return;
    const tones = kind === "ok" ? [[880, 0, 0.12]] : kind === "warn" ? [[660, 0, 0.1], [660, 0.16, 0.1]] : [[220, 0, 0.4]];
    const now = this.audio.currentTime;
    for (const [frequency, start, length] of tones) {
      const oscillator = this.audio.createOscillator();
      const gain = this.audio.createGain();
      oscillator.type = kind === "error" ? "square" : "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.25, now + start);
      gain.gain.exponentialRampToValueAtTime(0.001, now + start + length);
      oscillator.connect(gain).connect(this.audio.destination);
      oscillator.start(now + start);
      oscillator.stop(now + start + length + 0.02);
    }
  }
}

// --- decoders ------------------------------------------------------------------------------------------

class FrameGrabber {
  constructor() {
    this.canvas = document.createElement("canvas");
    this.context = this.canvas.getContext("2d", { willReadFrequently: true });
  }

  grab(video) {
    const { videoWidth: width, videoHeight: height } = video;
    if (!width || !height) return null;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const w = Math.round(width * scale);
    const h = Math.round(height * scale);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.context.drawImage(video, 0, 0, w, h);
    return this.context.getImageData(0, 0, w, h);
  }
}

async function nativeDecoder() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return {
      name: "BarcodeDetector",
      async detect(video) {
        const codes = await detector.detect(video);
        return codes.length ? codes[0].rawValue : null;
      },
    };
  } catch (error) {
    return null;
  }
}

function workerDecoder(url) {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = new Worker(url, { type: "module" });
    } catch (error) {
      reject(error);
      return;
    }
    const grabber = new FrameGrabber();
    const waiting = new Map();
    let nextId = 1;
    let ready = false;
    const fail = (error) => {
      for (const done of waiting.values()) done(null);
      waiting.clear();
      if (!ready) {
        worker.terminate();
        reject(error);
      }
    };
    const timer = setTimeout(() => fail(new Error("decoder timeout")), 60000);
    worker.onmessage = (event) => {
      const message = event.data;
      if (message.type === "ready") {
        clearTimeout(timer);
        ready = true;
        resolve({
          name: "zxing-wasm (worker)",
          detect(video) {
            const frame = grabber.grab(video);
            if (!frame) return Promise.resolve(null);
            const id = nextId++;
            return new Promise((done) => {
              waiting.set(id, done);
              worker.postMessage({ id, width: frame.width, height: frame.height, buffer: frame.data.buffer },
                [frame.data.buffer]);
            });
          },
        });
      } else if (message.type === "error") {
        clearTimeout(timer);
        fail(new Error(message.message));
      } else if (message.type === "result") {
        const done = waiting.get(message.id);
        waiting.delete(message.id);
        if (done) done(message.text);
      }
    };
    worker.onerror = (event) => {
      clearTimeout(timer);
      event.preventDefault();
      fail(new Error(event.message || "decoder worker failed"));
    };
  });
}

async function mainThreadDecoder(moduleUrl, wasmUrl) {
  const zxing = await import(moduleUrl);
  await zxing.prepareZXingModule({
    overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasmUrl : prefix + path) },
    fireImmediately: true,
  });
  const grabber = new FrameGrabber();
  return {
    name: "zxing-wasm",
    async detect(video) {
      const frame = grabber.grab(video);
      if (!frame) return null;
      const results = await zxing.readBarcodes(frame, { formats: ["QRCode"], maxNumberOfSymbols: 1 });
      return results.length ? results[0].text : null;
    },
  };
}

async function loadDecoder(root) {
  const native = await nativeDecoder();
  if (native) return native;
  try {
    return await workerDecoder(root.dataset.workerUrl);
  } catch (error) {
    console.warn("Foros: the decoder worker failed, decoding on the main thread.", error);
  }
  return mainThreadDecoder(new URL(root.dataset.decoderUrl, window.location.href).href,
    new URL(root.dataset.wasmUrl, window.location.href).href);
}

// --- the page ------------------------------------------------------------------------------------------

class Door {
  constructor(root) {
    this.root = root;
    this.scanUrl = root.dataset.scanUrl;
    this.recentUrl = root.dataset.recentUrl;
    const meta = document.querySelector('meta[name="csrf-token"]');
    this.csrf = meta ? meta.content : "";
    this.field = document.getElementById("codigo");
    this.form = document.getElementById("lector");
    this.overlay = document.getElementById("resultado");
    this.parts = {};
    for (const element of this.overlay.querySelectorAll("[data-part]")) this.parts[element.dataset.part] = element;
    this.video = document.getElementById("camara-video");
    this.cameraStatus = document.getElementById("camara-estado");
    this.cameraButton = document.getElementById("camara-boton");
    this.feedback = new Feedback();

    this.queue = Promise.resolve();
    this.sending = false;
    this.lastCode = null;
    this.lastSeen = 0;
    this.lastSource = null;
    this.retry = new Map(); // code → {scanId, at}: a send that failed is retried with the same scan_id
    this.hideTimer = null;
    this.stream = null;
    this.decoder = null;
    this.cameraOn = false;
    this.starting = false;
    this.cycleStart = null; // first decode attempt of the current read (for the timing measurement)
    this.tabbing = false;
  }

  start() {
    this.setUpWedge();
    this.setUpOverlay();
    this.setUpOptions();
    this.cameraButton.hidden = false;
    this.cameraButton.addEventListener("click", () => {
      if (this.cameraOn) this.stopCamera(true);
      else if (!this.starting) this.startCamera(true);
    });
    if (readPref(PREFS.camera, true)) {
      this.startCamera(false);
    } else {
      this.say("Cámara apagada. Tóquela para encenderla; el lector de códigos y la búsqueda siguen funcionando.");
    }
    if (!this.overlay.hidden) this.scheduleHide("error");
  }

  // Keyboard-wedge scanners type the code and press Enter into whatever has focus: keep it on the field.
  setUpWedge() {
    const coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    const typeButton = document.getElementById("teclear");
    if (coarse) {
      // No on-screen keyboard popping up over the camera; a Bluetooth scanner still types here.
      this.field.inputMode = "none";
      typeButton.hidden = false;
      typeButton.addEventListener("click", () => {
        this.field.inputMode = "text";
        this.field.focus();
      });
    }
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const code = this.field.value;
      this.field.value = "";
      const now = performance.now();
      this.handle(code, "lector", { frame: now, captured: now, decoded: now });
    });
    this.field.addEventListener("keydown", (event) => {
      // Some scanners end a code with Tab instead of Enter.
      if (event.key === "Tab" && !event.shiftKey && this.field.value.trim()) {
        event.preventDefault();
        event.stopPropagation();
        this.form.requestSubmit();
      }
    });
    this.field.addEventListener("focus", () => {
      this.tabbing = false;
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Tab" && !event.defaultPrevented) this.tabbing = true;
      this.feedback.unlock();
    });
    document.addEventListener("pointerdown", () => {
      this.tabbing = false;
      this.feedback.unlock();
    }, true);
    this.field.addEventListener("blur", () => setTimeout(() => this.refocus(), 0));
    document.addEventListener("click", () => setTimeout(() => this.refocus(), 0));
    window.addEventListener("focus", () => this.refocus());
    this.refocus();
  }

  refocus() {
    if (this.tabbing) return; // keyboard users move through the page freely (no focus trap)
    const active = document.activeElement;
    if (active === this.field) return;
    const typing = active && active !== document.body && active.matches(
      "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), textarea, select");
    if (typing) return; // someone is typing in the search box (or another field)
    this.field.focus({ preventScroll: true });
  }

  setUpOverlay() {
    this.overlay.addEventListener("click", (event) => {
      event.preventDefault();
      this.hide();
    });
  }

  setUpOptions() {
    const sound = document.getElementById("opcion-sonido");
    const vibrate = document.getElementById("opcion-vibracion");
    sound.checked = this.feedback.sound;
    vibrate.checked = this.feedback.vibrate;
    sound.addEventListener("change", () => {
      this.feedback.sound = sound.checked;
      writePref(PREFS.sound, sound.checked);
      this.feedback.unlock();
      if (sound.checked) setTimeout(() => this.feedback.play("ok"), 50);
    });
    vibrate.addEventListener("change", () => {
      this.feedback.vibrate = vibrate.checked;
      writePref(PREFS.vibrate, vibrate.checked);
    });
    if (typeof navigator.vibrate !== "function") {
      vibrate.disabled = true;
      vibrate.parentElement.append(" (este dispositivo no vibra)");
    }
  }

  // --- camera ----------------------------------------------------------------------------------------

  say(text) {
    this.cameraStatus.textContent = text;
    this.cameraStatus.hidden = false;
  }

  async startCamera(byUser) {
    this.starting = true;
    try {
      await this.openCamera(byUser);
    } finally {
      this.starting = false;
    }
  }

  async openCamera(byUser) {
    if (byUser) writePref(PREFS.camera, true);
    this.cameraButton.textContent = "Apagar cámara";
    if (!window.isSecureContext) return this.cameraFailed("insecure");
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
      return this.cameraFailed("unsupported");
    }
    this.say("Encendiendo la cámara…");
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      return this.cameraFailed(error && error.name);
    }
    this.video.srcObject = this.stream;
    this.video.hidden = false;
    try {
      await this.video.play();
    } catch (error) {
      // autoplay of a muted inline video is allowed; if not, the frames still arrive
    }
    this.cameraOn = true;
    this.say("Preparando el lector de códigos QR…");
    try {
      if (!this.decoder) {
        this.decoder = await loadDecoder(this.root);
        timing.decoder = this.decoder.name;
        timing.decoderReadyAt = performance.now();
      }
    } catch (error) {
      console.warn("Foros: no QR decoder.", error);
      this.stopCamera(false);
      return this.cameraFailed("decoder");
    }
    if (!this.cameraOn) return undefined;
    this.say("Apunte la cámara al código QR del boleto.");
    this.root.classList.add("camera-live");
    this.loop();
    return undefined;
  }

  cameraFailed(reason) {
    this.cameraOn = false;
    this.video.hidden = true;
    this.root.classList.remove("camera-live");
    this.root.classList.add("camera-unavailable");
    this.cameraButton.textContent = "Activar cámara";
    this.say(CAMERA_MESSAGES[reason] || CAMERA_MESSAGES.other);
  }

  stopCamera(byUser) {
    if (byUser) writePref(PREFS.camera, false);
    this.cameraOn = false;
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
    this.video.hidden = true;
    this.root.classList.remove("camera-live");
    this.cameraButton.textContent = "Activar cámara";
    this.say("Cámara apagada. El lector de códigos y la búsqueda siguen funcionando.");
  }

  nextFrame() {
    return new Promise((resolve) => {
      if (typeof this.video.requestVideoFrameCallback === "function") {
        const fallback = setTimeout(resolve, 250);
        this.video.requestVideoFrameCallback(() => {
          clearTimeout(fallback);
          resolve();
        });
      } else {
        setTimeout(resolve, MIN_FRAME_GAP_MS);
      }
    });
  }

  async loop() {
    let previous = 0;
    while (this.cameraOn) {
      await this.nextFrame();
      const gap = performance.now() - previous;
      if (gap < MIN_FRAME_GAP_MS) await new Promise((resolve) => setTimeout(resolve, MIN_FRAME_GAP_MS - gap));
      if (!this.cameraOn) break;
      if (!this.overlay.hidden || this.sending || document.hidden) continue;
      previous = performance.now();
      if (this.cycleStart === null) this.cycleStart = previous;
      let text = null;
      try {
        text = await this.decoder.detect(this.video);
      } catch (error) {
        text = null;
      }
      if (text) {
        this.handle(text, "camara", { frame: this.cycleStart, captured: previous, decoded: performance.now() });
      }
    }
  }

  // --- scans -----------------------------------------------------------------------------------------

  handle(raw, source, marks) {
    const code = (raw || "").trim();
    if (!code) return;
    const now = performance.now();
    if (code === this.lastCode && now - this.lastSeen < DEDUPE_MS) {
      this.lastSeen = now; // still in front of the camera: keep ignoring it
      this.cycleStart = null;
      return;
    }
    this.lastCode = code;
    this.lastSeen = now;
    this.lastSource = source;
    this.sending = true;
    this.queue = this.queue.then(() => this.send(code, source, marks));
  }

  async send(code, source, marks) {
    const previous = this.retry.get(code);
    const scanId = previous && Date.now() - previous.at < RETRY_SAME_SCAN_MS ? previous.scanId : uuid4();
    this.retry.set(code, { scanId, at: Date.now() });
    let answer;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(this.scanUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": this.csrf },
        body: JSON.stringify({ code, scan_id: scanId, source }),
        signal: controller.signal,
      });
      answer = await this.readAnswer(response);
      this.retry.delete(code);
    } catch (error) {
      answer = {
        result: "offline",
        message: "Sin conexión con el servidor: la entrada NO quedó registrada. Vuelva a escanear el mismo " +
          "boleto; no se duplicará.",
      };
    } finally {
      clearTimeout(timer);
    }
    marks.answered = performance.now();
    this.show(answer, marks);
    this.sending = false;
    if (answer.result !== "offline") this.refreshRecent();
  }

  // "Últimas entradas" follows the scans without a reload: the server renders the block (same template as
  // the page, undo buttons included) and it replaces the one on screen. A failure leaves the old block.
  async refreshRecent() {
    if (!this.recentUrl) return;
    try {
      const response = await fetch(this.recentUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || !type.includes("html")) return;
      const html = await response.text();
      const fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".door-recent");
      const current = document.querySelector(".door-recent");
      if (fresh && current) current.replaceWith(document.importNode(fresh, true));
    } catch (error) {
      // Weak Wi-Fi: the list catches up after the next scan or a reload.
    }
  }

  async readAnswer(response) {
    const type = response.headers.get("Content-Type") || "";
    if (response.redirected || (response.ok && !type.includes("json"))) {
      return { result: "session", message: "Su sesión terminó. Recargue la página y vuelva a entrar." };
    }
    if (type.includes("json")) {
      const body = await response.json();
      if (response.ok) return body;
      return { result: "error", message: (body.error && body.error.message) || `Error ${response.status}.` };
    }
    if (response.status === 400) {
      return { result: "error", message: "La página caducó. Recárguela para seguir registrando." };
    }
    if (response.status === 403) {
      return { result: "error", message: "Su cuenta no está asignada a este evento." };
    }
    return { result: "error", message: `El servidor respondió con un error (${response.status}). Intente de nuevo.` };
  }

  show(answer, marks) {
    const kind = KINDS[answer.result] || "error";
    const attendee = answer.attendee || {};
    this.overlay.classList.remove("result-ok", "result-warn", "result-error");
    this.overlay.classList.add(`result-${kind}`);
    this.parts.title.textContent = answer.result === "offline" ? "Sin conexión" : TITLES[kind];
    this.parts.name.textContent = attendee.name || "";
    this.parts.organization.textContent = attendee.organization || "";
    this.parts.sector.textContent = attendee.sector || "";
    this.parts.message.textContent = answer.message || "";
    const first = answer.first_checkin;
    this.parts.detail.textContent = first && first.at
      ? `Primera entrada a las ${localTime(first.at)} · ${first.device || "sin dato"}` : "";
    this.parts.close.textContent = "Toque para continuar";
    this.overlay.dataset.result = answer.result;
    this.overlay.hidden = false;
    this.feedback.play(kind);
    this.scheduleHide(kind);
    requestAnimationFrame(() => {
      const shown = performance.now();
      timing.scans.push({
        source: this.lastSource, result: answer.result, frame: marks.frame, captured: marks.captured,
        decoded: marks.decoded, answered: marks.answered, shown,
        total: Math.round(shown - marks.frame), decode: Math.round(marks.decoded - marks.captured),
        server: Math.round(marks.answered - marks.decoded),
      });
      this.overlay.dataset.shownAt = String(Math.round(shown));
    });
  }

  scheduleHide(kind) {
    clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(() => this.hide(), SHOW_MS[kind] || SHOW_MS.error);
  }

  hide() {
    clearTimeout(this.hideTimer);
    this.overlay.hidden = true;
    this.cycleStart = null;
    // A ticket still held up to the camera is not read again: its 3 s start when the answer goes away.
    if (this.lastSource === "camara") this.lastSeen = performance.now();
    this.refocus();
  }
}

const root = document.getElementById("puerta");
if (root) new Door(root).start();
