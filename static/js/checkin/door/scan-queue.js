// Scans go to the server one at a time, in the order they were read, each exactly once: the same code seen
// again within DEDUPE_MS is dropped (a ticket held in front of the camera), and a send that failed is retried
// with the same scan_id, so the server never records it twice. Every answer — the server's, or one made
// here when the network or the session failed — is handed to ``onAnswer``.

const DEDUPE_MS = 3000; // the same code seen again within this time is not sent again
const REQUEST_TIMEOUT_MS = 8000; // weak venue Wi-Fi: give up and say so rather than hang
const RETRY_SAME_SCAN_MS = 120000; // re-scanning after a failed send reuses its scan_id (no duplicate rows)

export function uuid4() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  // crypto.randomUUID exists only in secure contexts; a wedge scanner also works on plain http.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class ScanQueue {
  // onAnswer(answer, marks) shows the answer; onRecorded(answer) runs after an answer from the server.
  constructor({ scanUrl, csrf, onAnswer, onRecorded }) {
    this.scanUrl = scanUrl;
    this.csrf = csrf;
    this.onAnswer = onAnswer;
    this.onRecorded = onRecorded;
    this.queue = Promise.resolve();
    this.sending = false;
    this.lastCode = null;
    this.lastSeen = 0;
    this.lastSource = null;
    this.retry = new Map(); // code → {scanId, at}: a send that failed is retried with the same scan_id
  }

  // Queue a scan; false when it repeats the last code within DEDUPE_MS (then nothing is sent).
  offer(raw, source, marks) {
    const code = (raw || "").trim();
    if (!code) return true;
    const now = performance.now();
    if (code === this.lastCode && now - this.lastSeen < DEDUPE_MS) {
      this.lastSeen = now; // still in front of the camera: keep ignoring it
      return false;
    }
    this.lastCode = code;
    this.lastSeen = now;
    this.lastSource = source;
    this.sending = true;
    this.queue = this.queue.then(() => this.send(code, source, marks));
    return true;
  }

  // The answer went away: a ticket still held up to the camera is not read again for DEDUPE_MS from now.
  answerClosed() {
    if (this.lastSource === "camara") this.lastSeen = performance.now();
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
      answer = await readAnswer(response);
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
    this.onAnswer(answer, marks);
    this.sending = false;
    if (answer.result !== "offline") this.onRecorded(answer);
  }
}

// The server's answer as ``{result, message, attendee?, first_checkin?}``, whatever came back.
async function readAnswer(response) {
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
