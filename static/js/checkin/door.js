// The door page: read tickets with the camera or a keyboard-wedge scanner, send each scan once, show the
// answer full screen. Works alongside the server-rendered page (the wedge form and the search work without
// this script). Text from the server or from a ticket reaches the DOM only through textContent.
//
// This file is the door's user interface (wedge field, camera, answer overlay, options) and its entry point;
// the parts it uses are ES modules beside it in door/, loaded as files (the CSP's script-src 'self'):
//   door/decoder.js     QR decoders (BarcodeDetector, zxing-wasm in a worker, zxing-wasm on this thread),
//                       loaded only after the page is usable;
//   door/scan-queue.js  one send at a time, dedupe, retries with the same scan_id, reading the answer;
//   door/feedback.js    sound and vibration;  door/prefs.js  choices remembered on this device.
// Offline door (a later issue): a service worker's scope is the folder of its script, so its script must be
// served from /puerta/ (a route) or with a Service-Worker-Allowed: /puerta/ header to control the door
// pages; these modules can stay under /static and be cached by it like any same-origin file.

import { loadDecoder } from "./door/decoder.js";
import { Feedback } from "./door/feedback.js";
import { PREFS, readPref, writePref } from "./door/prefs.js";
import { ScanQueue } from "./door/scan-queue.js";

const SHOW_MS = { ok: 2000, warn: 3000, error: 3000 }; // how long the answer stays on screen
const MIN_FRAME_GAP_MS = 60; // at most ~16 decode attempts per second (battery)

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

function localTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString("es-MX", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "America/Mexico_City" });
}

// --- the page ------------------------------------------------------------------------------------------

class Door {
  constructor(root) {
    this.root = root;
    this.recentUrl = root.dataset.recentUrl;
    const meta = document.querySelector('meta[name="csrf-token"]');
    this.field = document.getElementById("codigo");
    this.form = document.getElementById("lector");
    this.overlay = document.getElementById("resultado");
    this.parts = {};
    for (const element of this.overlay.querySelectorAll("[data-part]")) this.parts[element.dataset.part] = element;
    this.video = document.getElementById("camara-video");
    this.cameraStatus = document.getElementById("camara-estado");
    this.cameraButton = document.getElementById("camara-boton");
    this.feedback = new Feedback();
    this.scans = new ScanQueue({
      scanUrl: root.dataset.scanUrl,
      csrf: meta ? meta.content : "",
      onAnswer: (answer, marks) => this.show(answer, marks),
      onRecorded: () => this.refreshRecent(),
    });
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
        this.decoder = await loadDecoder(this.root.dataset);
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
      if (!this.overlay.hidden || this.scans.sending || document.hidden) continue;
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
    if (!this.scans.offer(raw, source, marks)) this.cycleStart = null; // the same ticket again: not sent
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
        source: this.scans.lastSource, result: answer.result, frame: marks.frame, captured: marks.captured,
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
    this.scans.answerClosed();
    this.refocus();
  }
}

const root = document.getElementById("puerta");
if (root) new Door(root).start();
