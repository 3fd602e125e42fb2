// QR decoders for camera frames, best first: the native BarcodeDetector when the browser has one (Android
// Chrome); otherwise zxing-wasm in a module worker (static/js/checkin/decoder-worker.js); as a last resort
// zxing-wasm on the main thread (browsers without module workers). Each decoder is
// ``{ name, detect(video) → Promise<text | null> }``.

const MAX_SIDE = 960; // frames are scaled down to this many pixels on their long side before decoding

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

// The best decoder this browser can run. ``urls``: the worker script, the zxing-wasm reader module and its
// .wasm (the page gives them in data- attributes, so nothing here hard-codes a static path).
export async function loadDecoder({ workerUrl, decoderUrl, wasmUrl }) {
  const native = await nativeDecoder();
  if (native) return native;
  try {
    return await workerDecoder(workerUrl);
  } catch (error) {
    console.warn("Foros: the decoder worker failed, decoding on the main thread.", error);
  }
  return mainThreadDecoder(new URL(decoderUrl, window.location.href).href,
    new URL(wasmUrl, window.location.href).href);
}
