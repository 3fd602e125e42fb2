// Sound and vibration when a ticket is read: one short tone for "ok", two for "already in", a low buzz for
// "not allowed". Both are the person's choice on this device (prefs.js); sound starts only after a gesture.

import { PREFS, readPref } from "./prefs.js";

export class Feedback {
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
